/** Checks and float64 copies of a row-major design matrix and its targets, shared by the closed-form tuners. */

import { InvalidDataError, ShapeError } from '../errors.js';

/** A validated design matrix: row-major n×d float64 copy of the caller's features. */
export interface Design {
  n: number;
  d: number;
  x: Float64Array;
}

/**
 * Infers d from `x.length / n` (n = number of targets), copies x to float64 and rejects
 * non-finite entries. `owner` names the calling function in error messages.
 */
export function checkDesign(x: Float64Array | Float32Array, n: number, owner: string, minSamples = 2): Design {
  if (n < minSamples) {
    throw new InvalidDataError(`${owner} needs at least ${minSamples} samples. Got ${n} targets.`);
  }
  if (x.length === 0 || x.length % n !== 0) {
    throw new ShapeError(
      `${owner}: x must be row-major n×d with n = ${n} (the number of targets); got x.length = ${x.length}, which is not a positive multiple of ${n}.`,
    );
  }
  const d = x.length / n;
  const x64 = Float64Array.from(x);
  for (let i = 0; i < x64.length; i++) {
    if (!Number.isFinite(x64[i])) {
      const row = Math.floor(i / d);
      throw new InvalidDataError(`${owner}: x[${row}, ${i - row * d}] is ${x64[i]}; every feature must be a finite number (impute or drop the row).`);
    }
  }
  return { n, d, x: x64 };
}

/** Float64 copy of the regression targets, rejecting non-finite values. */
export function checkTargets(y: ArrayLike<number>, owner: string): Float64Array {
  const y64 = Float64Array.from(y);
  for (let i = 0; i < y64.length; i++) {
    if (!Number.isFinite(y64[i])) throw new InvalidDataError(`${owner}: y[${i}] is ${y64[i]}; every target must be a finite number.`);
  }
  return y64;
}

/** Column means of the row-major n×d matrix x. */
export function columnMeans(x: Float64Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j] += x[row + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  return mean;
}
