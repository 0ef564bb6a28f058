/**
 * Normalization layers composed from differentiable primitives (their gradients follow): BatchNorm
 * in training and evaluation form, and LayerNorm. Channels are axis 1 ([N, C], [N, C, L],
 * [N, C, H, W]: PyTorch's and ONNX's layout), where the affine scale and shift act.
 */
import { ShapeError } from '../errors.js';
import { formatShape, type Value } from './graph.js';
import { add, mul, reduceMean, reshape, square, sub, div } from './ops.js';

/** PyTorch's defaults: ε = 1e-5, running averages updated with momentum 0.1. */
export const NORM_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** 1/√x, one node; d/dx = −½·y/x. */
function rsqrt(x: Value): Value {
  const g = x.graph;
  const root = g.node('Sqrt', [x], [{ dtype: x.dtype, shape: x.shape }])[0];
  const y = g.node('Reciprocal', [root], [{ dtype: x.dtype, shape: x.shape }])[0];
  g.record([x], [y], ([gy]) => [mul(gy!, mul(div(y, x), g.scalar(-0.5, x.dtype)))]);
  return y;
}

function checkAffine(op: string, x: Value, scale: Value, shift: Value): void {
  const c = x.shape[1];
  if (x.shape.length < 2 || scale.shape.length !== 1 || shift.shape.length !== 1 || scale.shape[0] !== c || shift.shape[0] !== c) {
    throw new ShapeError(`${op}(${x.name}: ${formatShape(x.shape)}) needs channels on axis 1 and scale and shift of shape [${c}], got ${formatShape(scale.shape)} and ${formatShape(shift.shape)}.`);
  }
}

/** A per-channel [C] vector shaped to broadcast along axis 1 of x ([C, 1, 1] for images). */
function perChannel(v: Value, x: Value): Value {
  return x.shape.length === 2 ? v : reshape(v, [v.shape[0] as number, ...new Array<number>(x.shape.length - 2).fill(1)]);
}

/** Axes other than the channel axis 1: what BatchNorm averages over. */
function nonChannelAxes(x: Value): number[] {
  return [...x.shape.keys()].filter((a) => a !== 1);
}

/** Elements per channel (N·H·W for images): the count behind the unbiased running variance. */
export function perChannelCount(x: Value): number {
  return nonChannelAxes(x).reduce<number>((a, i) => a * (x.shape[i] as number), 1);
}

/** (x − mean)/√(var + ε) over `axes` (biased variance), with the statistics (keepdims). */
function standardize(x: Value, axes: number[], eps: number): { xhat: Value; mean: Value; variance: Value } {
  const mean = reduceMean(x, axes, true);
  const centered = sub(x, mean);
  const variance = reduceMean(square(centered), axes, true);
  return { xhat: mul(centered, rsqrt(add(variance, x.graph.scalar(eps, x.dtype)))), mean, variance };
}

export interface BatchNormTraining {
  y: Value;
  /** The batch's per-channel mean [C] and biased variance [C] (for the running averages). */
  mean: Value;
  variance: Value;
}

/**
 * BatchNorm in training mode (Ioffe & Szegedy 2015): normalizes each channel (axis 1) with the
 * batch's statistics over every other axis, then y = scale·x̂ + shift. The batch must be static.
 */
export function batchNormTrain(x: Value, scale: Value, shift: Value, eps = NORM_EPS): BatchNormTraining {
  checkAffine('BatchNorm', x, scale, shift);
  const { xhat, mean, variance } = standardize(x, nonChannelAxes(x), eps);
  const c = x.shape[1];
  const flat = (v: Value) => x.graph.node('Reshape', [v, x.graph.ints([-1])], [{ dtype: x.dtype, shape: [c] }])[0];
  return { y: add(mul(xhat, perChannel(scale, x)), perChannel(shift, x)), mean: flat(mean), variance: flat(variance) };
}

/** BatchNorm in evaluation mode: the running mean and variance [C] stand in for the batch's. */
export function batchNormEval(x: Value, scale: Value, shift: Value, runningMean: Value, runningVar: Value, eps = NORM_EPS): Value {
  checkAffine('BatchNorm', x, scale, shift);
  const sd = x.graph.node('Sqrt', [add(runningVar, x.graph.scalar(eps, x.dtype))], [{ dtype: x.dtype, shape: runningVar.shape }])[0];
  return add(mul(div(sub(x, perChannel(runningMean, x)), perChannel(sd, x)), perChannel(scale, x)), perChannel(shift, x));
}

/**
 * PyTorch's running-average update: r ← (1 − momentum)·r + momentum·batch, where the variance
 * entering it is the unbiased one (× count/(count − 1)). Not differentiated.
 */
export function runningAverage(running: Value, batch: Value, momentum: number, unbiasFrom?: number): Value {
  const g = running.graph;
  const dt = running.dtype;
  const stat = unbiasFrom === undefined ? batch : g.node('Mul', [batch, g.scalar(unbiasFrom / (unbiasFrom - 1), dt)], [{ dtype: dt, shape: batch.shape }])[0];
  const kept = g.node('Mul', [running, g.scalar(1 - momentum, dt)], [{ dtype: dt, shape: running.shape }])[0];
  const added = g.node('Mul', [stat, g.scalar(momentum, dt)], [{ dtype: dt, shape: running.shape }])[0];
  return g.node('Add', [kept, added], [{ dtype: dt, shape: running.shape }])[0];
}

/**
 * LayerNorm (Ba et al. 2016): normalizes each sample over all its non-batch axes, then a per-channel
 * (axis 1) scale and shift. Equal to PyTorch's LayerNorm on [N, F]; on images it normalizes over
 * [C, H, W] with the affine per channel.
 */
export function layerNorm(x: Value, scale: Value, shift: Value, eps = NORM_EPS): Value {
  checkAffine('LayerNorm', x, scale, shift);
  const axes = [...x.shape.keys()].slice(1);
  return add(mul(standardize(x, axes, eps).xhat, perChannel(scale, x)), perChannel(shift, x));
}
