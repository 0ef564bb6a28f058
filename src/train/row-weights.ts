/** Members that learn from part of the rows (k-fold): a 0/1 weight per row and member, copied into each minibatch. */
import { floatArray, type FloatArray } from '../engine/tensor.js';
import type { FloatDType } from '../graph/graph.js';
import type { MemberSpec } from './train-types.js';

/** Per-member sample weights over all n rows: 1 where the member trains on that row. */
export function rowWeights(members: MemberSpec[], n: number): Uint8Array[] {
  return members.map((m) => {
    const w = new Uint8Array(n);
    if (m.trainRows) for (const r of m.trainRows) w[r] = 1;
    else w.fill(1);
    return w;
  });
}

/** One [K·B] weight buffer per unrolled step. */
export function weightBuffers(dtype: FloatDType, K: number, B: number, unroll: number): FloatArray[] {
  return Array.from({ length: unroll }, () => floatArray(dtype, K * B));
}

/** The weights of the minibatch order[start … start + B). */
export function fillBatchWeights(buf: FloatArray, weights: Uint8Array[], order: ArrayLike<number>, start: number, B: number): void {
  for (let k = 0; k < weights.length; k++) for (let i = 0; i < B; i++) buf[k * B + i] = weights[k][order[start + i]];
}
