/** Closed-form ridge path: exact leave-one-out and GCV errors for every λ from one decomposition (scikit-learn's _RidgeGCV). */

import { invalidNumber, InvalidOptionError } from '../../errors.js';
import { centeredSpectrum, type CenteredSpectrum } from '../../linalg/centered-spectrum.js';
import { checkDesign, checkTargets } from '../../linalg/design.js';
import { logSpace } from '../../linalg/log-space.js';

export { logSpace } from '../../linalg/log-space.js';

/** Options of {@link ridgePath}. */
export interface RidgePathOptions {
  /**
   * Fit an unpenalized intercept (default `true`). X and y are centered first, exactly as
   * scikit-learn's `RidgeCV(fit_intercept=True)` does, so the leave-one-out errors match its
   * `cv_values_`: each left-out fit re-estimates the intercept.
   */
  fitIntercept?: boolean;
}

/** The best λ of a criterion, by index into the path. */
export interface RidgeChoice {
  index: number;
  lambda: number;
  /** The criterion's value at that λ (LOO MSE or GCV score). */
  score: number;
}

/** Everything {@link ridgePath} computes, one entry per λ (in the order given). */
export interface RidgePathResult {
  n: number;
  d: number;
  fitIntercept: boolean;
  /** The λ values (seed convention = scikit-learn Ridge `alpha`). */
  lambdas: number[];
  /** Exact leave-one-out mean squared error (1/n)·Σᵢ (yᵢ − ŷ₋ᵢ)² per λ (= mean of RidgeCV's `cv_values_`). */
  looMse: Float64Array;
  /** Generalized cross-validation score (1/n)‖y − ŷ‖² / (1 − tr(A)/n)² per λ (Golub, Heath & Wahba 1979). */
  gcv: Float64Array;
  /** Training mean squared error (1/n)‖y − ŷ‖² per λ. */
  trainMse: Float64Array;
  /** Effective degrees of freedom of the weights, Σₖ μₖ/(μₖ + λ) (the intercept, when fitted, adds 1 to tr A). */
  df: Float64Array;
  /** Coefficients per λ, each of length d, in the caller's feature units. */
  coef: Float64Array[];
  /** Intercept per λ (0 when `fitIntercept` is false). */
  intercept: Float64Array;
  /** Smallest LOO MSE (first one on ties, as scikit-learn). */
  bestLoo: RidgeChoice;
  /** Smallest GCV score (first one on ties). */
  bestGcv: RidgeChoice;
  /** Non-zero eigenvalues μₖ of XcᵀXc, largest first (their count is the rank of Xc). */
  eigenvalues: Float64Array;
  /** Which Gram matrix was decomposed: d×d 'covariance' XcᵀXc (d ≤ n) or n×n 'gram' XcXcᵀ (n < d). */
  method: 'covariance' | 'gram';
  /** Wall times in milliseconds: the one decomposition, the evaluation of all λ, and the whole call. */
  timing: { decompositionMs: number; pathMs: number; totalMs: number };
}

/**
 * The default ridge grid for a spectrum: 100 log-spaced λ from 1e-3·max(μ_min, 1e-10·μ_max) to
 * 1e2·μ_max, where μ are the non-zero eigenvalues of XcᵀXc. It spans the full range of effective
 * degrees of freedom (from ≈ rank down to ≈ 0) whatever the units of the features.
 */
export function defaultRidgeLambdas(eigenvalues: Float64Array, count = 100): number[] {
  const muMax = eigenvalues.length > 0 ? eigenvalues[0] : 1;
  const muMin = eigenvalues.length > 0 ? eigenvalues[eigenvalues.length - 1] : 1;
  return logSpace(1e-3 * Math.max(muMin, 1e-10 * muMax), 1e2 * muMax, count);
}

function checkLambdas(lambdas: readonly number[], owner: string): number[] {
  if (!Array.isArray(lambdas) || lambdas.length === 0) {
    throw new InvalidOptionError(`The 'lambdas' option of ${owner} must be a non-empty array of numbers in (0, ∞). Got ${String(lambdas)} instead.`);
  }
  for (const l of lambdas) {
    if (!(typeof l === 'number' && Number.isFinite(l) && l > 0)) throw invalidNumber('lambdas', owner, '(0, ∞)', l);
  }
  return [...lambdas];
}

/**
 * Ridge regression for every λ of a path, with exact leave-one-out (LOO) and generalized
 * cross-validation (GCV) errors, from ONE eigendecomposition.
 *
 * Objective, for each λ (intercept b not penalized):
 *
 *     minimize over w, b:  ‖y − X·w − b‖² + λ·‖w‖²
 *
 * Mapping of the constant: this is l2lab's seed cost (1/m)·Σ ½(yᵢ − ŷᵢ)² + (λ/2m)·Σ wⱼ²
 * multiplied by 2m, so λ here = λ_seed = scikit-learn `Ridge(alpha=λ)` = `RidgeCV(alphas=[…λ…])`.
 * (Keras `l2(c)` with loss `'mse'` = mean (y − ŷ)², no ½: c = λ/m; PyTorch coupled `weight_decay`
 * on a mean ½(y − ŷ)² loss: λ/m, on `MSELoss()` (no ½): 2λ/m.)
 *
 * Method (scikit-learn `_RidgeGCV`): center X and y (the intercept absorbs the means), decompose
 * XcᵀXc = V·diag(μ)·Vᵀ (d ≤ n) or XcXcᵀ = U·diag(μ)·Uᵀ (n < d) once, giving the thin SVD
 * Xc = U·diag(√μ)·Vᵀ. For each λ the hat matrix is A = 11ᵀ/n + U·diag(μ/(μ+λ))·Uᵀ, and
 *
 *   - LOO residual (the hat-matrix identity): yᵢ − ŷ₋ᵢ = (yᵢ − ŷᵢ) / (1 − Aᵢᵢ)
 *   - GCV(λ) = (1/n)·‖(I − A)y‖² / ((1/n)·tr(I − A))²
 *
 * (Golub, Heath & Wahba, "Generalized cross-validation as a method for choosing a good ridge
 * parameter", Technometrics 21(2), 1979.) Each λ then costs O(n·r) with r = rank(Xc).
 *
 * @param x Features, row-major n×d (n = y.length); float32 input is widened to float64.
 * @param y Targets, length n.
 * @param lambdas The λ values, each in (0, ∞). Default: {@link defaultRidgeLambdas} (100 log-spaced).
 * @param options See {@link RidgePathOptions}.
 *
 * @example
 * const path = ridgePath(x, y, logSpace(1e-3, 1e3, 61));
 * path.bestLoo.lambda; // λ with the smallest exact LOO MSE (= RidgeCV(alphas).alpha_)
 */
export function ridgePath(
  x: Float64Array | Float32Array,
  y: ArrayLike<number>,
  lambdas?: readonly number[] | null,
  options: RidgePathOptions = {},
): RidgePathResult {
  const t0 = performance.now();
  const owner = 'ridgePath';
  const fitIntercept = options.fitIntercept ?? true;
  if (typeof fitIntercept !== 'boolean') {
    throw new InvalidOptionError(`The 'fitIntercept' option of ${owner} must be a boolean. Got ${String(fitIntercept)} instead.`);
  }
  const y64 = checkTargets(y, owner);
  const { n, d, x: x64 } = checkDesign(x, y64.length, owner, fitIntercept ? 3 : 2);
  const given = lambdas == null ? null : checkLambdas(lambdas, owner);

  const sp = centeredSpectrum(x64, y64, n, d, fitIntercept);
  const grid = given ?? defaultRidgeLambdas(sp.eigenvalues);
  const t1 = performance.now();
  const out = evaluatePath(sp, grid);
  const t2 = performance.now();
  return { ...out, timing: { decompositionMs: sp.decompositionMs, pathMs: t2 - t1, totalMs: t2 - t0 } };
}

/** Evaluates every λ of the path on a decomposed design (exported for reuse by other closed-form tuners). */
export function evaluatePath(sp: CenteredSpectrum, lambdas: readonly number[]): Omit<RidgePathResult, 'timing'> {
  const { n, d, rank: r, eigenvalues: mu, u, v, uty, yc, fitIntercept } = sp;
  const L = lambdas.length;
  const looMse = new Float64Array(L);
  const gcv = new Float64Array(L);
  const trainMse = new Float64Array(L);
  const df = new Float64Array(L);
  const coef: Float64Array[] = [];
  const intercept = new Float64Array(L);

  // Squared left singular vectors, reused by every λ for the hat-matrix diagonal.
  const u2 = new Float64Array(r * n);
  for (let t = 0; t < r * n; t++) u2[t] = u[t] * u[t];
  const f = new Float64Array(r);
  const fu = new Float64Array(r);
  const hat = new Float64Array(n);
  const fit = new Float64Array(n);
  const base = fitIntercept ? 1 / n : 0;

  for (let l = 0; l < L; l++) {
    const lam = lambdas[l];
    let dof = 0;
    for (let k = 0; k < r; k++) {
      f[k] = mu[k] / (mu[k] + lam);
      fu[k] = f[k] * uty[k];
      dof += f[k];
    }
    hat.fill(base);
    fit.fill(0);
    for (let k = 0; k < r; k++) {
      const fk = f[k];
      const ck = fu[k];
      const off = k * n;
      for (let i = 0; i < n; i++) {
        hat[i] += fk * u2[off + i];
        fit[i] += ck * u[off + i];
      }
    }
    let sse = 0;
    let loo = 0;
    for (let i = 0; i < n; i++) {
      const e = yc[i] - fit[i];
      sse += e * e;
      const el = e / (1 - hat[i]);
      loo += el * el;
    }
    const trA = dof + (fitIntercept ? 1 : 0);
    const denom = 1 - trA / n;
    looMse[l] = loo / n;
    trainMse[l] = sse / n;
    gcv[l] = sse / n / (denom * denom);
    df[l] = dof;

    // w = V·diag(√μ/(μ+λ))·Uᵀyc
    const w = new Float64Array(d);
    for (let k = 0; k < r; k++) {
      const c = (Math.sqrt(mu[k]) / (mu[k] + lam)) * uty[k];
      const off = k * d;
      for (let j = 0; j < d; j++) w[j] += c * v[off + j];
    }
    coef.push(w);
    let b = sp.yMean;
    for (let j = 0; j < d; j++) b -= sp.xMean[j] * w[j];
    intercept[l] = fitIntercept ? b : 0;
  }

  const pick = (score: Float64Array): RidgeChoice => {
    let best = 0;
    for (let l = 1; l < L; l++) if (score[l] < score[best]) best = l;
    return { index: best, lambda: lambdas[best], score: score[best] };
  };
  return {
    n, d, fitIntercept, lambdas: [...lambdas], looMse, gcv, trainMse, df, coef, intercept,
    bestLoo: pick(looMse), bestGcv: pick(gcv), eigenvalues: sp.eigenvalues, method: sp.method,
  };
}
