/** Fills minibatch buffers from a dataset by row indices: one preallocated buffer per unrolled step. */
import { floatArray, type FloatArray } from '../engine/tensor.js';
import type { FloatDType } from '../graph/graph.js';
import type { LossKind } from '../models/architecture.js';
import type { TrainingRows } from '../data/index.js';

export class BatchFiller {
  readonly x: FloatArray[];
  readonly y: (BigInt64Array | FloatArray)[];

  constructor(
    private readonly rows: TrainingRows,
    private readonly batch: number,
    unroll: number,
    dtype: FloatDType,
    loss: LossKind,
  ) {
    this.x = Array.from({ length: unroll }, () => floatArray(dtype, batch * rows.d));
    this.y = Array.from({ length: unroll }, () => (loss === 'softmax_ce' ? new BigInt64Array(batch) : floatArray(dtype, batch)));
  }

  /** Copies rows order[start + i] into step u's buffers. */
  fill(u: number, order: Int32Array, start: number): void {
    const { d, x, y } = this.rows;
    const xb = this.x[u];
    const yb = this.y[u];
    for (let i = 0; i < this.batch; i++) {
      const r = order[start + i];
      xb.set(x.subarray(r * d, (r + 1) * d), i * d);
      if (yb instanceof BigInt64Array) yb[i] = BigInt(y[r]);
      else yb[i] = y[r];
    }
  }
}
