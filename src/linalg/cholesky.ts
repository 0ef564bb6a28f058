/** Dense Cholesky factorization, solves and log-determinants of symmetric positive-definite matrices in float64. */

/**
 * Lower Cholesky factor L of the symmetric positive-definite n×n matrix `a` (row-major), A = L·Lᵀ.
 * Returns `null` when A is not numerically positive definite (a pivot ≤ 0), so the caller can
 * regularize or fall back instead of catching.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    const rowJ = j * n;
    for (let k = 0; k < j; k++) s -= l[rowJ + k] * l[rowJ + k];
    if (!(s > 0)) return null;
    const ljj = Math.sqrt(s);
    l[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let t = a[rowI + j];
      for (let k = 0; k < j; k++) t -= l[rowI + k] * l[rowJ + k];
      l[rowI + j] = t / ljj;
    }
  }
  return l;
}

/** Solves (L·Lᵀ)·x = b for x, given the factor from {@link cholesky}. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** log det(A) = 2·Σ log Lᵢᵢ from the Cholesky factor of A. */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/** Inverse of A from its Cholesky factor (n solves; for the small bias blocks of a Hessian). */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = choleskySolve(l, n, e);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  return inv;
}
