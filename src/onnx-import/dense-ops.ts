/** Translations of the dense operators: Gemm, MatMul, elementwise arithmetic, activations, softmax, Dropout. */
import type { Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { reshapeTo } from '../graph/conv-ops.js';
import { UnsupportedModelError } from './errors.js';
import { shortestFloat32 } from './read-model.js';
import { alignRank, describeNode, numberAttr, shapeOf, tensor, tensorIn, type Entry, type TensorEntry, type Translate } from './entries.js';

function swapLast(v: Value): Value {
  const perm = [...v.shape.keys()];
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return op.transpose(v, perm);
}

/** Y = alpha·op(A)·op(B) + beta·C: one Gemm for one model; for a population a batched MatMul (Gemm is 2-D only) plus C. */
export const gemm: Translate = (node, ins) => {
  const [a, b] = [tensorIn(node, ins, 0), tensorIn(node, ins, 1)];
  const c = ins[2] ? tensorIn(node, ins, 2) : undefined;
  if (shapeOf(a).length !== 2 || shapeOf(b).length !== 2) throw new UnsupportedModelError(`${describeNode(node)}: Gemm needs 2-D A and B, got [${shapeOf(a)}] and [${shapeOf(b)}].`);
  const o = { transA: numberAttr(node, 'transA', 0) === 1, transB: numberAttr(node, 'transB', 0) === 1, alpha: numberAttr(node, 'alpha', 1), beta: numberAttr(node, 'beta', 1) };
  if (!a.members && !b.members && !c?.members) return [tensor(op.gemm(a.value, b.value, c?.value, o), false)];
  let y = op.matmul(o.transA ? swapLast(a.value) : a.value, o.transB ? swapLast(b.value) : b.value);
  if (o.alpha !== 1) y = op.scale(y, o.alpha);
  if (c) y = op.add(y, o.beta === 1 ? alignRank(c, 2) : op.scale(alignRank(c, 2), o.beta));
  return [tensor(y, true)];
};

/** NumPy matrix product of operands of rank ≥ 2 (a population's K broadcasts as one more batch axis). */
export const matmul: Translate = (node, ins) => {
  const [a, b] = [tensorIn(node, ins, 0), tensorIn(node, ins, 1)];
  const [ra, rb] = [shapeOf(a).length, shapeOf(b).length];
  if (ra < 2 || rb < 2) throw new UnsupportedModelError(`${describeNode(node)}: l2lab multiplies operands of rank ≥ 2, got [${shapeOf(a)}] and [${shapeOf(b)}]. Reshape the vector operand to a matrix before exporting.`);
  const r = Math.max(ra, rb);
  return [tensor(op.matmul(alignRank(a, r), alignRank(b, r)), a.members || b.members)];
};

/** An elementwise binary op with NumPy broadcasting over ONNX's axes. */
function binary(f: (a: Value, b: Value) => Value): Translate {
  return (node, ins) => {
    const [a, b] = [tensorIn(node, ins, 0), tensorIn(node, ins, 1)];
    const r = Math.max(shapeOf(a).length, shapeOf(b).length);
    return [tensor(f(alignRank(a, r), alignRank(b, r)), a.members || b.members)];
  };
}

export const add = binary(op.add);
export const sub = binary(op.sub);
export const mul = binary(op.mul);
export const div = binary(op.div);

function unary(f: (x: Value) => Value): Translate {
  return (node, ins) => {
    const x = tensorIn(node, ins, 0);
    return [tensor(f(x.value), x.members)];
  };
}

export const relu = unary(op.relu);
export const sigmoid = unary(op.sigmoid);
export const tanh = unary(op.tanh);
export const erf = unary(op.erf);

export const identity: Translate = (_node, ins) => [ins[0] as Entry];

/**
 * Softmax / LogSoftmax over one axis. Before opset 13 the axis meant "flatten from here on"; that
 * equals the per-axis form only on the last axis, so other axes are refused there.
 */
function softmaxLike(f: (x: Value, axis: number) => Value): Translate {
  return (node, ins, ctx) => {
    const x = tensorIn(node, ins, 0);
    const rank = shapeOf(x).length;
    const given = numberAttr(node, 'axis', ctx.opset >= 13 ? -1 : 1);
    const axis = given < 0 ? given + rank : given;
    if (axis < 0 || axis >= rank) throw new UnsupportedModelError(`${describeNode(node)}: axis ${given} is outside the input's ${rank} axes.`);
    if (ctx.opset < 13 && axis !== rank - 1) throw new UnsupportedModelError(`${describeNode(node)}: at opset ${ctx.opset} ${node.op} on axis ${given} of a rank-${rank} input normalizes the flattened trailing axes; l2lab supports the last axis only. Export at opset ≥ 13.`);
    // Counted from the end, the axis is the same with or without the population axis in front.
    return [tensor(f(x.value, axis - rank), x.members)];
  };
}

export const softmax = softmaxLike(op.softmax);
export const logSoftmax = softmaxLike(op.logSoftmax);

/** Inverted dropout with l2lab's seeded keep-mask while training; the identity otherwise (and for an unused mask output). */
export const dropout: Translate = (node, ins, ctx) => {
  const x = tensorIn(node, ins, 0);
  const mask = ctx.training ? ctx.keepMasks.get(node.name) : undefined;
  if (!mask) return [x];
  const ratio = dropoutRatio(node, ins, ctx.opset);
  const shape = x.value.shape;
  return [tensor(op.dropout(x.value, reshapeTo(mask, [...shape]), ratio), x.members)];
};

/** The drop probability of a Dropout node: its `ratio` attribute (opset < 12) or constant input (default 0.5); 0 when its training_mode input is false. */
export function dropoutRatio(node: { name: string; op: string; attrs: Record<string, unknown> }, ins: (Entry | undefined)[], opset: number): number {
  if (opset < 12) return typeof node.attrs.ratio === 'number' ? node.attrs.ratio : 0.5;
  // The ratio is a float32 constant (0.1 stored as 0.10000000149): the model's own is the decimal.
  const mode = ins[2];
  if (mode && mode.kind === 'ints' && mode.data[0] === 0) return 0;
  const ratio = ins[1] as TensorEntry | undefined;
  if (!ratio) return 0.5;
  if (ratio.kind !== 'tensor' || ratio.constant === undefined) throw new UnsupportedModelError(`node '${node.name}' (Dropout): its ratio must be a constant.`);
  return shortestFloat32(ratio.constant[0]);
}
