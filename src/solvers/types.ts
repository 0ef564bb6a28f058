/** What an exact solve reports: where it stopped and whether it met its tolerance. */

/** 'spectral': a linear model's closed form at each λ from one decomposition of its rows (ridgeSolves); 'newton-cg': large softmax problems, through ONNX Runtime sessions. */
export type SolverMethod = 'newton' | 'newton-cg' | 'lbfgs' | 'spectral';

export interface SolveResult {
  /** θ: W (d×k row-major) then b (k). */
  theta: Float64Array;
  method: SolverMethod;
  iterations: number;
  /** Cost evaluations (each one pass over the rows; a Newton iteration adds one more for its Hessian). */
  passes: number;
  cost: number;
  /** ‖∇cost‖∞ at θ. */
  gradNorm: number;
  converged: boolean;
  /** Why it stopped without converging (iteration cap, separable classes at λ = 0, no descent). */
  reason?: string;
}

export interface StopRule {
  /** Converged when ‖∇cost‖∞ ≤ tol · max(1, ‖∇cost(0)‖∞). */
  tol: number;
  maxIterations: number;
}

/** Largest |vᵢ|. */
export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
