/** Typed-array ↔ ORT tensor helpers for the two float precisions the engine builds graphs in. */
import ort from 'onnxruntime-node';
import type { FloatDType } from '../graph/graph.js';

export type FloatArray = Float32Array | Float64Array;

export function floatArray(dtype: FloatDType, n: number | ArrayLike<number>): FloatArray {
  return dtype === 'float32' ? new Float32Array(n as number) : new Float64Array(n as number);
}

/** Wraps a typed array as a tensor without copying it. */
export function tensor(data: FloatArray | BigInt64Array | Int32Array | Uint8Array, dims: readonly number[]): ort.Tensor {
  if (data instanceof Uint8Array) return new ort.Tensor('bool', data, dims);
  return new ort.Tensor(data, dims);
}
