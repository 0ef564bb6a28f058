/**
 * L-BFGS in centered coordinates: the intercept of the centered rows in place of the raw one, the same
 * minimizer reached in a few times fewer iterations on rows whose features are far from mean zero
 * (pixels: 140 against 510 iterations on 320 MNIST digits at rate 3e-4, cold).
 */
import { columnMeans } from '../linalg/design.js';
import { cost, paramCount, type GlmProblem } from './glm.js';
import { lbfgs } from './lbfgs.js';
import type { AsyncObjective } from './line-search.js';
import { softmaxSession, useSession } from './softmax-session.js';
import { maxAbs, type SolveResult, type StopRule } from './types.js';

/**
 * The cost in φ = (W, b′) with b′ = b + x̄ᵀ·W: logits x·W + b = (x − x̄)·W + b′. A linear change of
 * variables, so the minimizer maps to the original one, but with the raw intercept each weight's step
 * moves every logit by x̄ᵀ·ΔW as well, coupling W and b (the Hessian's condition grows with ‖x̄‖²);
 * the centered intercept removes that coupling, which is what L-BFGS's ten pairs fail to learn.
 * The rows stay as given (sparse): b = b′ − x̄ᵀ·W per evaluation, and ∇_W = ∇_W cost − x̄·∇_bᵀ.
 */
export interface Centered {
  mean: Float64Array;
  evaluate: AsyncObjective;
  /** φ of θ. */
  toCentered(theta: Float64Array): Float64Array;
  /** θ of φ. */
  fromCentered(phi: Float64Array): Float64Array;
}

/** `inner` computes the original cost (default: {@link cost}). */
export function centered(p: GlmProblem, inner: AsyncObjective = (t, g) => cost(p, t, g)): Centered {
  const { n, d, k } = p;
  const mean = columnMeans(p.x, n, d);
  // b′ − x̄ᵀ·W (sign −1) or b + x̄ᵀ·W (sign +1), written into out's biases; out's weights are θ's.
  const shift = (theta: Float64Array, sign: number, out: Float64Array): Float64Array => {
    if (out !== theta) out.set(theta);
    for (let a = 0; a < d; a++) {
      const m = sign * mean[a];
      if (m === 0) continue;
      for (let c = 0; c < k; c++) out[d * k + c] += m * theta[a * k + c];
    }
    return out;
  };
  const raw = new Float64Array(paramCount(p));
  return {
    mean,
    async evaluate(phi, grad) {
      const f = await inner(shift(phi, -1, raw), grad);
      for (let a = 0; a < d; a++) {
        const m = mean[a];
        if (m === 0) continue;
        for (let c = 0; c < k; c++) grad[a * k + c] -= m * grad[d * k + c];
      }
      return f;
    },
    toCentered: (theta) => shift(theta, 1, new Float64Array(theta.length)),
    fromCentered: (phi) => shift(phi, -1, new Float64Array(phi.length)),
  };
}

/**
 * L-BFGS on the centered cost from θ₀ (large softmax problems through an ONNX Runtime session), returned in the original coordinates with their cost and
 * gradient: stopped at the target divided by 1 + ‖x̄‖∞, so that the original gradient
 * (∇_W + x̄·∇_b′ᵀ) meets tol·max(1, gradScale) as well; one that does not after all (rounding) is
 * finished by L-BFGS on the original cost.
 */
export async function centeredLbfgs(p: GlmProblem, theta0: Float64Array, rule: StopRule, gradScale: number): Promise<SolveResult> {
  const c = centered(p, useSession(p) ? await softmaxSession(p) : undefined);
  const margin = 1 + maxAbs(c.mean);
  const inner = await lbfgs(c.evaluate, c.toCentered(theta0), { ...rule, tol: rule.tol / margin }, gradScale);
  const theta = c.fromCentered(inner.theta);
  const grad = new Float64Array(theta.length);
  const f = cost(p, theta, grad);
  const gradNorm = maxAbs(grad);
  const passes = inner.passes + 1;
  if (!inner.converged || gradNorm <= rule.tol * Math.max(1, gradScale)) return { ...inner, theta, cost: f, gradNorm, passes };
  const rest = await lbfgs((t, g) => cost(p, t, g), theta, { ...rule, maxIterations: Math.max(0, rule.maxIterations - inner.iterations) }, gradScale);
  return { ...rest, iterations: inner.iterations + rest.iterations, passes: passes + rest.passes };
}
