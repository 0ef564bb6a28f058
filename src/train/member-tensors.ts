/** Members' parameters (float64, paramShapes order) as the tensors a graph takes: one model's shapes, or a population's K-leading ones. */
import { floatArray, tensor } from '../engine/tensor.js';
import type { ort } from '../engine/session.js';
import type { FloatDType } from '../graph/graph.js';
import { paramShapes, type Architecture } from '../models/architecture.js';
import { paramDims } from '../models/param-shape.js';

/** `members[k][i]`: member k's parameter i. `population` K stacks them (one member: undefined, rank as the model's). */
export function memberTensors(arch: Architecture, dtype: FloatDType, members: Float64Array[][], population: number | undefined): ort.Tensor[] {
  return paramShapes(arch).map((p, i) => {
    const data = floatArray(dtype, p.size * members.length);
    members.forEach((m, k) => data.set(m[i], k * p.size));
    return tensor(data, paramDims(p, population));
  });
}
