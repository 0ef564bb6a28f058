/** The sum of squared parameters at initialization: its expectation and spread from the initializer's variance, and its measured value. */
import { paramShapes, type Architecture } from '../models/architecture.js';
import { isPenalized, type ParamKind } from '../models/param-shape.js';
import { weightVariance } from '../params/draw.js';
import type { Initializer } from '../options/names.js';

/** One layer's weights (or biases) at initialization. */
export interface LayerInitMoments {
  /** `W0`, `b0`, `W1`, …, as in {@link paramShapes}. */
  name: string;
  kind: ParamKind;
  layer: number;
  fanIn: number;
  fanOut: number;
  size: number;
  /** Variance of one element under the initializer (0 for zero-initialized biases). */
  variance: number;
  /** E‖θ_l‖² = size · variance (for weights: fan_in · fan_out · Var). */
  expectedSumSq: number;
  /** Standard deviation of ‖θ_l‖² across seeds: √(size · Var(θ²)), Var(θ²) = 2v² (normal) or 0.8·v² (uniform). */
  sdSumSq: number;
}

/** Variance of one bias element: PyTorch's nn.Linear draws biases from U(±1/√fan_in); the others start at 0. */
export function biasVariance(init: Initializer, fanIn: number): number {
  return init === 'pytorch' ? 1 / (3 * fanIn) : 0;
}

/**
 * Var(θ²)/v² for one element of variance v: 2 for a normal (E θ⁴ = 3v²), 4/5 for a uniform on ±a
 * (E θ⁴ = a⁴/5 with a² = 3v).
 */
function fourthMomentExcess(init: Initializer): number {
  return init === 'he' || init === 'lecun' ? 2 : 0.8;
}

/**
 * Per-tensor moments of ‖θ‖² at initialization, in {@link paramShapes} order.
 *
 * He: E‖W_l‖² = fan_in·fan_out·2/fan_in = 2·fan_out, so the expected sum over layers is 2·(number of
 * units) — it grows with the units, not with the parameters. LeCun: fan_out; PyTorch: fan_out/3;
 * Glorot: 2·fan_in·fan_out/(fan_in + fan_out).
 */
export function initMoments(arch: Architecture, init: Initializer): LayerInitMoments[] {
  return paramShapes(arch).map((p) => {
    const variance = p.kind === 'weight' ? weightVariance(init, p.fanIn, p.fanOut) : p.kind === 'bias' ? biasVariance(init, p.fanIn) : 0;
    // Normalization scales start at exactly 1: E‖γ‖² = size, with no spread.
    const mean2 = p.kind === 'scale' ? 1 : 0;
    return {
      name: p.name,
      kind: p.kind,
      layer: p.layer,
      fanIn: p.fanIn,
      fanOut: p.fanOut,
      size: p.size,
      variance,
      expectedSumSq: p.size * (variance + mean2),
      sdSumSq: Math.sqrt(p.size * fourthMomentExcess(init)) * variance,
    };
  });
}

/** E Σθ² and its standard deviation over the penalized tensors (weights; biases too when `penalizeBiases`). */
export function expectedSumSquares(moments: LayerInitMoments[], penalizeBiases = false): { mean: number; sd: number } {
  let mean = 0;
  let variance = 0;
  for (const l of moments) {
    if (!isPenalized(l, penalizeBiases)) continue;
    mean += l.expectedSumSq;
    variance += l.sdSumSq ** 2;
  }
  return { mean, sd: Math.sqrt(variance) };
}

/** Σθ² of each tensor of `params` (in {@link paramShapes} order). */
export function sumSquaresPerTensor(params: Float64Array[]): number[] {
  return params.map((t) => {
    let s = 0;
    for (const v of t) s += v * v;
    return s;
  });
}
