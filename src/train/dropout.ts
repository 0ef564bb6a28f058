/** Dropout's keep masks: one seeded generator per member, and the 0/1 masks of each unrolled step. */
import { floatArray, type FloatArray } from '../engine/tensor.js';
import type { FloatDType } from '../graph/graph.js';
import type { Architecture } from '../models/architecture.js';
import { Rng } from '../util/rng.js';
import type { MemberSpec } from './train-types.js';

/** Each member's generator: its own dropoutSeed, else seed + 2 + its index. */
export function dropoutRngs(members: MemberSpec[], seed: number): Rng[] {
  return members.map((m, k) => new Rng(m.dropoutSeed ?? seed + 2 + k));
}

/** Per unrolled step, per hidden layer: a [K·B·width] mask buffer where that layer drops, else undefined. */
export function keepBuffers(arch: Architecture, dtype: FloatDType, K: number, B: number, unroll: number): (FloatArray | undefined)[][] {
  return Array.from({ length: unroll }, () => arch.dropout.map((p, l) => (p > 0 ? floatArray(dtype, K * B * arch.widths[l + 1]) : undefined)));
}

/** Draws one step's masks: 1 (keep) with probability 1 − p, member by member from its own generator. */
export function drawKeepMasks(buffers: (FloatArray | undefined)[], arch: Architecture, rngs: Rng[]): void {
  const K = rngs.length;
  buffers.forEach((buf, l) => {
    if (!buf) return;
    const p = arch.dropout[l];
    const per = buf.length / K;
    for (let k = 0; k < K; k++) for (let i = k * per; i < (k + 1) * per; i++) buf[i] = rngs[k].uniform() >= p ? 1 : 0;
  });
}
