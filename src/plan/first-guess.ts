/** A first λ from the constant-timescale rule: the λ whose decay timescale τ equals the epochs trained (bayes's first trial, ask/tell's first ask). */
import type { RunPlan } from './run-plan.js';

/** A first λ to try, or why there is none; see {@link firstGuessLambda}. */
export type FirstGuess =
  | {
      /** The λ (user's convention), clipped to the search range. */
      lambda: number;
      /** The λ at τ = T before clipping. */
      unclipped: number;
      /** T, the epochs the rule matches τ to. */
      epochs: number;
      /** One sentence for the result's scheme: the rule, T and the clipping. */
      source: string;
    }
  | { lambda: undefined; reason: string };

/**
 * The constant-timescale rule (Wang & Aitchison 2024) as a first guess: the λ whose penalty
 * timescale τ (RunPlan.timescale: τ = (1 − μ)·B/(η·λ) epochs under momentum to first order, B/(η·λ)
 * under SGD, 1/(S·η·wd) for decoupled decay) equals T, the plan's epoch budget (the cap under
 * `--epochs auto`). Over the atlas's 48 MLP cells this λ lay within ×2 of grid-CV's λ* in 69% of
 * them, the best of the rules it compared (README, "Does λ need to shrink as the model grows?").
 * τ is read from the engine's per-step factor (not its first-order form) on a fine log grid
 * around the range (where it is finite: rounding hides the penalty of a tiny λ, a huge one is
 * unstable), whichever way it runs with the convention's value (sklearn-logistic's C = 1/λ), and the λ
 * closest to τ = T is clipped to [lo, hi].
 *
 * None for the exact solver (no steps, so no timescale) and for Adam with a coupled penalty (τ
 * depends on √v̂, unknown before training).
 *
 * @param range The search interval in λ, 0 < lo < hi.
 * @param m The rows whose coefficients τ is read at (default the plan's m; tune: a trial's fold).
 * @example
 * // momentum 0.9, lr 0.1, batch 128, 20 epochs: λ = (1 − 0.9)·128/(0.1·20) ≈ 6.4
 * firstGuessLambda(resolveRunPlan({ momentum: 0.9 }, { m: 10_000, owner: 'tune' }), { lo: 0.01, hi: 1e4 }).lambda;
 */
export function firstGuessLambda(plan: RunPlan, range: { lo: number; hi: number }, m = plan.m): FirstGuess {
  if (plan.solver === 'exact') return { lambda: undefined, reason: 'the exact solver takes no optimizer steps, so λ has no timescale' };
  const T = plan.epochBudget;
  // Two decades beyond each end, 1,000 points a decade: the guess is good to a quarter percent of λ, far finer than the rule.
  const a = Math.log10(range.lo) - 2;
  const b = Math.log10(range.hi) + 2;
  const n = Math.ceil((b - a) * 1000);
  let best: { x: number; miss: number } | undefined;
  for (let i = 0; i <= n; i++) {
    const x = a + ((b - a) * i) / n;
    const miss = Math.abs(Math.log(plan.timescale(10 ** x, m) / T));
    if (Number.isFinite(miss) && (best === undefined || miss < best.miss)) best = { x, miss };
  }
  if (best === undefined) return { lambda: undefined, reason: `${plan.optimizer.name} divides a coupled penalty by √v̂, so τ is unknown before training` };
  const unclipped = 10 ** best.x;
  const lambda = Math.min(range.hi, Math.max(range.lo, unclipped));
  const clipped = lambda === unclipped ? '' : ` (${unclipped.toPrecision(3)}, clipped to the range)`;
  const source = `first λ = ${lambda.toPrecision(3)}${clipped} from the constant-timescale rule (τ = ${T} epochs trained)`;
  return { lambda, unclipped, epochs: T, source };
}
