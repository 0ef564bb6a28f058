/**
 * The median pruning rule of multi-fidelity λ search, gated by the penalty's timescale: a trial is
 * stopped at an epoch only when its λ has had time to act there and it is worse than the median.
 */
import { median } from '../../util/median.js';

/** Options of {@link medianPruneReason}. */
export interface MedianRule {
  /** No pruning before this epoch (Optuna's n_warmup_steps). */
  warmupEpochs: number;
  /** Other trials with a value at the epoch needed before pruning (Optuna's n_startup_trials). */
  minTrials: number;
  /** What gates the rule, for the reason; default `τ = … epochs` (ask/tell names its stand-in where τ is unknown). */
  gate?: string;
}

/** The rule bayes uses: from epoch 1, once two other trials show a value there. */
export const DEFAULT_MEDIAN_RULE: MedianRule = { warmupEpochs: 1, minTrials: 2 };

/**
 * Whether λ has acted by `epoch`: one decay timescale τ (lambdaTimescaleEpochs) has passed, so the
 * penalty has shrunk an unused weight by 1/e. Before that a trial's curve is its λ → 0 curve and
 * says nothing about λ (why successive halving's 1-epoch rungs kept the small λ). Unknown τ (NaN)
 * and no penalty (∞) never count as acted.
 */
export function lambdaActedBy(epoch: number, tau: number): boolean {
  return Number.isFinite(tau) && epoch >= tau;
}

/**
 * Why a trial should stop at `epoch`, or undefined to let it train on (the median stopping rule of
 * Golovin et al., "Google Vizier", KDD 2017, as Optuna's MedianPruner applies it): its best
 * validation loss so far is above the median of the other trials' best-so-far values at the same
 * epoch. Never before `rule.warmupEpochs`, never with fewer than `rule.minTrials` others, and never
 * before its λ acted ({@link lambdaActedBy}): a λ whose τ exceeds the epochs trained is not judged.
 * A non-finite value (diverged) is pruned once the gates pass.
 *
 * @param bestSoFar The trial's lowest validation loss up to and including `epoch`.
 * @param tau The trial's τ in epochs at its λ.
 * @param others The other trials' best-so-far values at `epoch` (finished trials that stopped
 *   earlier carry their final best forward).
 */
export function medianPruneReason(epoch: number, bestSoFar: number, tau: number, others: readonly number[], rule: MedianRule = DEFAULT_MEDIAN_RULE): string | undefined {
  if (epoch < rule.warmupEpochs || !lambdaActedBy(epoch, tau)) return undefined;
  const finite = others.filter((v) => Number.isFinite(v));
  if (finite.length < rule.minTrials) return undefined;
  const m = median(finite);
  if (Number.isFinite(bestSoFar) && bestSoFar <= m) return undefined;
  return `pruned at epoch ${epoch}: best validation loss ${bestSoFar.toPrecision(4)} above the median ${m.toPrecision(4)} of ${finite.length} trials there (${rule.gate ?? `τ = ${tau.toPrecision(3)} epochs`})`;
}

/** A trial's per-epoch validation losses (index = epoch, 0 = initialization) as best-so-far values. */
export function bestSoFar(curve: readonly (number | null)[]): number[] {
  const out: number[] = [];
  let b = Infinity;
  for (const v of curve) {
    if (v !== null && v < b) b = v;
    out.push(b);
  }
  return out;
}

/** Best-so-far of a finished trial at `epoch`: its value there, or its last when it stopped before. */
export function valueAt(best: readonly number[], epoch: number): number {
  return best.length === 0 ? NaN : best[Math.min(epoch, best.length - 1)];
}
