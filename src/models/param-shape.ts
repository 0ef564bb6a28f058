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
}

/** Whether the L2 penalty applies to a parameter: weights always; biases, scales and shifts with `penalizeBiases`. */
export function isPenalized(p: { kind: ParamKind }, penalizeBiases: boolean): boolean {
  return p.kind === 'weight' || (p.kind !== 'running' && penalizeBiases);
}
