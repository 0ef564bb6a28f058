/**
 * Translations of the image operators on NCHW tensors (PyTorch's layout, and the engine's): Conv,
 * MaxPool, AveragePool, GlobalAveragePool and BatchNormalization, each onto the engine's own op
 * (conv-ops.ts, norm-ops.ts), whose gradients are checked in float64.
 */
import type { Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { avgPool, convolve, maxPool, type WindowOptions } from '../graph/conv-ops.js';
import { batchNormEval, batchNormTrain, perChannelCount, runningAverage } from '../graph/norm-ops.js';
import { UnsupportedModelError } from './errors.js';
import { describeNode, intsAttr, numberAttr, shapeOf, tensor, tensorIn, type TensorEntry, type Translate } from './entries.js';
import type { ImportedNode } from './net.js';
import { shortestFloat32 } from './read-model.js';

/** A 4-D NCHW input with static C, H, W (the only kind these ops take). */
function image(node: ImportedNode, e: TensorEntry): [number, number, number] {
  const s = shapeOf(e);
  if (e.members) throw new UnsupportedModelError(`${describeNode(node)}: image operators train one model per graph (no population).`);
  if (s.length !== 4 || s.slice(1).some((d) => typeof d !== 'number')) throw new UnsupportedModelError(`${describeNode(node)}: l2lab takes 2-D images [N, C, H, W] with static C, H, W; got [${s}].`);
  return s.slice(1) as [number, number, number];
}

/** A square window's kernel, stride and padding from kernel_shape, strides, pads / auto_pad; refuses what the engine lacks. */
function window(node: ImportedNode, kernelShape: number[]): WindowOptions {
  const [k, k2] = kernelShape;
  const strides = intsAttr(node, 'strides', [1, 1]);
  const dilations = intsAttr(node, 'dilations', [1, 1]);
  const autoPad = (node.attrs.auto_pad as string | undefined) ?? 'NOTSET';
  const refuse = (what: string) => new UnsupportedModelError(`${describeNode(node)}: ${what}. l2lab supports square windows, one stride for both axes, no dilation, and padding NOTSET (explicit pads), VALID or SAME_UPPER.`);
  if (kernelShape.length !== 2 || k !== k2) throw refuse(`kernel_shape [${kernelShape}] is not a square 2-D window`);
  if (strides[0] !== strides[1]) throw refuse(`strides [${strides}] differ between the axes`);
  if (dilations.some((d) => d !== 1)) throw refuse(`dilations [${dilations}] are not 1`);
  if (autoPad === 'SAME_UPPER') return { kernel: k, stride: strides[0], padding: 'same' };
  if (autoPad === 'VALID') return { kernel: k, stride: strides[0], padding: 'valid' };
  if (autoPad !== 'NOTSET') throw refuse(`auto_pad ${autoPad}`);
  const pads = intsAttr(node, 'pads', [0, 0, 0, 0]);
  return { kernel: k, stride: strides[0], pads: [pads[0], pads[1], pads[2], pads[3]] };
}

/** Conv (2-D, group 1) with its kernel [O, C, k, k] as it is. */
export const conv: Translate = (node, ins) => {
  const x = tensorIn(node, ins, 0);
  const w = tensorIn(node, ins, 1);
  const bias = ins[2] ? tensorIn(node, ins, 2) : undefined;
  const [c] = image(node, x);
  if (shapeOf(w).length !== 4) throw new UnsupportedModelError(`${describeNode(node)}: a kernel of shape [${shapeOf(w)}]; l2lab supports 2-D convolutions, kernels [O, C, k, k].`);
  const [o, ci, kh, kw] = shapeOf(w) as number[];
  if (numberAttr(node, 'group', 1) !== 1) throw new UnsupportedModelError(`${describeNode(node)}: group ${numberAttr(node, 'group', 1)} (grouped or depthwise convolution); l2lab supports group 1.`);
  if (ci !== c) throw new UnsupportedModelError(`${describeNode(node)}: the kernel [${shapeOf(w)}] expects ${ci} input channels, the input has ${c}.`);
  const win = window(node, intsAttr(node, 'kernel_shape', [kh, kw]));
  return [tensor(convolve(x.value, w.value, bias?.value, { ...win, filters: o }), false)];
};

/** MaxPool / AveragePool without padding and with floor rounding (PyTorch's defaults). */
function pool(kind: 'max' | 'avg'): Translate {
  return (node, ins) => {
    const x = tensorIn(node, ins, 0);
    image(node, x);
    const win = window(node, intsAttr(node, 'kernel_shape', []));
    if (win.padding === 'same' || win.pads?.some((p) => p !== 0)) throw new UnsupportedModelError(`${describeNode(node)}: padded pooling (pads [${win.pads ?? 'SAME'}]); l2lab pools without padding, as PyTorch's MaxPool2d/AvgPool2d default.`);
    if (numberAttr(node, 'ceil_mode', 0) !== 0) throw new UnsupportedModelError(`${describeNode(node)}: ceil_mode 1; l2lab rounds the output size down (ceil_mode=False, PyTorch's default).`);
    const f = kind === 'max' ? maxPool : avgPool;
    return [tensor(f(x.value, { kernel: win.kernel, stride: win.stride }), false)];
  };
}

export const maxPoolOp = pool('max');
export const averagePool = pool('avg');

export const globalAveragePool: Translate = (node, ins) => {
  const x = tensorIn(node, ins, 0);
  image(node, x);
  return [tensor(op.reduceMean(x.value, [2, 3], true), false)];
};

/**
 * BatchNormalization over the channel axis (1) of [N, C], [N, C, L] or [N, C, H, W]: batch
 * statistics and PyTorch's running-average update while training (ONNX's momentum m keeps m of the
 * old value: PyTorch's momentum is 1 − m), the running statistics otherwise.
 */
export const batchNormalization: Translate = (node, ins, ctx) => {
  const [x, scale, shift, mean, variance] = [0, 1, 2, 3, 4].map((i) => tensorIn(node, ins, i));
  const rank = shapeOf(x).length;
  if (x.members) throw new UnsupportedModelError(`${describeNode(node)}: BatchNormalization trains one model per graph (no population).`);
  if (rank < 2 || rank > 4) throw new UnsupportedModelError(`${describeNode(node)}: l2lab normalizes [N, C], [N, C, L] or [N, C, H, W] inputs; got [${shapeOf(x)}].`);
  const eps = numberAttr(node, 'epsilon', 1e-5);
  const restore = (y: Value) => tensor(y, false);
  if (!ctx.training) return [restore(batchNormEval(x.value, scale.value, shift.value, mean.value, variance.value, eps))];
  const [iMean, iVar] = [node.inputs[3], node.inputs[4]].map((n) => ctx.paramIndex.get(n));
  if (iMean === undefined || iVar === undefined) throw new UnsupportedModelError(`${describeNode(node)}: its running mean and variance must be initializers, so training can update them.`);
  const momentum = shortestFloat32(1 - numberAttr(node, 'momentum', 0.9));
  const bn = batchNormTrain(x.value, scale.value, shift.value, eps);
  ctx.running.set(iMean, runningAverage(mean.value, bn.mean, momentum));
  ctx.running.set(iVar, runningAverage(variance.value, bn.variance, momentum, perChannelCount(x.value)));
  return [restore(bn.y)];
};
