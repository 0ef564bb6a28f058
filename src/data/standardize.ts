/** Z-score standardization fitted on training rows only, with the statistics returned for saving with a model. */
import { InvalidDataError } from '../errors.js';
import type { Dataset } from './dataset.js';
import type { SplitIndices } from './split.js';
import { subset } from './subset.js';

/** Per-feature statistics: x' = (x − mean) / std. Plain arrays, so it saves as JSON. */
export interface Standardizer {
  mean: number[];
  /** Population standard deviation (divisor n), or 1 for a feature constant on the fitted rows, which is then only centred. */
  std: number[];
}

/**
 * Fits means and standard deviations on `rows` (default: every row). Pass the training rows only,
 * so that validation and test data do not leak into the scaling.
 * @example const s = fitStandardizer(data, split.train);
 */
export function fitStandardizer(data: Dataset, rows: ArrayLike<number> = Int32Array.from({ length: data.n }, (_, i) => i)): Standardizer {
  const { d, x } = data;
  const m = rows.length;
  if (m === 0) {
    throw new InvalidDataError(`fitStandardizer: no rows to fit on (${data.name}). Pass the training split's row indices.`);
  }
  const sum = new Float64Array(d);
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let k = 0; k < m; k++) {
    const o = rows[k] * d;
    for (let j = 0; j < d; j++) {
      const v = x[o + j];
      sum[j] += v;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  const mean = Array.from(sum, (s) => s / m);
  // Two passes: summing squares about the mean keeps precision for features with a large offset.
  const squares = new Float64Array(d);
  for (let k = 0; k < m; k++) {
    const o = rows[k] * d;
    for (let j = 0; j < d; j++) squares[j] += (x[o + j] - mean[j]) ** 2;
  }
  const std = Array.from(squares, (s, j) => (min[j] === max[j] ? 1 : Math.sqrt(s / m)));
  return { mean, std };
}

/** A copy of `data` with every row standardized by `s` (fitted on this or another dataset with the same features). */
export function standardize(data: Dataset, s: Standardizer): Dataset {
  const { d, n } = data;
  if (s.mean.length !== d) {
    throw new InvalidDataError(`standardize: the standardizer was fitted on ${s.mean.length} features but ${data.name} has ${d}. Fit it on data with the same columns.`);
  }
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = (data.x[i * d + j] - s.mean[j]) / s.std[j];
  }
  return { ...data, x };
}

/**
 * The three splits as datasets, standardized with statistics fitted on the training split alone.
 * @example const { train, validation, test, standardizer } = standardizeSplits(data, splitIndices(data));
 */
export function standardizeSplits(
  data: Dataset,
  split: SplitIndices,
): { train: Dataset; validation: Dataset; test: Dataset; standardizer: Standardizer } {
  const standardizer = fitStandardizer(data, split.train);
  const part = (rows: Int32Array): Dataset => standardize(subset(data, rows), standardizer);
  return { train: part(split.train), validation: part(split.validation), test: part(split.test), standardizer };
}
