/** Selecting rows of a dataset by index. */
import type { Dataset } from './dataset.js';

/** A new dataset holding rows `indices` of `data`, in that order (x and y are copies). */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const { d } = data;
  const x = new Float32Array(indices.length * d);
  for (let k = 0; k < indices.length; k++) x.set(data.x.subarray(indices[k] * d, indices[k] * d + d), k * d);
  const n = indices.length;
  return data.task === 'regression'
    ? { ...data, n, x, y: Float32Array.from({ length: n }, (_, k) => data.y[indices[k]]) }
    : { ...data, n, x, y: Int32Array.from({ length: n }, (_, k) => data.y[indices[k]]) };
}

/** The indices in [0, n) that are not in `indices`, ascending: a fold's training rows. */
export function complement(indices: ArrayLike<number>, n: number): Int32Array {
  const taken = new Uint8Array(n);
  for (let k = 0; k < indices.length; k++) taken[indices[k]] = 1;
  const out = new Int32Array(n - taken.reduce((a, b) => a + b, 0));
  let j = 0;
  for (let i = 0; i < n; i++) if (!taken[i]) out[j++] = i;
  return out;
}
