/**
 * report's pruning: the median rule over the trials at the same epoch (tune's, pruner.ts), only
 * once the trial's λ has acted (epoch ≥ τ); where τ is unknown (Adam with a coupled penalty), only
 * after a fixed share of the budget instead.
 */
import type { Trial } from '../study/index.js';
import { DEFAULT_MEDIAN_RULE, medianPruneReason, valueAt } from '../tune/pruners/median.js';
import { tauUnknown, type ResolvedContext } from './context.js';
import { bestCurve, reportsOf, type Report } from './reports.js';

/**
 * Under Adam with a coupled penalty, the share of the budget after which a trial may be judged:
 * half. A plain choice, not a measured one: the λ a search cares about act within the budget
 * (τ ≲ T), so by half of it they have mostly acted, and a losing trial still saves half its epochs.
 */
export const UNKNOWN_TAU_SHARE = 0.5;

/** τ at a trial's λ, when report may first prune it, and why τ is missing. */
export interface TrialTimescale {
  tau: number | null;
  tauNote?: string;
  pruneFrom: number | null;
}

/** What ask hands out with a trial of value `value`: τ (null where unknown), the note saying why, and the first epoch report may prune it at (null: never). */
export function trialTimescaleOf(c: ResolvedContext, value: number): TrialTimescale {
  if (tauUnknown(c)) {
    const pruneFrom = c.strategy === 'bayes' ? Math.max(DEFAULT_MEDIAN_RULE.warmupEpochs, Math.ceil(UNKNOWN_TAU_SHARE * c.plan.epochBudget)) : null;
    const instead = pruneFrom === null ? `${c.strategy} prunes no trial anyway` : `the median rule judges a trial only from epoch ${pruneFrom} (${UNKNOWN_TAU_SHARE * 100}% of its ${c.plan.epochBudget} epochs) and bayes starts from space-filling points instead of the constant-timescale λ`;
    const tauNote =
      `${c.plan.optimizer.name} divides a coupled penalty's gradient by √v̂ (the running RMS of each weight's gradient), known only once training runs, so τ cannot be computed from the context alone. ` +
      `Instead ${instead}; the weight-norm check is skipped. With decoupled decay (torch.optim.AdamW, --convention adamw) τ = 1/(S·η·wd) is known.`;
    return { tau: null, tauNote, pruneFrom };
  }
  const tau = c.plan.timescale(value);
  const known = Number.isFinite(tau) ? tau : null;
  if (c.strategy !== 'bayes' || known === null) return { tau: known, pruneFrom: null };
  const from = Math.max(DEFAULT_MEDIAN_RULE.warmupEpochs, Math.ceil(known));
  return { tau: known, pruneFrom: from <= c.plan.epochBudget ? from : null };
}

/** The other trials' best-so-far validation loss at `epoch`: every COMPLETE trial (its last value carried on) and every running one that reached it. */
function othersAt(epoch: number, self: number, trials: readonly Trial[]): number[] {
  return trials.flatMap((t) => {
    if (t.number === self || !(t.state === 'COMPLETE' || t.state === 'RUNNING')) return [];
    const reports = reportsOf(t);
    if (reports.length === 0 || (t.state === 'RUNNING' && reports[reports.length - 1].epoch < epoch)) return [];
    return [valueAt(bestCurve(reports), epoch)];
  });
}

/** report's answer on pruning: stop (with why), or go on (with why it may not be judged yet, or null). */
export function pruneAnswer(c: ResolvedContext, trial: Trial, reports: readonly Report[], trials: readonly Trial[]): { prune: boolean; reason: string | null } {
  if (c.strategy !== 'bayes') return { prune: false, reason: null };
  const epoch = reports[reports.length - 1].epoch;
  const t = trialTimescaleOf(c, trial.params.lambda);
  if (t.pruneFrom === null) return { prune: false, reason: t.tau === null ? null : `not judged: λ acts over τ = ${t.tau.toPrecision(3)} epochs, more than the ${c.plan.epochBudget} trained, so its curve is the λ → 0 curve` };
  if (epoch < t.pruneFrom) return { prune: false, reason: `not judged before epoch ${t.pruneFrom}: ${t.tau === null ? `${UNKNOWN_TAU_SHARE * 100}% of the budget (τ unknown under ${c.plan.optimizer.name})` : `λ acts over τ = ${t.tau.toPrecision(3)} epochs`}` };
  const gate = t.tau === null ? { gate: `from epoch ${t.pruneFrom}, ${UNKNOWN_TAU_SHARE * 100}% of the budget: τ unknown under ${c.plan.optimizer.name}` } : {};
  const reason = medianPruneReason(epoch, valueAt(bestCurve(reports), epoch), t.tau ?? t.pruneFrom, othersAt(epoch, trial.number, trials), { ...DEFAULT_MEDIAN_RULE, ...gate });
  return reason === undefined ? { prune: false, reason: null } : { prune: true, reason };
}
