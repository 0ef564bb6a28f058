/** Damped Newton (IRLS for logistic/softmax) with a float64 Cholesky solve of the dense Hessian. */
import { cholesky, choleskySolve } from '../linalg/cholesky.js';
import { cost, hessian, paramCount, type GlmProblem } from './glm.js';
import { backtrack } from './line-search.js';
import { dot, maxAbs, type SolveResult, type StopRule } from './types.js';

/**
 * Softmax logits shifted by one constant across classes give the same loss, so the Hessian is
 * singular along "add t to every class" of the biases (and of each weight row when rate = 0). The
 * gradient has no component there (Σ_c (p_c − y_c) = 0), so adding s·uuᵀ/k on those directions
 * changes no step, and makes the matrix positive definite without perturbing anything else.
 */
function addSoftmaxGauge(p: GlmProblem, h: Float64Array, dim: number): void {
  const { d, k } = p;
  let scale = 0;
  for (let j = 0; j < dim; j++) scale = Math.max(scale, h[j * dim + j]);
  const s = (scale > 0 ? scale : 1) / k;
  for (let a = p.rate > 0 ? d : 0; a <= d; a++) {
    for (let c = 0; c < k; c++) for (let e = 0; e < k; e++) h[(a * k + c) * dim + a * k + e] += s;
  }
}

/**
 * Cholesky factor of H, adding μ·I (μ from 1e-12 of its largest diagonal entry, ×10 per try) only
 * when H is not numerically positive definite: at rate 0, where (quasi-)separable classes or
 * collinear features leave it singular.
 */
function factor(h: Float64Array, dim: number): Float64Array {
  let l = cholesky(h, dim);
  if (l) return l;
  let top = 0;
  for (let j = 0; j < dim; j++) top = Math.max(top, h[j * dim + j]);
  for (let mu = Math.max(top, 1e-300) * 1e-12; ; mu *= 10) {
    const damped = Float64Array.from(h);
    for (let j = 0; j < dim; j++) damped[j * dim + j] += mu;
    l = cholesky(damped, dim);
    if (l) return l;
  }
}

/** Keeps the parameters `held` where they are: no gradient, and an identity row and column of the Hessian. */
function hold(held: readonly number[], dim: number, grad: Float64Array, h?: Float64Array): void {
  for (const j of held) {
    grad[j] = 0;
    if (!h) continue;
    for (let i = 0; i < dim; i++) h[i * dim + j] = h[j * dim + i] = 0;
    h[j * dim + j] = 1;
  }
}

/**
 * The data part of the last Hessian a Newton solve computed (X̃ᵀSX̃/m, no penalty), kept for the next
 * step or the next solve of a path: the curvature changes little between neighbouring iterates or λ,
 * and forming it is the solve's main cost (O(m·p²) against O(m·p) for a gradient).
 */
export interface HessianMemo {
  data?: Float64Array;
  /** The Cholesky factor of data + rate (and the softmax gauge), kept while neither changes. */
  factor?: { rate: number; l: Float64Array };
}

/** What a Newton solve may be given: parameters to hold at θ₀ (a model without biases holds them at 0) and a Hessian to reuse. */
export interface NewtonOptions {
  held?: readonly number[];
  memo?: HessianMemo;
}

/** A step reusing an older Hessian must shrink ‖∇‖∞ at least this much, or the next step computes a fresh one. */
const STALE_CONTRACTION = 0.1;

/** −H⁻¹·∇ with H = the memo's data + rate on the weights (and the softmax gauge), the held parameters fixed; factored once per data and rate. */
function newtonStep(p: GlmProblem, memo: HessianMemo, grad: Float64Array, held: readonly number[]): Float64Array {
  const dim = paramCount(p);
  if (memo.factor?.rate !== p.rate) {
    const h = Float64Array.from(memo.data!);
    for (let j = 0; j < p.d * p.k; j++) h[j * dim + j] += p.rate;
    if (p.loss === 'softmax_ce') addSoftmaxGauge(p, h, dim);
    hold(held, dim, grad, h);
    memo.factor = { rate: p.rate, l: factor(h, dim) };
  }
  const step = choleskySolve(memo.factor.l, dim, grad);
  for (let j = 0; j < dim; j++) step[j] = -step[j];
  return step;
}

/**
 * Newton's method from θ₀ with backtracking, until ‖∇‖∞ ≤ tol·max(1, ‖∇cost(0)‖∞) or the cap. A step
 * first tries the Hessian in `memo` (the chord method: from an older iterate or the previous λ of a
 * path, refactored with this rate) and computes a fresh one only when that step fails to descend or
 * to shrink the gradient by {@link STALE_CONTRACTION}; the stopping rule is the gradient's either way.
 * Parameters listed in `held` keep their θ₀ values.
 */
export function newton(p: GlmProblem, theta0: Float64Array, rule: StopRule, gradScale: number, o: NewtonOptions = {}): SolveResult {
  const held = o.held ?? [];
  const memo = o.memo ?? {};
  const dim = paramCount(p);
  let theta = Float64Array.from(theta0);
  let grad = new Float64Array(dim);
  let next = new Float64Array(dim);
  let nextGrad = new Float64Array(dim);
  let f = cost(p, theta, grad);
  hold(held, dim, grad);
  let passes = 1;
  let stale = memo.data?.length === dim * dim;
  const target = rule.tol * Math.max(1, gradScale);
  for (let it = 0; ; it++) {
    const gradNorm = maxAbs(grad);
    const done = (converged: boolean, reason?: string): SolveResult => ({ theta, method: 'newton', iterations: it, passes, cost: f, gradNorm, converged, ...(reason ? { reason } : {}) });
    if (gradNorm <= target) return done(true);
    if (it >= rule.maxIterations) return done(false, `no convergence in ${it} Newton iterations`);
    if (!stale) {
      memo.data = hessian({ ...p, rate: 0 }, theta);
      memo.factor = undefined;
      passes++;
    }
    const step = newtonStep(p, memo, grad, held);
    const slope = dot(grad, step);
    const found = slope < 0 ? backtrack((t, g) => cost(p, t, g), theta, f, slope, step, next, nextGrad) : null;
    if (!found) {
      if (!stale) return done(false, 'no step decreases the cost (rounding limit above the tolerance)');
      stale = false;
      continue;
    }
    passes += Math.round(Math.log2(1 / found.t)) + 1;
    hold(held, dim, nextGrad);
    [theta, next] = [next, theta];
    [grad, nextGrad] = [nextGrad, grad];
    f = found.f;
    stale = maxAbs(grad) <= STALE_CONTRACTION * gradNorm;
  }
}
