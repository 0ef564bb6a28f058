/** Exact minimization of a linear model's seed cost: Newton while the Hessian is small, L-BFGS beyond. */
import { InvalidOptionError } from '../errors.js';
import { cost, paramCount, rowOutputs, type GlmProblem } from './glm.js';
import { centeredSolve } from './centered.js';
import { newton, type HessianMemo } from './newton.js';
import { useSession } from './softmax-session.js';
import type { SolveResult, SolverMethod, StopRule } from './types.js';

export interface SolveOptions {
  /** 'auto' (default): Newton while {@link useNewton} holds, else Newton-CG on a softmax problem large enough for a session ({@link useSession}), else L-BFGS. Newton-CG: softmax only. */
  method?: SolverMethod | 'auto';
  /** Stop when ‖∇cost‖∞ ≤ tol · max(1, ‖∇cost(0)‖∞). Default 1e-10. */
  tol?: number;
  /** Default 100 Newton, 1000 Newton-CG or 5000 L-BFGS iterations. */
  maxIterations?: number;
  /** Warm start θ₀ (default 0), e.g. the solution at the previous λ of a path. */
  init?: Float64Array;
  /** Newton's last Hessian, shared by the solves of one path on the same rows (see {@link HessianMemo}). */
  hessian?: HessianMemo;
}

export const DEFAULT_TOL = 1e-10;
/**
 * Newton builds a p×p Hessian (p = (d+1)·k parameters) in O(n·p²) and factors it in O(p³/3) per
 * iteration; L-BFGS costs O(n·p) per iteration. Newton's few iterations win while p ≤ 1000 (an 8 MB
 * Hessian) and n·p² ≤ 2·10⁹ (about 2 s of float64 work per Hessian in V8).
 */
export const NEWTON_MAX_PARAMS = 1000;
const NEWTON_MAX_WORK = 2e9;

export function useNewton(p: GlmProblem): boolean {
  const dim = paramCount(p);
  return dim <= NEWTON_MAX_PARAMS && p.n * dim * dim <= NEWTON_MAX_WORK;
}

/**
 * Newton on small problems; on large softmax ones (7,850 parameters on 500 MNIST digits) Newton-CG
 * through ONNX Runtime sessions, which needed as many passes over the rows as L-BFGS on a fold's
 * λ path (770 against 815) with a twelfth of its vector work per pass.
 */
function autoMethod(p: GlmProblem): SolverMethod {
  if (useNewton(p)) return 'newton';
  return useSession(p) ? 'newton-cg' : 'lbfgs';
}

/**
 * Minimizes (1/m)·Σ loss + (rate/2)·Σ W² to the tolerance, never with a learning rate: every step is
 * a descent step found by backtracking, so no λ in [0, ∞) can make it diverge.
 *
 * λ = 0 on classification: when the final θ classifies every training row correctly the classes are
 * separable, the cost has no minimizer (it decreases forever as ‖W‖ grows), and the result says so
 * with converged = false, whatever the gradient. Nothing is added to stabilize it: use λ > 0.
 */
export async function solveGlm(p: GlmProblem, o: SolveOptions = {}): Promise<SolveResult> {
  const tol = o.tol ?? DEFAULT_TOL;
  if (!(tol > 0 && Number.isFinite(tol))) throw new InvalidOptionError(`The 'tol' option of the exact solver must be a number in (0, ∞). Got ${tol} instead.`);
  const method = o.method === undefined || o.method === 'auto' ? autoMethod(p) : o.method;
  if (method === 'newton-cg' && p.loss !== 'softmax_ce') throw new InvalidOptionError(`The exact solver's Newton-CG handles softmax models only. Got a ${p.loss} problem.`);
  const rule: StopRule = { tol, maxIterations: o.maxIterations ?? (method === 'newton' ? 100 : method === 'newton-cg' ? 1000 : 5000) };
  const dim = paramCount(p);
  const scale = gradScaleOf(p);
  const init = o.init ?? new Float64Array(dim);
  if (init.length !== dim) throw new InvalidOptionError(`Warm start for the exact solver has ${init.length} values; the model has ${dim} parameters.`);
  // Newton is capped at NEWTON_MAX_PARAMS, where a solve takes milliseconds; L-BFGS yields as it goes.
  const r = method === 'newton' ? newton(p, init, rule, scale, { memo: o.hessian }) : await centeredSolve(p, init, rule, scale, method === 'newton-cg' ? 'newton-cg' : 'lbfgs');
  r.passes += 1;
  if (p.rate === 0 && p.loss !== 'mse' && separates(p, r.theta)) {
    return { ...r, converged: false, reason: 'λ = 0 and the classes are separable: the cost has no minimizer (it falls as ‖W‖ grows without bound); use λ > 0' };
  }
  return r;
}

/** ‖∇cost(0)‖∞ of problems' rows, kept per targets array: it does not depend on the rate, and a path solves the same rows at every λ. */
const gradScales = new WeakMap<GlmProblem['y'], { x: Float64Array; k: number; scale: number }>();

/** The tolerance's scale ‖∇cost(0)‖∞ (θ = 0, where the penalty's gradient is 0). */
export function gradScaleOf(p: GlmProblem): number {
  const known = gradScales.get(p.y);
  if (known && known.x === p.x && known.k === p.k) return known.scale;
  const grad = new Float64Array(paramCount(p));
  cost(p, new Float64Array(grad.length), grad);
  let scale = 0;
  for (const g of grad) scale = Math.max(scale, Math.abs(g));
  gradScales.set(p.y, { x: p.x, k: p.k, scale });
  return scale;
}

/** Whether θ classifies every row correctly (logit sign, or argmax). */
function separates(p: GlmProblem, theta: Float64Array): boolean {
  const { logits } = rowOutputs(p, theta);
  for (let i = 0; i < p.n; i++) {
    if (p.loss === 'logistic') {
      if ((logits[i] > 0 ? 1 : 0) !== p.y[i]) return false;
      continue;
    }
    const label = p.y[i];
    for (let c = 0; c < p.k; c++) if (c !== label && logits[i * p.k + c] >= logits[i * p.k + label]) return false;
  }
  return true;
}

/** One line for a report: method, iterations, gradient norm and, when it failed, why. */
export function describeSolve(r: SolveResult): string {
  const base = `${r.method}, ${r.iterations} iterations, ‖∇cost‖∞ = ${r.gradNorm.toExponential(2)}`;
  return r.converged ? base : `exact solver did not converge (${r.reason}; ${base})`;
}
