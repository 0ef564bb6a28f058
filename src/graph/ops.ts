/**
 * Differentiable ops over standard ONNX operators (opset 18). Each op builds its forward nodes and
 * records its local gradient beside them, micrograd style; `grad()` in autodiff.ts walks them back.
 */
import { ShapeError } from '../errors.js';
import { formatShape, type Dim, type DType, type Graph, type Shape, type Value } from './graph.js';
import { erf64 } from './erf64.js';

// ---------------------------------------------------------------------------------------------
// Shape helpers

function describe(op: string, inputs: Value[]): string {
  return `${op}(${inputs.map((v) => `${v.name}: ${formatShape(v.shape)}`).join(', ')})`;
}

/** NumPy broadcasting of static or symbolic dims; a symbol meets a number > 1 as that number. */
export function broadcastShapes(op: string, inputs: Value[]): Dim[] {
  const rank = Math.max(...inputs.map((v) => v.shape.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const v of inputs) {
      const d = v.shape[v.shape.length - rank + i] ?? 1;
      if (d === 1 || d === dim) continue;
      if (dim === 1) dim = d;
      else if (typeof d === 'number' && typeof dim === 'number') {
        throw new ShapeError(`${describe(op, inputs)}: shapes do not broadcast (axis ${i} of the broadcast result: ${dim} vs ${d}).`);
      } else if (typeof dim === 'string') dim = d;
    }
    out.push(dim);
  }
  return out;
}

function sameDtype(op: string, inputs: Value[]): DType {
  const dt = inputs[0].dtype;
  for (const v of inputs) if (v.dtype !== dt) throw new ShapeError(`${describe(op, inputs)}: dtypes differ (${inputs.map((x) => x.dtype).join(' vs ')}).`);
  return dt;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function unary(op: string, x: Value, attrs = {}): Value {
  return x.graph.node(op, [x], [{ dtype: x.dtype, shape: x.shape }], attrs)[0];
}

function binaryRaw(op: string, a: Value, b: Value): Value {
  const dtype = sameDtype(op, [a, b]);
  return a.graph.node(op, [a, b], [{ dtype, shape: broadcastShapes(op, [a, b]) }])[0];
}

function scalarLike(x: Value, v: number): Value {
  return x.graph.scalar(v, x.dtype);
}

/**
 * Sums a gradient over the axes along which `target` was broadcast, back to target's shape.
 * A [B, N] → [N] reduction is a matrix-vector product with ones: faster than ReduceSum on ORT CPU.
 */
export function unbroadcast(gr: Value, target: Shape): Value {
  const g = gr.graph;
  const lead = gr.shape.length - target.length;
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  target.forEach((d, i) => {
    if (d === 1 && gr.shape[lead + i] !== 1) axes.push(lead + i);
  });
  if (axes.length === 0) return gr;
  const b = gr.shape[0];
  if (gr.shape.length === 2 && typeof b === 'number' && axes.length === 1 && axes[0] === 0) {
    const ones = g.constant(new Array<number>(b).fill(1), [b], gr.dtype);
    const v = g.node('MatMul', [ones, gr], [{ dtype: gr.dtype, shape: [gr.shape[1]] }])[0];
    return target.length === 1 ? v : reshapeRaw(v, target);
  }
  const kept = gr.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  let out = g.node('ReduceSum', [gr, g.ints(axes)], [{ dtype: gr.dtype, shape: kept }], { keepdims: 1 })[0];
  if (lead > 0) out = g.node('Squeeze', [out, g.ints(axes.slice(0, lead))], [{ dtype: gr.dtype, shape: kept.slice(lead) }])[0];
  return out;
}

function reshapeRaw(x: Value, shape: Shape): Value {
  if (shape.some((d) => typeof d !== 'number')) throw new ShapeError(`Reshape of ${x.name} ${formatShape(x.shape)} to ${formatShape(shape)} needs static dims.`);
  return x.graph.node('Reshape', [x, x.graph.ints(shape as number[])], [{ dtype: x.dtype, shape }])[0];
}

/** Broadcasts a gradient back to a (possibly symbolic) shape, reading the runtime shape when needed. */
function expandTo(gr: Value, like: Value): Value {
  const g = gr.graph;
  const shapeV = like.shape.every((d) => typeof d === 'number') ? g.ints(like.shape as number[]) : g.node('Shape', [like], [{ dtype: 'int64', shape: [like.shape.length] }])[0];
  return g.node('Expand', [gr, shapeV], [{ dtype: gr.dtype, shape: like.shape }])[0];
}

// ---------------------------------------------------------------------------------------------
// Elementwise arithmetic (broadcasting; gradients reduce over broadcast axes)

export function add(a: Value, b: Value): Value {
  const y = binaryRaw('Add', a, b);
  a.graph.record([a, b], [y], ([gy]) => [unbroadcast(gy!, a.shape), unbroadcast(gy!, b.shape)]);
  return y;
}

export function sub(a: Value, b: Value): Value {
  const y = binaryRaw('Sub', a, b);
  a.graph.record([a, b], [y], ([gy]) => [unbroadcast(gy!, a.shape), unbroadcast(neg(gy!), b.shape)]);
  return y;
}

export function mul(a: Value, b: Value): Value {
  const y = binaryRaw('Mul', a, b);
  a.graph.record([a, b], [y], ([gy]) => [unbroadcast(mul(gy!, b), a.shape), unbroadcast(mul(gy!, a), b.shape)]);
  return y;
}

export function div(a: Value, b: Value): Value {
  const y = binaryRaw('Div', a, b);
  // d(a/b)/db = −a/b² = −y/b
  a.graph.record([a, b], [y], ([gy]) => [unbroadcast(div(gy!, b), a.shape), unbroadcast(neg(div(mul(gy!, y), b)), b.shape)]);
  return y;
}

export function neg(x: Value): Value {
  const y = unary('Neg', x);
  x.graph.record([x], [y], ([gy]) => [neg(gy!)]);
  return y;
}

/** x², with its own gradient 2x·g (one node instead of x·x's two gradient paths). */
export function square(x: Value): Value {
  const y = binaryRaw('Mul', x, x);
  x.graph.record([x], [y], ([gy]) => [mul(gy!, mul(x, scalarLike(x, 2)))]);
  return y;
}

export function scale(x: Value, s: number): Value {
  return mul(x, scalarLike(x, s));
}

// ---------------------------------------------------------------------------------------------
// Matrix products

/**
 * MatMul with NumPy batching: [.., n, k] × [.., k, p]. A population's weights [K, in, out] times
 * shared inputs [B, in] give [K, B, out]; gradients sum over the broadcast batch axes.
 * Two 2-D operands become a Gemm, whose transposes are free in the backward pass.
 */
export function matmul(a: Value, b: Value): Value {
  const op = 'MatMul';
  const dtype = sameDtype(op, [a, b]);
  if (a.shape.length < 2 || b.shape.length < 2) throw new ShapeError(`${describe(op, [a, b])}: both operands need rank ≥ 2.`);
  const [n, k1] = a.shape.slice(-2);
  const [k2, p] = b.shape.slice(-2);
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) throw new ShapeError(`${describe(op, [a, b])}: inner dimensions differ (${k1} vs ${k2}).`);
  if (a.shape.length === 2 && b.shape.length === 2) return gemm(a, b);
  const batch = broadcastShapes(op, [
    { ...a, shape: a.shape.slice(0, -2) },
    { ...b, shape: b.shape.slice(0, -2) },
  ]);
  const y = a.graph.node(op, [a, b], [{ dtype, shape: [...batch, n, p] }])[0];
  a.graph.record([a, b], [y], ([gy]) => [unbroadcast(matmul(gy!, transposeLast(b)), a.shape), unbroadcast(matmul(transposeLast(a), gy!), b.shape)]);
  return y;
}

function transposeLast(x: Value): Value {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose(x, perm);
}

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

/** Gemm: alpha·op(A)·op(B) + beta·C, 2-D operands, C broadcast to the result. */
export function gemm(a: Value, b: Value, c?: Value, o: GemmOptions = {}): Value {
  const op = 'Gemm';
  const dtype = sameDtype(op, c ? [a, b, c] : [a, b]);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new ShapeError(`${describe(op, c ? [a, b, c] : [a, b])}: A and B must be 2-D.`);
  const [n, ka] = o.transA ? [a.shape[1], a.shape[0]] : a.shape;
  const [kb, p] = o.transB ? [b.shape[1], b.shape[0]] : b.shape;
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) throw new ShapeError(`${describe(op, [a, b])}: inner dimensions differ (${ka} vs ${kb}).`);
  const alpha = o.alpha ?? 1;
  const beta = o.beta ?? 1;
  const attrs: Record<string, number> = {};
  if (o.transA) attrs.transA = 1;
  if (o.transB) attrs.transB = 1;
  if (alpha !== 1) attrs.alpha = alpha;
  if (beta !== 1) attrs.beta = beta;
  const outShape = [n, p];
  if (c) broadcastShapes(op, [{ ...c, shape: outShape } as Value, c]);
  const g = a.graph;
  const y = g.node(op, c ? [a, b, c] : [a, b], [{ dtype, shape: outShape }], attrs)[0];
  g.record(c ? [a, b, c] : [a, b], [y], ([gy]) => {
    // Y = α·op(A)·op(B): dA = α·gY·op(B)ᵀ (transposed back if A was), dB = α·op(A)ᵀ·gY (likewise).
    const ga = o.transA ? gemm(b, gy!, undefined, { transA: o.transB, transB: true, alpha }) : gemm(gy!, b, undefined, { transB: !o.transB, alpha });
    const gb = o.transB ? gemm(gy!, a, undefined, { transA: true, transB: o.transA, alpha }) : gemm(a, gy!, undefined, { transA: !o.transA, alpha });
    const grads: (Value | undefined)[] = [ga, gb];
    if (c) grads.push(unbroadcast(beta === 1 ? gy! : scale(gy!, beta), c.shape));
    return grads;
  });
  return y;
}

// ---------------------------------------------------------------------------------------------
// Activations and elementwise functions

export function relu(x: Value): Value {
  const y = unary('Relu', x);
  const g = x.graph;
  g.record([x], [y], ([gy]) => {
    const positive = g.node('Greater', [y, scalarLike(x, 0)], [{ dtype: 'bool', shape: y.shape }])[0];
    return [g.node('Where', [positive, gy!, scalarLike(x, 0)], [{ dtype: x.dtype, shape: y.shape }])[0]];
  });
  return y;
}

export function tanh(x: Value): Value {
  const y = unary('Tanh', x);
  x.graph.record([x], [y], ([gy]) => [mul(gy!, sub(scalarLike(x, 1), mul(y, y)))]);
  return y;
}

export function sigmoid(x: Value): Value {
  const y = unary('Sigmoid', x);
  x.graph.record([x], [y], ([gy]) => [mul(gy!, mul(y, sub(scalarLike(x, 1), y)))]);
  return y;
}

export function exp(x: Value): Value {
  const y = unary('Exp', x);
  x.graph.record([x], [y], ([gy]) => [mul(gy!, y)]);
  return y;
}

export function log(x: Value): Value {
  const y = unary('Log', x);
  x.graph.record([x], [y], ([gy]) => [div(gy!, x)]);
  return y;
}

/** Gauss error function; d erf(x)/dx = 2/√π·exp(−x²). float64 is composed from primitives (erf64.ts: ORT has no float64 Erf). */
export function erf(x: Value): Value {
  const y = x.dtype === 'float64' ? erf64(x) : unary('Erf', x);
  x.graph.record([x], [y], ([gy]) => [mul(gy!, scale(exp(neg(square(x))), 2 / Math.sqrt(Math.PI)))]);
  return y;
}

/**
 * GELU, exact form x·Φ(x) = ½x·(1 + erf(x/√2)) as PyTorch's default `gelu`, composed from
 * primitives so its gradient follows.
 */
export function gelu(x: Value): Value {
  return mul(scale(x, 0.5), add(scalarLike(x, 1), erf(scale(x, Math.SQRT1_2))));
}

// ---------------------------------------------------------------------------------------------
// Softmax family

export function softmax(x: Value, axis = -1): Value {
  const g = x.graph;
  const y = unary('Softmax', x, { axis });
  g.record([x], [y], ([gy]) => {
    // dx = y·(gy − Σ gy·y)
    const s = reduceSum(mul(gy!, y), [axis], true);
    return [mul(y, sub(gy!, s))];
  });
  return y;
}

export function logSoftmax(x: Value, axis = -1): Value {
  const g = x.graph;
  const y = unary('LogSoftmax', x, { axis });
  g.record([x], [y], ([gy]) => {
    // dx = gy − softmax(x)·Σ gy
    const s = reduceSum(gy!, [axis], true);
    return [sub(gy!, mul(exp(y), s))];
  });
  return y;
}

// ---------------------------------------------------------------------------------------------
// Reductions

function reduced(x: Value, axes: number[], keepdims: boolean): Dim[] {
  const r = x.shape.length;
  const ax = axes.map((a) => normAxis(a, r));
  return keepdims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
}

/** Sum over `axes` (all axes when omitted). */
export function reduceSum(x: Value, axes?: number[], keepdims = false): Value {
  const g = x.graph;
  const ax = axes ?? [...x.shape.keys()];
  const y = g.node('ReduceSum', [x, g.ints(ax)], [{ dtype: x.dtype, shape: reduced(x, ax, keepdims) }], { keepdims: keepdims ? 1 : 0 })[0];
  g.record([x], [y], ([gy]) => [expandTo(keepdims ? gy! : unsqueeze(gy!, ax.map((a) => normAxis(a, x.shape.length))), x)]);
  return y;
}

export function reduceMean(x: Value, axes?: number[], keepdims = false): Value {
  const ax = axes ?? [...x.shape.keys()];
  const count = ax.map((a) => x.shape[normAxis(a, x.shape.length)]);
  if (count.some((c) => typeof c !== 'number')) throw new ShapeError(`ReduceMean of ${x.name} ${formatShape(x.shape)} over symbolic axes: use reduceSum and divide by the runtime count.`);
  return scale(reduceSum(x, ax, keepdims), 1 / (count as number[]).reduce((a, b) => a * b, 1));
}

/** Σx² over `axes` (all when omitted), one ReduceSumSquare node. */
export function reduceSumSquare(x: Value, axes?: number[], keepdims = false): Value {
  const g = x.graph;
  const ax = axes ?? [...x.shape.keys()];
  const y = g.node('ReduceSumSquare', [x, g.ints(ax)], [{ dtype: x.dtype, shape: reduced(x, ax, keepdims) }], { keepdims: keepdims ? 1 : 0 })[0];
  g.record([x], [y], ([gy]) => {
    const gk = keepdims ? gy! : unsqueeze(gy!, ax.map((a) => normAxis(a, x.shape.length)));
    return [mul(scale(x, 2), gk)];
  });
  return y;
}

// ---------------------------------------------------------------------------------------------
// Shape manipulation

export function reshape(x: Value, shape: number[]): Value {
  const known = x.shape.every((d) => typeof d === 'number') ? (x.shape as number[]).reduce((a, b) => a * b, 1) : undefined;
  const target = shape.reduce((a, b) => a * b, 1);
  if (known !== undefined && !shape.includes(-1) && known !== target) throw new ShapeError(`Reshape(${x.name}: ${formatShape(x.shape)}) to ${formatShape(shape)}: element counts differ (${known} vs ${target}).`);
  const out = shape.includes(-1) && known !== undefined ? shape.map((d) => (d === -1 ? known / -target : d)) : shape;
  const y = x.graph.node('Reshape', [x, x.graph.ints(shape)], [{ dtype: x.dtype, shape: out }])[0];
  x.graph.record([x], [y], ([gy]) => [x.shape.every((d) => typeof d === 'number') ? reshapeRaw(gy!, x.shape) : x.graph.node('Reshape', [gy!, x.graph.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0]], [{ dtype: x.dtype, shape: x.shape }])[0]]);
  return y;
}

export function unsqueeze(x: Value, axes: number[]): Value {
  const rank = x.shape.length + axes.length;
  const ax = axes.map((a) => normAxis(a, rank)).sort((a, b) => a - b);
  const shape: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(ax.includes(i) ? 1 : x.shape[j++]);
  const y = x.graph.node('Unsqueeze', [x, x.graph.ints(ax)], [{ dtype: x.dtype, shape }])[0];
  x.graph.record([x], [y], ([gy]) => [x.graph.node('Squeeze', [gy!, x.graph.ints(ax)], [{ dtype: x.dtype, shape: x.shape }])[0]]);
  return y;
}

export function transpose(x: Value, perm: number[]): Value {
  if (perm.length !== x.shape.length) throw new ShapeError(`Transpose(${x.name}: ${formatShape(x.shape)}) with perm [${perm}]: perm needs ${x.shape.length} axes.`);
  const y = x.graph.node('Transpose', [x], [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }], { perm })[0];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  x.graph.record([x], [y], ([gy]) => [transpose(gy!, inverse)]);
  return y;
}

export function concat(xs: Value[], axis: number): Value {
  const g = xs[0].graph;
  const dtype = sameDtype('Concat', xs);
  const r = xs[0].shape.length;
  const ax = normAxis(axis, r);
  for (const v of xs) {
    if (v.shape.length !== r || v.shape.some((d, i) => i !== ax && d !== xs[0].shape[i])) throw new ShapeError(`${describe('Concat', xs)} on axis ${axis}: other dimensions must agree.`);
    if (typeof v.shape[ax] !== 'number') throw new ShapeError(`${describe('Concat', xs)}: the concatenated axis needs static sizes.`);
  }
  const sizes = xs.map((v) => v.shape[ax] as number);
  const shape = xs[0].shape.map((d, i) => (i === ax ? sizes.reduce((a, b) => a + b, 0) : d));
  const y = g.node('Concat', xs, [{ dtype, shape }], { axis: ax })[0];
  g.record(xs, [y], ([gy]) => {
    let start = 0;
    return sizes.map((s) => {
      const part = slice(gy!, [start], [start + s], [ax]);
      start += s;
      return part;
    });
  });
  return y;
}

/** Slice with static starts/ends (step 1). Its gradient pads the output gradient with zeros. */
export function slice(x: Value, starts: number[], ends: number[], axes: number[]): Value {
  const g = x.graph;
  const r = x.shape.length;
  const shape = [...x.shape];
  const padsBefore = new Array<number>(r).fill(0);
  const padsAfter = new Array<number>(r).fill(0);
  axes.forEach((a, i) => {
    const ax = normAxis(a, r);
    const size = x.shape[ax];
    if (typeof size !== 'number') throw new ShapeError(`Slice(${x.name}: ${formatShape(x.shape)}): axis ${a} needs a static size.`);
    const s = Math.max(0, starts[i] < 0 ? starts[i] + size : starts[i]);
    const e = Math.min(size, ends[i] < 0 ? ends[i] + size : ends[i]);
    if (e <= s) throw new ShapeError(`Slice(${x.name}: ${formatShape(x.shape)}) on axis ${a} from ${starts[i]} to ${ends[i]} is empty.`);
    shape[ax] = e - s;
    padsBefore[ax] = s;
    padsAfter[ax] = size - e;
  });
  const y = g.node('Slice', [x, g.ints(starts), g.ints(ends), g.ints(axes)], [{ dtype: x.dtype, shape }])[0];
  g.record([x], [y], ([gy]) => [g.node('Pad', [gy!, g.ints([...padsBefore, ...padsAfter])], [{ dtype: x.dtype, shape: x.shape }])[0]]);
  return y;
}

/** Where(cond, a, b): gradients flow to the branch each element came from. */
export function where(cond: Value, a: Value, b: Value): Value {
  const g = a.graph;
  const dtype = sameDtype('Where', [a, b]);
  const shape = broadcastShapes('Where', [cond, a, b]);
  const y = g.node('Where', [cond, a, b], [{ dtype, shape }])[0];
  g.record([a, b], [y], ([gy]) => {
    const zero = scalarLike(a, 0);
    const ga = g.node('Where', [cond, gy!, zero], [{ dtype, shape }])[0];
    const gb = g.node('Where', [cond, zero, gy!], [{ dtype, shape }])[0];
    return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)];
  });
  return y;
}

/** Gather rows (axis 0) by integer indices; the gradient scatter-adds back (repeated indices sum). */
export function gather(data: Value, indices: Value): Value {
  const g = data.graph;
  if (indices.dtype !== 'int64') throw new ShapeError(`Gather(${data.name}, ${indices.name}): indices must be int64, got ${indices.dtype}.`);
  const shape = [...indices.shape, ...data.shape.slice(1)];
  const y = g.node('Gather', [data, indices], [{ dtype: data.dtype, shape }], { axis: 0 })[0];
  g.record([data], [y], ([gy]) => {
    const zeros = g.node('Mul', [data, scalarLike(data, 0)], [{ dtype: data.dtype, shape: data.shape }])[0];
    const idx = g.node('Unsqueeze', [indices, g.ints([-1])], [{ dtype: 'int64', shape: [...indices.shape, 1] }])[0];
    return [g.node('ScatterND', [zeros, idx, gy!], [{ dtype: data.dtype, shape: data.shape }], { reduction: 'add' })[0]];
  });
  return y;
}

/** GatherElements along `axis` (e.g. pick each sample's log-probability of its label). */
export function gatherElements(data: Value, indices: Value, axis: number): Value {
  const g = data.graph;
  const y = g.node('GatherElements', [data, indices], [{ dtype: data.dtype, shape: indices.shape }], { axis })[0];
  g.record([data], [y], ([gy]) => {
    const zeros = g.node('Mul', [data, scalarLike(data, 0)], [{ dtype: data.dtype, shape: data.shape }])[0];
    return [g.node('ScatterElements', [zeros, indices, gy!], [{ dtype: data.dtype, shape: data.shape }], { axis, reduction: 'add' })[0]];
  });
  return y;
}

/**
 * Inverted dropout driven by an explicit keep-mask input (0/1 values drawn by the caller from a
 * seeded Rng), so a step is reproducible: y = x·mask/(1 − p). The gradient is the same scaling.
 */
export function dropout(x: Value, keepMask: Value, p: number): Value {
  if (p === 0) return x;
  return mul(x, scale(keepMask, 1 / (1 - p)));
}

// ---------------------------------------------------------------------------------------------
// Non-differentiable helpers

export function cast(x: Value, dtype: DType): Value {
  return x.graph.node('Cast', [x], [{ dtype, shape: x.shape }], { to: ONNX_CAST[dtype] })[0];
}

const ONNX_CAST: Record<DType, number> = { float32: 1, float64: 11, int64: 7, int32: 6, bool: 9 };

/** One-hot float rows [.., C] from integer labels [..] (Equal against 0..C−1, then Cast). */
export function oneHot(labels: Value, classes: number, dtype: DType): Value {
  const g = labels.graph;
  const range = g.constant(Array.from({ length: classes }, (_, i) => BigInt(i)), [classes], 'int64');
  const col = g.node('Unsqueeze', [labels, g.ints([-1])], [{ dtype: labels.dtype, shape: [...labels.shape, 1] }])[0];
  const eq = g.node('Equal', [col, range], [{ dtype: 'bool', shape: [...labels.shape, classes] }])[0];
  return cast(eq, dtype);
}

export function raw(g: Graph, op: string, inputs: Value[], attrs: Record<string, number | number[] | string> = {}): Value {
  const dtype = inputs[0].dtype;
  return g.node(op, inputs, [{ dtype, shape: broadcastShapes(op, inputs) }], attrs)[0];
}
