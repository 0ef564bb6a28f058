/**
 * Linear (mse) fits at many λ from one decomposition: the centered design's thin SVD gives the
 * minimizer at every penalty in O(r·d), as scikit-learn's `_RidgeGCV` does, instead of one Newton
 * solve (a d×d Gram and a Cholesky factor) per λ.
 */
import { ShapeError } from '../errors.js';
import { centeredSpectrum, type CenteredSpectrum } from '../linalg/centered-spectrum.js';
import { cost, paramCount, type GlmProblem } from './glm.js';
import { newton } from './newton.js';
import { DEFAULT_TOL } from './solve.js';
import { maxAbs, type SolveResult } from './types.js';

/**
 * θ = [W, b] minimizing (1/m)·Σ ½(y − x·W − b)² + (rate/2)·‖W‖²: with Xc = U·diag(√μ)·Vᵀ the centered
 * rows, W = Σₖ vₖ·√μₖ·(uₖᵀyc)/(μₖ + m·rate) and b = ȳ − x̄·W (the unpenalized intercept absorbs the means).
 */
function spectralTheta(sp: CenteredSpectrum, rate: number): Float64Array {
  const { d, n, rank, eigenvalues, v, uty, xMean, yMean } = sp;
  const theta = new Float64Array(d + 1);
  for (let k = 0; k < rank; k++) {
    const c = (Math.sqrt(eigenvalues[k]) * uty[k]) / (eigenvalues[k] + n * rate);
    for (let j = 0; j < d; j++) theta[j] += c * v[k * d + j];
  }
  let b = yMean;
  for (let j = 0; j < d; j++) b -= xMean[j] * theta[j];
  theta[d] = b;
  return theta;
}

/**
 * The exact solve of a linear problem at each rate, from one decomposition of its rows. Each solution's
 * gradient is evaluated as the Newton solver's would be; one that misses the tolerance (an
 * ill-conditioned design where rounding in the decomposition shows) is polished by Newton from there.
 */
export function ridgeSolves(p: GlmProblem, rates: readonly number[], tol = DEFAULT_TOL): SolveResult[] {
  if (p.loss !== 'mse' || p.k !== 1) throw new ShapeError(`ridgeSolves: a linear problem (mse, one output) only; got ${p.loss} with ${p.k} outputs.`);
  const sp = centeredSpectrum(p.x, Float64Array.from(p.y), p.n, p.d, true);
  const grad = new Float64Array(paramCount(p));
  cost({ ...p, rate: 0 }, new Float64Array(grad.length), grad);
  const scale = maxAbs(grad);
  return rates.map((rate) => {
    const q = { ...p, rate };
    const theta = spectralTheta(sp, rate);
    const f = cost(q, theta, grad);
    const gradNorm = maxAbs(grad);
    if (gradNorm <= tol * Math.max(1, scale)) return { theta, method: 'spectral', iterations: 0, passes: 2, cost: f, gradNorm, converged: true };
    const polished = newton(q, theta, { tol, maxIterations: 100 }, scale);
    return { ...polished, passes: polished.passes + 2 };
  });
}
