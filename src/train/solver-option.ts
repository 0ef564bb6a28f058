/** The report's `solver` field: which solver trained a model, and the exact one's iterations and convergence. */
import type { SolveResult } from '../solvers/types.js';

/** The `solver` field of `train --json`: sgd has no convergence test of its own. */
export type SolverReport =
  | { name: 'exact'; method: SolveResult['method']; iterations: number; grad_norm: number; converged: boolean; reason?: string }
  | { name: 'sgd' };

export function solverReport(r: SolveResult): SolverReport {
  return { name: 'exact', method: r.method, iterations: r.iterations, grad_norm: r.gradNorm, converged: r.converged, ...(r.reason ? { reason: r.reason } : {}) };
}
