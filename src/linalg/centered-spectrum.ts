/** One spectral decomposition of the centered design (XcᵀXc or XcXcᵀ) that closed-form ridge tuning reuses for every λ. */

import { columnMeans } from './design.js';
import { symmetricEigen } from './sym-eigen.js';

/**
 * The thin SVD Xc = U·diag(√μ)·Vᵀ of the (optionally) centered design, obtained from the
 * eigendecomposition of the smaller Gram matrix, plus the projections of the centered targets.
 *
 * Centering X and y and then fitting without intercept is exactly ridge with an unpenalized
 * intercept (scikit-learn's `_preprocess_data`): the intercept absorbs every column mean.
 */
export interface CenteredSpectrum {
  n: number;
  d: number;
  fitIntercept: boolean;
  /** Column means removed from X (zeros without intercept). */
  xMean: Float64Array;
  /** Mean removed from y (0 without intercept). */
  yMean: number;
  /** Centered targets yc = y − ȳ. */
  yc: Float64Array;
  /** Number of kept (numerically non-zero) eigenvalues r ≤ min(n, d). */
  rank: number;
  /** Non-zero eigenvalues μₖ of XcᵀXc (= squared singular values of Xc), largest first, length r. */
  eigenvalues: Float64Array;
  /** Left singular vectors, component-major: `u[k * n + i]`. */
  u: Float64Array;
  /** Right singular vectors, component-major: `v[k * d + j]`. */
  v: Float64Array;
  /** uₖᵀ·yc, length r. */
  uty: Float64Array;
  /** ‖yc − U·Uᵀ·yc‖²: the part of y outside the column space of Xc, computed explicitly (no cancellation). */
  residualNorm2: number;
  /** 'covariance' = eigendecomposition of the d×d matrix XcᵀXc (d ≤ n); 'gram' = of the n×n matrix XcXcᵀ (n < d). */
  method: 'covariance' | 'gram';
  /** Wall time of centering + Gram + eigendecomposition, in milliseconds. */
  decompositionMs: number;
}

/**
 * Decomposes the (centered) design once: eigendecomposition of XcᵀXc when d ≤ n, of XcXcᵀ when
 * n < d (scikit-learn `_RidgeGCV`'s 'svd'/'eigen' modes). Eigenvalues below
 * μ_max·max(n, d)·ε (ε = 2⁻⁵²) are treated as zero and their directions dropped: they are
 * rounding noise of a rank-deficient Xc (e.g. the constant direction after centering when n < d).
 */
export function centeredSpectrum(x: Float64Array, y: Float64Array, n: number, d: number, fitIntercept: boolean): CenteredSpectrum {
  const t0 = performance.now();
  const xMean = fitIntercept ? columnMeans(x, n, d) : new Float64Array(d);
  let yMean = 0;
  if (fitIntercept) {
    for (let i = 0; i < n; i++) yMean += y[i];
    yMean /= n;
  }
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) xc[i * d + j] = x[i * d + j] - xMean[j];
  }
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = y[i] - yMean;

  const method = d <= n ? 'covariance' : 'gram';
  const m = method === 'covariance' ? d : n;
  const gram = centeredGram(xc, n, d, method);

  const eig = symmetricEigen(gram, m);
  const muMax = Math.max(eig.values[0] ?? 0, 0);
  const cutoff = muMax * Math.max(n, d) * 2 ** -52;
  let rank = 0;
  while (rank < m && eig.values[rank] > cutoff) rank++;

  const eigenvalues = eig.values.slice(0, rank);
  const u = new Float64Array(rank * n);
  const v = new Float64Array(rank * d);
  for (let k = 0; k < rank; k++) {
    const s = Math.sqrt(eigenvalues[k]);
    if (method === 'covariance') {
      for (let j = 0; j < d; j++) v[k * d + j] = eig.vectors[k * d + j];
      // uₖ = Xc·vₖ / sₖ
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += xc[i * d + j] * v[k * d + j];
        u[k * n + i] = t / s;
      }
    } else {
      for (let i = 0; i < n; i++) u[k * n + i] = eig.vectors[k * n + i];
      // vₖ = Xcᵀ·uₖ / sₖ
      for (let i = 0; i < n; i++) {
        const ui = u[k * n + i] / s;
        if (ui === 0) continue;
        for (let j = 0; j < d; j++) v[k * d + j] += xc[i * d + j] * ui;
      }
    }
  }
  const uty = new Float64Array(rank);
  for (let k = 0; k < rank; k++) {
    let t = 0;
    for (let i = 0; i < n; i++) t += u[k * n + i] * yc[i];
    uty[k] = t;
  }
  let residualNorm2 = 0;
  for (let i = 0; i < n; i++) {
    let p = yc[i];
    for (let k = 0; k < rank; k++) p -= u[k * n + i] * uty[k];
    residualNorm2 += p * p;
  }
  return {
    n, d, fitIntercept, xMean, yMean, yc, rank, eigenvalues, u, v, uty, residualNorm2, method,
    decompositionMs: performance.now() - t0,
  };
}

/** XcᵀXc (d×d, 'covariance') or XcXcᵀ (n×n, 'gram') of the row-major n×d Xc, full and symmetric. */
function centeredGram(xc: Float64Array, n: number, d: number, method: 'covariance' | 'gram'): Float64Array {
  const m = method === 'covariance' ? d : n;
  const gram = new Float64Array(m * m);
  if (method === 'covariance') {
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let a = 0; a < d; a++) {
        const xa = xc[row + a];
        if (xa === 0) continue;
        const ga = a * d;
        for (let b = a; b < d; b++) gram[ga + b] += xa * xc[row + b];
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let k = i; k < n; k++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += xc[i * d + j] * xc[k * d + j];
        gram[i * n + k] = s;
      }
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) gram[a * m + b] = gram[b * m + a];
  return gram;
}
