/**
 * Shape operators. On float tensors: Reshape, Flatten, Transpose (differentiable). On integer values
 * known at build time: Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast, Constant, evaluated
 * here, so `x.view(x.size(0), -1)`'s Shape → Gather → Unsqueeze → Concat → Reshape chain becomes a
 * constant target whose batch entry stays symbolic.
 */
import type { Dim } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { reshapeTo } from '../graph/conv-ops.js';
import { UnsupportedModelError } from './errors.js';
import { describeNode, intsAttr, intsIn, numberAttr, product, shapeOf, tensor, tensorIn, type Entry, type IntsEntry, type Translate } from './entries.js';
import type { ConstTensor, ImportedNode } from './net.js';

function ints(dims: number[], data: Dim[]): IntsEntry {
  return { kind: 'ints', dims, data };
}

/** A dim as its symbols and numeric factor: 'n*16' → (['n'], 16). */
function factor(d: Dim): { symbols: string[]; k: number } {
  if (typeof d === 'number') return { symbols: [], k: d };
  const parts = d.split('*');
  return { symbols: parts.filter((p) => !/^\d+$/.test(p)).sort(), k: parts.filter((p) => /^\d+$/.test(p)).reduce((a, p) => a * Number(p), 1) };
}

/** Reshape's -1: the input's element count over the other target dims, symbolic when the batch is. */
function inferred(node: ImportedNode, total: Dim, known: Dim): Dim {
  const [t, k] = [factor(total), factor(known)];
  const left = [...t.symbols];
  const ratio = t.k / k.k;
  const fits = Number.isInteger(ratio) && k.symbols.every((s) => left.includes(s) && left.splice(left.indexOf(s), 1).length === 1);
  if (!fits) throw new UnsupportedModelError(`${describeNode(node)}: Reshape's -1 would depend on the batch size (${total} elements into ${known}·?). Give every non-batch dimension explicitly, e.g. x.view(x.size(0), -1).`);
  return product([...left, ratio]);
}

/** The target shape of a Reshape: 0 copies the input's dim (unless allowzero), -1 takes the rest. */
export function reshapeTarget(node: ImportedNode, input: Dim[], target: Dim[]): Dim[] {
  const allowZero = numberAttr(node, 'allowzero', 0) === 1;
  const out = target.map((t, i) => (t === 0 && !allowZero ? input[i] : t));
  const holes = out.filter((t) => t === -1).length;
  if (holes > 1) throw new UnsupportedModelError(`${describeNode(node)}: Reshape target [${target}] has ${holes} entries of -1; ONNX allows one.`);
  if (holes === 0) return out;
  return out.map((t) => (t === -1 ? inferred(node, product(input), product(out.filter((d) => d !== -1))) : t));
}

export const reshape: Translate = (node, ins, ctx) => {
  const x = tensorIn(node, ins, 0);
  const input = shapeOf(x);
  const target = intsIn(node, ins, 1).data.map((t, i) => (i === 0 && ctx.fileBatch !== undefined && t === ctx.fileBatch ? input[0] : t));
  const dims = reshapeTarget(node, input, target);
  return [tensor(reshapeTo(x.value, x.members ? [x.value.shape[0], ...dims] : dims), x.members)];
};

export const flatten: Translate = (node, ins) => {
  const x = tensorIn(node, ins, 0);
  const s = shapeOf(x);
  const given = numberAttr(node, 'axis', 1);
  const axis = given < 0 ? given + s.length : given;
  const dims = [product(s.slice(0, axis)), product(s.slice(axis))];
  return [tensor(reshapeTo(x.value, x.members ? [x.value.shape[0], ...dims] : dims), x.members)];
};

export const transpose: Translate = (node, ins) => {
  const x = tensorIn(node, ins, 0);
  const r = shapeOf(x).length;
  const perm = intsAttr(node, 'perm', [...Array(r).keys()].reverse());
  return [tensor(op.transpose(x.value, x.members ? [0, ...perm.map((p) => p + 1)] : perm), x.members)];
};

/** Shape of a float tensor (or of an integer value), optionally sliced by start/end (opset 15). */
export const shape: Translate = (node, ins) => {
  const e = ins[0];
  if (!e) throw new UnsupportedModelError(`${describeNode(node)}: its input is missing.`);
  const full: Dim[] = e.kind === 'tensor' ? shapeOf(e) : e.dims;
  const r = full.length;
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const data = full.slice(clamp(numberAttr(node, 'start', 0)), clamp(numberAttr(node, 'end', r)));
  return [ints([data.length], data)];
};

/** Row-major strides of dims. */
function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

export const gather: Translate = (node, ins) => {
  const data = intsIn(node, ins, 0);
  const idx = intsIn(node, ins, 1);
  const r = data.dims.length;
  const given = numberAttr(node, 'axis', 0);
  const axis = given < 0 ? given + r : given;
  const outer = data.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = data.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = data.dims[axis];
  const out: Dim[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of idx.data) {
      if (typeof raw !== 'number') throw new UnsupportedModelError(`${describeNode(node)}: its indices depend on the batch size.`);
      const i = raw < 0 ? raw + size : raw;
      for (let j = 0; j < inner; j++) out.push(data.data[(o * size + i) * inner + j]);
    }
  }
  return [ints([...data.dims.slice(0, axis), ...idx.dims, ...data.dims.slice(axis + 1)], out)];
};

/** Axes from the attribute (opset < 13) or the second input. */
function axesOf(node: ImportedNode, ins: (Entry | undefined)[], opset: number): number[] | undefined {
  if (opset < 13) return node.attrs.axes === undefined ? undefined : intsAttr(node, 'axes', []);
  return ins[1] ? (intsIn(node, ins, 1).data as number[]) : undefined;
}

export const unsqueeze: Translate = (node, ins, ctx) => {
  const x = intsIn(node, ins, 0);
  const axes = axesOf(node, ins, ctx.opset) ?? [];
  const rank = x.dims.length + axes.length;
  const norm = axes.map((a) => (a < 0 ? a + rank : a));
  const dims: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) dims.push(norm.includes(i) ? 1 : x.dims[j++]);
  return [ints(dims, x.data)];
};

export const squeeze: Translate = (node, ins, ctx) => {
  const x = intsIn(node, ins, 0);
  const axes = (axesOf(node, ins, ctx.opset) ?? x.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => (a < 0 ? a + x.dims.length : a));
  return [ints(x.dims.filter((_, i) => !axes.includes(i)), x.data)];
};

export const concat: Translate = (node, ins) => {
  const parts = node.inputs.map((_, i) => intsIn(node, ins, i));
  if (parts.some((p) => p.dims.length !== 1)) throw new UnsupportedModelError(`${describeNode(node)}: l2lab concatenates 1-D integer values (shapes); got ranks ${parts.map((p) => p.dims.length).join(', ')}.`);
  const data = parts.flatMap((p) => p.data);
  return [ints([data.length], data)];
};

/** Slice of a 1-D integer value (start/end/axes/steps as inputs, or attributes before opset 10). */
export const slice: Translate = (node, ins, ctx) => {
  const x = intsIn(node, ins, 0);
  if (x.dims.length !== 1) throw new UnsupportedModelError(`${describeNode(node)}: l2lab slices 1-D integer values (shapes); got rank ${x.dims.length}.`);
  const read = (i: number, attr: string, fallback: number[]) => (ctx.opset < 10 ? intsAttr(node, attr, fallback) : ins[i] ? (intsIn(node, ins, i).data as number[]) : fallback);
  const [start] = read(1, 'starts', [0]);
  const [end] = read(2, 'ends', [x.dims[0]]);
  const [step] = read(4, 'steps', [1]);
  const n = x.dims[0];
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + n : v));
  const data: Dim[] = [];
  if (step > 0) for (let i = clamp(start, 0, n); i < clamp(end, 0, n); i += step) data.push(x.data[i]);
  else for (let i = clamp(start, -1, n - 1); i > clamp(end, -1, n - 1); i += step) data.push(x.data[i]);
  return [ints([data.length], data)];
};

/** Casts between integer types, or a float tensor to the engine's float type (identity). */
export const cast: Translate = (node, ins) => {
  const e = ins[0];
  const to = numberAttr(node, 'to', 0);
  const toFloat = to === 1 || to === 11;
  if (e?.kind === 'tensor' && toFloat) return [e];
  if (e?.kind === 'ints' && !toFloat) return [e];
  throw new UnsupportedModelError(`${describeNode(node)}: Cast ${e?.kind === 'tensor' ? 'of a float tensor to an integer type' : 'of an integer value to a float'}; l2lab casts floats to floats and integers to integers.`);
};

/** A Constant node's value as an entry (float: a graph constant; integer: a build-time value). */
export const constant: Translate = (node, _ins, ctx) => [constEntry(ctx.g, constantValue(node), ctx.dtype)];

function constantValue(node: ImportedNode): ConstTensor {
  const a = node.attrs;
  if (a.value !== undefined && typeof a.value === 'object' && !Array.isArray(a.value)) return a.value;
  if (typeof a.value_float === 'number') return { kind: 'float', dims: [], data: [a.value_float] };
  if (Array.isArray(a.value_floats)) return { kind: 'float', dims: [a.value_floats.length], data: a.value_floats };
  if (typeof a.value_int === 'number') return { kind: 'int', dims: [], data: [a.value_int] };
  if (Array.isArray(a.value_ints)) return { kind: 'int', dims: [a.value_ints.length], data: a.value_ints };
  throw new UnsupportedModelError(`${describeNode(node)}: a Constant without a numeric value (${Object.keys(a).join(', ') || 'no attribute'}).`);
}

/** A constant as an entry: floats on the graph (their values kept), integers and bools as build-time values. */
export function constEntry(g: import('../graph/graph.js').Graph, c: ConstTensor, dtype: 'float32' | 'float64'): Entry {
  if (c.kind !== 'float') return ints(c.dims, c.data);
  return { ...tensor(g.constant(c.data, c.dims, dtype), false), constant: c.data };
}
