/**
 * Differentiable image ops on channels-last tensors [N, H, W, C]: 2-D convolution, max- and
 * average-pooling, flatten. All are built on one primitive, `patches` (im2col as a Gather with a
 * constant index, its gradient another Gather and a sum), because ORT's CPU build has no float64
 * kernel for Conv, ConvTranspose or AveragePool: this way the same graph trains in float64 (exact
 * fidelity checks against PyTorch) and float32, and the exported model uses only Pad, Reshape,
 * Gather, Gemm and ReduceMax, which every ONNX runtime has.
 */
import { ShapeError } from '../errors.js';
import { formatShape, type Dim, type Value } from './graph.js';
import { gemm, reduceMean, reshape, transpose } from './ops.js';

/** 'same': output ⌈H/stride⌉ (zero padding, the extra row/column at the bottom/right, as TensorFlow and PyTorch); 'valid': no padding. */
export type Padding = 'same' | 'valid';

export interface WindowOptions {
  /** Square kernel side k. */
  kernel: number;
  /** Step between windows. Default 1 for convolutions, the kernel size for pooling. */
  stride?: number;
  /** Default 'valid'. */
  padding?: Padding;
  /** Explicit zero padding [top, left, bottom, right] (ONNX's `pads` order), in place of `padding`: an imported graph's own. */
  pads?: readonly [number, number, number, number];
}

/** Output size and padding of one spatial axis. */
export interface AxisPlan {
  out: number;
  before: number;
  after: number;
}

/** How a window op of kernel k and stride s covers one axis of `size` inputs: outputs and zero padding on each side. */
export function planAxis(size: number, k: number, s: number, padding: Padding): AxisPlan {
  if (padding === 'valid') return { out: Math.floor((size - k) / s) + 1, before: 0, after: 0 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** How a window op covers the rows and the columns of an [H, W] input: explicit `pads` when given, else `padding`. */
export function planAxes(h: number, w: number, o: WindowOptions): [AxisPlan, AxisPlan] {
  const s = o.stride ?? 1;
  if (!o.pads) return [planAxis(h, o.kernel, s, o.padding ?? 'valid'), planAxis(w, o.kernel, s, o.padding ?? 'valid')];
  const [top, left, bottom, right] = o.pads;
  const axis = (size: number, before: number, after: number): AxisPlan => ({ out: Math.floor((size + before + after - o.kernel) / s) + 1, before, after });
  return [axis(h, top, bottom), axis(w, left, right)];
}

/** The spatial output [Ho, Wo] of a window op on a [H, W] input; throws a ShapeError naming the shapes when it is empty. */
export function windowOutput(op: string, h: number, w: number, o: WindowOptions): [number, number] {
  const s = o.stride ?? 1;
  const [rows, cols] = planAxes(h, w, o);
  const padding = o.pads ? `pads [${o.pads.join(', ')}]` : `'${o.padding ?? 'valid'}' padding`;
  if (!(o.kernel >= 1 && s >= 1 && Number.isInteger(o.kernel) && Number.isInteger(s))) throw new ShapeError(`${op}: kernel ${o.kernel} and stride ${s} must be positive integers.`);
  if (o.pads?.some((p) => !(Number.isInteger(p) && p >= 0))) throw new ShapeError(`${op}: ${padding} must be integers ≥ 0.`);
  if (rows.out < 1 || cols.out < 1) throw new ShapeError(`${op} with a ${o.kernel}×${o.kernel} window, stride ${s}, ${padding} on a ${h}×${w} input leaves ${rows.out}×${cols.out}: below 1×1.`);
  return [rows.out, cols.out];
}

function spatial(op: string, x: Value): [Dim, number, number, number] {
  const [n, h, w, c] = x.shape;
  if (x.shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') {
    throw new ShapeError(`${op}(${x.name}: ${formatShape(x.shape)}) needs a channels-last image batch [N, H, W, C] with static H, W, C.`);
  }
  return [n, h, w, c];
}

/**
 * Reshape to `dims`, where at most one dim is symbolic (the batch, or a product with it) and becomes
 * −1 in the ONNX target; the gradient reshapes back the same way.
 */
export function reshapeTo(x: Value, dims: Dim[]): Value {
  const g = x.graph;
  const target = dims.map((d) => (typeof d === 'number' ? d : -1));
  if (target.filter((d) => d === -1).length > 1) throw new ShapeError(`Reshape(${x.name}: ${formatShape(x.shape)}) to ${formatShape(dims)}: at most one symbolic dimension.`);
  const y = g.node('Reshape', [x, g.ints(target)], [{ dtype: x.dtype, shape: dims }])[0];
  g.record([x], [y], ([gy]) => [reshapeTo(gy!, [...x.shape])]);
  return y;
}

/**
 * im2col: every k×k window of x [N, H, W, C] (zero-padded per `padding`), as [N, P, T, C] with
 * P = Ho·Wo windows in row-major order and T = k·k taps (row-major within the window). Windows
 * overlap when stride < k, so the gradient scatter-adds each tap back where it came from.
 */
export function patches(x: Value, o: WindowOptions): Value {
  const g = x.graph;
  const [n, h, w, c] = spatial('patches', x);
  const k = o.kernel;
  const s = o.stride ?? 1;
  const [ho, wo] = windowOutput('patches', h, w, o);
  const [rows, cols] = planAxes(h, w, o);
  const hp = h + rows.before + rows.after;
  const wp = w + cols.before + cols.after;
  const padded = rows.before + rows.after + cols.before + cols.after > 0;
  const P = ho * wo;
  const T = k * k;
  const index: bigint[] = [];
  for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) index.push(BigInt((i * s + a) * wp + j * s + b));
  const idx = g.constant(index, [P * T], 'int64');
  const xp = padded ? g.node('Pad', [x, g.ints([0, rows.before, cols.before, 0, 0, rows.after, cols.after, 0])], [{ dtype: x.dtype, shape: [n, hp, wp, c] }])[0] : x;
  const flat = g.node('Reshape', [xp, g.ints([-1, hp * wp, c])], [{ dtype: x.dtype, shape: [n, hp * wp, c] }])[0];
  const taps = g.node('Gather', [flat, idx], [{ dtype: x.dtype, shape: [n, P * T, c] }], { axis: 1 })[0];
  const y = g.node('Reshape', [taps, g.ints([-1, P, T, c])], [{ dtype: x.dtype, shape: [n, P, T, c] }])[0];
  // col2im as a Gather too: ORT's ScatterElements is single-threaded and was 2/3 of a training
  // step. Each padded pixel lists the R taps that read it (R = the most any pixel has; shorter
  // lists are filled with tap 0 and masked out), so its gradient is a Gather then a sum over R.
  const readers: number[][] = Array.from({ length: hp * wp }, () => []);
  index.forEach((q, j) => readers[Number(q)].push(j));
  const R = Math.max(...readers.map((r) => r.length));
  const inverse = readers.flatMap((r) => [...r, ...new Array<number>(R - r.length).fill(0)].map(BigInt));
  const filled = readers.flatMap((r) => Array.from({ length: R }, (_, i) => (i < r.length ? 1 : 0)));
  g.record([x], [y], ([gy]) => {
    const gTaps = g.node('Reshape', [gy!, g.ints([-1, P * T, c])], [{ dtype: x.dtype, shape: [n, P * T, c] }])[0];
    let gathered = g.node('Gather', [gTaps, g.constant(inverse, [hp * wp * R], 'int64')], [{ dtype: x.dtype, shape: [n, hp * wp * R, c] }], { axis: 1 })[0];
    if (filled.includes(0)) gathered = g.node('Mul', [gathered, g.constant(filled, [1, hp * wp * R, 1], x.dtype)], [{ dtype: x.dtype, shape: gathered.shape }])[0];
    const image =
      R === 1
        ? g.node('Reshape', [gathered, g.ints([-1, hp, wp, c])], [{ dtype: x.dtype, shape: [n, hp, wp, c] }])[0]
        : g.node('ReduceSum', [g.node('Reshape', [gathered, g.ints([-1, hp, wp, R, c])], [{ dtype: x.dtype, shape: [n, hp, wp, R, c] }])[0], g.ints([3])], [{ dtype: x.dtype, shape: [n, hp, wp, c] }], { keepdims: 0 })[0];
    if (!padded) return [image];
    return [g.node('Slice', [image, g.ints([rows.before, cols.before]), g.ints([rows.before + h, cols.before + w]), g.ints([1, 2])], [{ dtype: x.dtype, shape: x.shape }])[0]];
  });
  return y;
}

export interface ConvOptions extends WindowOptions {
  /** Output channels O. */
  filters: number;
  /**
   * im2col: patches + Gemm (any dtype); onnx: ORT's Conv, with ConvTranspose and Conv for the
   * gradients (float32 only: ORT's CPU build has no float64 Conv). Default: onnx for float32.
   */
  kernel_impl?: 'im2col' | 'onnx';
}

/**
 * 2-D convolution (cross-correlation, as every framework): x [N, H, W, C], weight [k·k·C, O] (a
 * HWIO kernel flattened to a matrix, so init and the penalty treat it like a dense weight with
 * fan-in k²·C), bias [O] → [N, Ho, Wo, O]. One Gemm over the patches; its gradient is Gemm's.
 */
export function conv2d(x: Value, weight: Value, bias: Value | undefined, o: ConvOptions): Value {
  const [n, h, w, c] = spatial('Conv', x);
  const T = o.kernel * o.kernel;
  if (weight.shape[0] !== T * c || weight.shape[1] !== o.filters) {
    throw new ShapeError(`Conv(${x.name}: ${formatShape(x.shape)}) with ${o.filters} ${o.kernel}×${o.kernel} filters needs a weight [${T * c}, ${o.filters}], got ${weight.name}: ${formatShape(weight.shape)}.`);
  }
  const [ho, wo] = windowOutput('Conv', h, w, o);
  if ((o.kernel_impl ?? (x.dtype === 'float32' ? 'onnx' : 'im2col')) === 'onnx') {
    // NHWC ↔ NCHW and HWIO → OIHW around ORT's kernel; the transposes carry their own gradients.
    const kernel = transpose(reshape(weight, [o.kernel, o.kernel, c, o.filters]), [3, 2, 0, 1]);
    return transpose(convNchw(transpose(x, [0, 3, 1, 2]), kernel, bias, o), [0, 2, 3, 1]);
  }
  const cols = reshapeTo(patches(x, o), [typeof n === 'number' ? n * ho * wo : `${n}*${ho * wo}`, T * c]);
  return reshapeTo(gemm(cols, weight, bias), [n, ho, wo, o.filters]);
}

/**
 * ORT's Conv on x [N, C, H, W], kernel [O, C, k, k]. Gradients: dx = ConvTranspose(gy, kernel) with
 * the output padding that restores H×W; dkernel = Conv of xᵀ [C, N, H, W] with gyᵀ [O, N, Ho, Wo]
 * as the kernel, dilated by the stride, cropped to k×k and transposed back; dbias = Σ gy.
 */
function convNchw(x: Value, kernel: Value, bias: Value | undefined, o: ConvOptions): Value {
  const g = x.graph;
  const [n, c, h, w] = x.shape as [Dim, number, number, number];
  const k = o.kernel;
  const s = o.stride ?? 1;
  const [rows, cols] = planAxes(h, w, o);
  const pads = [rows.before, cols.before, rows.after, cols.after];
  const y = g.node('Conv', bias ? [x, kernel, bias] : [x, kernel], [{ dtype: x.dtype, shape: [n, o.filters, rows.out, cols.out] }], { kernel_shape: [k, k], strides: [s, s], pads })[0];
  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  g.record(inputs, [y], ([gy]) => {
    const outputPadding = [h - (s * (rows.out - 1) + k - rows.before - rows.after), w - (s * (cols.out - 1) + k - cols.before - cols.after)];
    const gx = g.node('ConvTranspose', [gy!, kernel], [{ dtype: x.dtype, shape: x.shape }], { kernel_shape: [k, k], strides: [s, s], pads, output_padding: outputPadding })[0];
    const swap = (v: Value) => g.node('Transpose', [v], [{ dtype: v.dtype, shape: [v.shape[1], v.shape[0], ...v.shape.slice(2)] }], { perm: [1, 0, 2, 3] })[0];
    const kh = h + rows.before + rows.after - s * (rows.out - 1);
    const kw = w + cols.before + cols.after - s * (cols.out - 1);
    let gk = g.node('Conv', [swap(x), swap(gy!)], [{ dtype: x.dtype, shape: [c, o.filters, kh, kw] }], { kernel_shape: [rows.out, cols.out], dilations: [s, s], pads })[0];
    if (kh !== k || kw !== k) gk = g.node('Slice', [gk, g.ints([0, 0]), g.ints([k, k]), g.ints([2, 3])], [{ dtype: x.dtype, shape: [c, o.filters, k, k] }])[0];
    const grads = [gx, swap(gk)];
    if (bias) grads.push(g.node('ReduceSum', [gy!, g.ints([0, 2, 3])], [{ dtype: x.dtype, shape: [o.filters] }], { keepdims: 0 })[0]);
    return grads;
  });
  return y;
}

/** Pooling windows default to stride = kernel and 'valid' padding (PyTorch's MaxPool2d/AvgPool2d defaults). */
function poolOptions(o: WindowOptions): WindowOptions {
  return { kernel: o.kernel, stride: o.stride ?? o.kernel, padding: o.padding ?? 'valid' };
}

/**
 * Max-pooling [N, H, W, C] → [N, Ho, Wo, C]. The gradient goes to the first maximal tap of each
 * window (ArgMax picks the first, as PyTorch does), so ties do not double-count.
 */
export function maxPool(x: Value, o: WindowOptions): Value {
  const g = x.graph;
  const [n, h, w, c] = spatial('MaxPool', x);
  const po = poolOptions(o);
  const [ho, wo] = windowOutput('MaxPool', h, w, po);
  const T = po.kernel * po.kernel;
  const pt = patches(x, po);
  const m = g.node('ReduceMax', [pt, g.ints([2])], [{ dtype: x.dtype, shape: [n, ho * wo, c] }], { keepdims: 0 })[0];
  g.record([pt], [m], ([gm]) => {
    const arg = g.node('ArgMax', [pt], [{ dtype: 'int64', shape: [n, ho * wo, 1, c] }], { axis: 2, keepdims: 1 })[0];
    const taps = g.constant(Array.from({ length: T }, (_, t) => BigInt(t)), [1, 1, T, 1], 'int64');
    const first = g.node('Equal', [arg, taps], [{ dtype: 'bool', shape: pt.shape }])[0];
    const col = g.node('Unsqueeze', [gm!, g.ints([2])], [{ dtype: x.dtype, shape: [n, ho * wo, 1, c] }])[0];
    return [g.node('Where', [first, col, g.scalar(0, x.dtype)], [{ dtype: x.dtype, shape: pt.shape }])[0]];
  });
  return reshapeTo(m, [n, ho, wo, c]);
}

/** Average-pooling [N, H, W, C] → [N, Ho, Wo, C] ('valid' windows: every average has k² terms). */
export function avgPool(x: Value, o: WindowOptions): Value {
  const [n, h, w, c] = spatial('AveragePool', x);
  const po = poolOptions(o);
  if (po.padding !== 'valid') throw new ShapeError(`AveragePool(${x.name}: ${formatShape(x.shape)}): only 'valid' padding is supported (a padded average would need to choose whether zeros count).`);
  const [ho, wo] = windowOutput('AveragePool', h, w, po);
  return reshapeTo(reduceMean(patches(x, po), [2]), [n, ho, wo, c]);
}

/** [N, H, W, C] → [N, H·W·C] (channels-last order: PyTorch's flatten after a permute to NHWC). */
export function flatten(x: Value): Value {
  const [n, h, w, c] = spatial('Flatten', x);
  return reshapeTo(x, [n, h * w * c]);
}
