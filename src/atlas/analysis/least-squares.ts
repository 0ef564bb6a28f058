/** Ordinary least squares by modified Gram–Schmidt, naming the columns the data cannot identify instead of failing on them. */
import { ShapeError } from '../../errors.js';

export interface LeastSquaresFit {
  /** One per column; 0 for a column left out as not identifiable. */
  coefficients: number[];
  /** Columns that are (numerically) linear combinations of earlier ones in these rows, e.g. log m when every row has the same m. */
  dropped: number[];
  /** Residuals y − Xβ. */
  residuals: number[];
}

/**
 * Minimizes ‖y − Xβ‖² over β. A column whose part orthogonal to the earlier columns is below
 * `tol` × its norm is dropped (its coefficient set to 0), so a design that cannot identify a slope —
 * every training row with the same m — still fits the rest and says which slope it could not see.
 *
 * @example leastSquares([[1, 0], [1, 1], [1, 2]], [1, 3, 5]).coefficients // [1, 2]
 */
export function leastSquares(x: number[][], y: number[], tol = 1e-9): LeastSquaresFit {
  const n = y.length;
  const p = x[0]?.length ?? 0;
  if (x.length !== n) throw new ShapeError(`leastSquares: ${x.length} rows of X but ${n} values of y.`);
  const q: number[][] = []; // orthonormal columns kept
  const kept: number[] = [];
  const dropped: number[] = [];
  const r: number[][] = []; // r[k][j]: coefficient of kept column k in original column j
  for (let j = 0; j < p; j++) {
    const v = x.map((row) => row[j]);
    const norm0 = Math.hypot(...v);
    const proj: number[] = [];
    for (let k = 0; k < q.length; k++) {
      const dot = q[k].reduce((s, qi, i) => s + qi * v[i], 0);
      proj.push(dot);
      for (let i = 0; i < n; i++) v[i] -= dot * q[k][i];
    }
    const norm = Math.hypot(...v);
    if (norm0 === 0 || norm <= tol * norm0 || q.length >= n) {
      dropped.push(j);
      continue;
    }
    q.push(v.map((vi) => vi / norm));
    r.push(new Array(p).fill(0));
    proj.forEach((d, k) => (r[k][j] = d));
    r[q.length - 1][j] = norm;
    kept.push(j);
  }
  // Solve R β_kept = Qᵀ y by back substitution over the kept columns.
  const qty = q.map((qk) => qk.reduce((s, qi, i) => s + qi * y[i], 0));
  const beta = new Array<number>(p).fill(0);
  for (let k = kept.length - 1; k >= 0; k--) {
    let s = qty[k];
    for (let l = k + 1; l < kept.length; l++) s -= r[k][kept[l]] * beta[kept[l]];
    beta[kept[k]] = s / r[k][kept[k]];
  }
  const residuals = y.map((yi, i) => yi - x[i].reduce((s, xij, j) => s + xij * beta[j], 0));
  return { coefficients: beta, dropped, residuals };
}
