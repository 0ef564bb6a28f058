/** Selecting rows of a dataset by index. */
import type { TrainingRows } from './dataset.js';

/** New rows holding rows `indices` of `data` (a dataset or training rows), in that order (x and y are copies). */
export function subset<T extends TrainingRows>(data: T, indices: ArrayLike<number>): T {
  const { d } = data;
  const n = indices.length;
  const x = new Float32Array(n * d);
  // Targets keep their type: float regression targets, integer class labels.
  const y = data.y instanceof Float32Array ? new Float32Array(n) : new Int32Array(n);
  for (let k = 0; k < n; k++) {
    x.set(data.x.subarray(indices[k] * d, indices[k] * d + d), k * d);
    y[k] = data.y[indices[k]];
  }
  return { ...data, n, x, y };
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
