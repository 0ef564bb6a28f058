/** When training has converged: the stated rule on the regularized training cost (`--epochs auto` trains until it holds). */

/** The rule's constants; see {@link hasConverged}. */
export interface ConvergenceRule {
  /** Epochs W the cost is compared across. Default 10. */
  window: number;
  /** Relative decrease below which the run counts as converged. Default 1e-3. */
  tol: number;
}

export const DEFAULT_CONVERGENCE: ConvergenceRule = { window: 10, tol: 1e-3 };

/**
 * Converged at epoch e when e ≥ W and the regularized training cost fell by less than tol, relative,
 * over the last W epochs: C(e−W) − C(e) < tol·|C(e−W)|. A cost that rose counts (SGD at its noise
 * floor). `costs[e]` is the cost after epoch e, `costs[0]` at initialization.
 *
 * @example
 * hasConverged([1, 0.5, 0.4, 0.39995], { window: 1, tol: 1e-3 }); // true: 0.4 → 0.39995 is 1.25e-4
 */
export function hasConverged(costs: readonly number[], rule: ConvergenceRule = DEFAULT_CONVERGENCE): boolean {
  const e = costs.length - 1;
  if (e < rule.window) return false;
  const before = costs[e - rule.window];
  const now = costs[e];
  if (!(Number.isFinite(before) && Number.isFinite(now))) return false;
  return before - now < rule.tol * Math.abs(before);
}
