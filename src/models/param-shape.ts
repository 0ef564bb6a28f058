/** One parameter tensor's shape and kind, and which kinds the L2 penalty applies to. */

/**
 * weight: penalized by λ; bias: not by default; scale, shift: a normalization layer's learnable
 * affine (not penalized by default, like biases); running: BatchNorm's running mean or variance,
 * updated by the training step, never by a gradient.
 */
export type ParamKind = 'weight' | 'bias' | 'scale' | 'shift' | 'running';

export interface ParamShape {
  name: string;
  kind: ParamKind;
  layer: number;
  fanIn: number;
  fanOut: number;
  /** Elements of one member's tensor. */
  size: number;
  /** An imported graph's tensor shape, in its own layout (absent: [fanIn, fanOut] for weights, [fanOut] otherwise). */
  dims?: readonly number[];
}

/**
 * A parameter's tensor shape in a step or evaluation graph: one model's ([fanIn, fanOut] for a
 * weight, [fanOut] otherwise, or an imported graph's own dims), or a population's ([K, …], with
 * vectors as [K, 1, fanOut] so they broadcast over the batch).
 */
export function paramDims(p: ParamShape, population?: number): number[] {
  if (p.dims) return population === undefined ? [...p.dims] : [population, ...p.dims];
  if (p.kind === 'weight') return population === undefined ? [p.fanIn, p.fanOut] : [population, p.fanIn, p.fanOut];
  return population === undefined ? [p.fanOut] : [population, 1, p.fanOut];
}

/** Whether the L2 penalty applies to a parameter: weights always; biases, scales and shifts with `penalizeBiases`. */
export function isPenalized(p: { kind: ParamKind }, penalizeBiases: boolean): boolean {
  return p.kind === 'weight' || (p.kind !== 'running' && penalizeBiases);
}
