/**
 * Limited-memory BFGS (Nocedal 1980; Nocedal & Wright, Numerical Optimization, Alg. 7.4/7.5) with a
 * backtracking line search: for problems whose dense Hessian is too large to build and factor.
 */
import { backtrackAsync, type AsyncObjective } from './line-search.js';
import { dot, maxAbs, type SolveResult, type StopRule } from './types.js';
import { yielder } from './yield.js';

/** Correction pairs kept (scipy's and sklearn's lbfgs default 10). */
const MEMORY = 10;

/**
 * The newest MEMORY correction pairs s = Δθ, y = Δ∇ with ρ = 1/sᵀy, sᵀy and yᵀy (γ of H₀ = γI). The
 * next pair is written into `s` and `y`, which are the oldest pair's arrays once MEMORY are kept: no
 * allocation per iteration.
 */
class Pairs {
  readonly ss: Float64Array[] = [];
  readonly ys: Float64Array[] = [];
  readonly rhos: number[] = [];
  readonly sys: number[] = [];
  readonly yys: number[] = [];
  private s: Float64Array;
  private y: Float64Array;

  constructor(private readonly dim: number) {
    this.s = new Float64Array(dim);
    this.y = new Float64Array(dim);
  }

  clear(): void {
    this.ss.length = this.ys.length = this.rhos.length = this.sys.length = this.yys.length = 0;
  }

  /** Records the step θ → next; the cost is convex, so sᵀy ≥ 0: a pair that rounding made non-positive is skipped. */
  add(theta: Float64Array, next: Float64Array, grad: Float64Array, nextGrad: Float64Array): void {
    const { s, y } = this;
    let sy = 0;
    let yy = 0;
    for (let j = 0; j < this.dim; j++) {
      const sj = (s[j] = next[j] - theta[j]);
      const yj = (y[j] = nextGrad[j] - grad[j]);
      sy += sj * yj;
      yy += yj * yj;
    }
    if (!(sy > 1e-300)) return;
    if (this.ss.length === MEMORY) {
      this.s = this.ss.shift()!;
      this.y = this.ys.shift()!;
      this.rhos.shift();
      this.sys.shift();
      this.yys.shift();
    } else {
      this.s = new Float64Array(this.dim);
      this.y = new Float64Array(this.dim);
    }
    this.ss.push(s);
    this.ys.push(y);
    this.rhos.push(1 / sy);
    this.sys.push(sy);
    this.yys.push(yy);
  }
}

/**
 * dir = −H·grad by the two-loop recursion with H₀ = γI, γ = sᵀy/yᵀy of the newest pair (the first
 * step scaled to move θ by at most 1 in any coordinate). Each pass over θ's length does one pair's
 * update and the next pair's dot product (the same operations in the same order as two passes: a
 * pass per vector, not two, is what the loops cost at 5,000+ parameters). Returns the slope ∇f·dir;
 * where rounding spoiled the pairs (no descent), clears them and takes steepest descent.
 */
function direction(pairs: Pairs, grad: Float64Array, gradNorm: number, dir: Float64Array, alpha: Float64Array): number {
  const { ss, ys, rhos } = pairs;
  const dim = grad.length;
  const m = ss.length;
  dir.set(grad);
  let acc = m > 0 ? dot(ss[m - 1], dir) : 0;
  for (let i = m - 1; i >= 0; i--) {
    const a = (alpha[i] = rhos[i] * acc);
    const yi = ys[i];
    if (i === 0) {
      for (let j = 0; j < dim; j++) dir[j] -= a * yi[j];
      break;
    }
    const sn = ss[i - 1];
    let t = 0;
    for (let j = 0; j < dim; j++) {
      const v = dir[j] - a * yi[j];
      dir[j] = v;
      t += sn[j] * v;
    }
    acc = t;
  }
  const gamma = m > 0 ? pairs.sys[m - 1] / pairs.yys[m - 1] : 1 / Math.max(1, gradNorm);
  acc = 0;
  if (m > 0) {
    const y0 = ys[0];
    for (let j = 0; j < dim; j++) {
      const v = dir[j] * gamma;
      dir[j] = v;
      acc += y0[j] * v;
    }
  } else for (let j = 0; j < dim; j++) dir[j] *= gamma;
  for (let i = 0; i < m; i++) {
    const w = alpha[i] - rhos[i] * acc;
    const si = ss[i];
    if (i === m - 1) {
      for (let j = 0; j < dim; j++) dir[j] += w * si[j];
      break;
    }
    const yn = ys[i + 1];
    let t = 0;
    for (let j = 0; j < dim; j++) {
      const v = dir[j] + w * si[j];
      dir[j] = v;
      t += yn[j] * v;
    }
    acc = t;
  }
  let slope = 0;
  for (let j = 0; j < dim; j++) {
    dir[j] = -dir[j];
    slope += grad[j] * dir[j];
  }
  if (slope < 0) return slope;
  pairs.clear();
  for (let j = 0; j < dim; j++) dir[j] = -grad[j] / Math.max(1, gradNorm);
  return dot(grad, dir);
}

/** L-BFGS on `evaluate` from θ₀ until ‖∇‖∞ ≤ tol·max(1, gradScale) or the cap. */
export async function lbfgs(evaluate: AsyncObjective, theta0: Float64Array, rule: StopRule, gradScale: number): Promise<SolveResult> {
  const dim = theta0.length;
  let theta = Float64Array.from(theta0);
  let grad = new Float64Array(dim);
  let next = new Float64Array(dim);
  let nextGrad = new Float64Array(dim);
  let f = await evaluate(theta, grad);
  let passes = 1;
  const target = rule.tol * Math.max(1, gradScale);
  const pairs = new Pairs(dim);
  const alpha = new Float64Array(MEMORY);
  const dir = new Float64Array(dim);
  const pause = yielder();
  for (let it = 0; ; it++) {
    await pause();
    const gradNorm = maxAbs(grad);
    const done = (converged: boolean, reason?: string): SolveResult => ({ theta, method: 'lbfgs', iterations: it, passes, cost: f, gradNorm, converged, ...(reason ? { reason } : {}) });
    if (gradNorm <= target) return done(true);
    if (it >= rule.maxIterations) return done(false, `no convergence in ${it} L-BFGS iterations`);
    const slope = direction(pairs, grad, gradNorm, dir, alpha);
    const found = await backtrackAsync(evaluate, theta, f, slope, dir, next, nextGrad);
    if (!found) return done(false, 'no step decreases the cost (rounding limit above the tolerance)');
    passes += Math.round(Math.log2(1 / found.t)) + 1;
    pairs.add(theta, next, grad, nextGrad);
    [theta, next] = [next, theta];
    [grad, nextGrad] = [nextGrad, grad];
    f = found.f;
  }
}
