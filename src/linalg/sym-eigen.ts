/** Symmetric eigendecomposition in float64 (Householder tridiagonalization + implicit QL, via ml-matrix). */
import { ShapeError } from '../errors.js';

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Eigenpairs of a symmetric matrix, eigenvalues in descending order. */
export interface SymmetricEigen {
  /** Order of the matrix. */
  n: number;
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors, one per row: `vectors[k * n + i]` is component i of the eigenvector of `values[k]`. */
  vectors: Float64Array;
}

/**
 * Eigendecomposition of the symmetric n×n matrix `a` (row-major; only symmetry is assumed, the
 * matrix is symmetrized as (A + Aᵀ)/2 first so that rounding in its construction does not matter).
 *
 * Uses the EISPACK tred2/tql2 pair (backward stable: eigenvalue errors are about eps·‖A‖).
 *
 * @example
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2); // values = [3, 1]
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new ShapeError(`symmetricEigen: expected ${n}×${n} = ${n * n} entries, got ${a.length}.`);
  if (n === 0) return { n, values: new Float64Array(0), vectors: new Float64Array(0) };
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m.set(i, j, 0.5 * (a[i * n + j] + a[j * n + i]));
  }
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = Array.from({ length: n }, (_, k) => k).sort((p, q) => raw[q] - raw[p]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const src = order[k];
    values[k] = raw[src];
    for (let i = 0; i < n; i++) vectors[k * n + i] = vecs.get(i, src);
  }
  return { n, values, vectors };
}
