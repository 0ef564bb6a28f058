/**
 * Differentiable image ops on channels-first tensors [N, C, H, W], the layout ORT's Conv and
 * MaxPool take, so no transpose sits between layers: 2-D convolution, max- and average-pooling,
 * flatten. float32 convolutions run ORT's Conv (ConvTranspose and Conv for the gradients); ORT's
 * CPU build has no float64 Conv, so float64 convolutions (the exact fidelity checks against
 * PyTorch) go through `patches` (im2col as a Gather with a constant index, on a channels-last
 * view). Max-pooling is ORT's MaxPool in both dtypes; its gradient goes to each window's first
 * maximal tap (found from the taps for tiling windows, from MaxPool's Indices otherwise).
 */
import { ShapeError } from '../errors.js';
import { formatShape, type Dim, type Value } from './graph.js';
import { gemm, reduceMean, reshape, slice, transpose } from './ops.js';

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

/** [N, H, W, C] of a channels-last batch (the `patches` primitive's layout). */
function spatial(op: string, x: Value): [Dim, number, number, number] {
  const [n, h, w, c] = x.shape;
  if (x.shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') {
    throw new ShapeError(`${op}(${x.name}: ${formatShape(x.shape)}) needs a channels-last image batch [N, H, W, C] with static H, W, C.`);
  }
  return [n, h, w, c];
}

/** [N, C, H, W] of a channels-first batch (every public image op's layout). */
function image(op: string, x: Value): [Dim, number, number, number] {
  const [n, c, h, w] = x.shape;
  if (x.shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') {
    throw new ShapeError(`${op}(${x.name}: ${formatShape(x.shape)}) needs a channels-first image batch [N, C, H, W] with static C, H, W.`);
  }
  return [n, c, h, w];
}

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

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
  /**
   * How the 'onnx' path takes a stride-1 convolution's input gradient: 'conv' (a Conv with the
   * flipped kernel: spreads over ORT's intra-op threads) or 'convTranspose' (~6% less CPU per CNN
   * step on one thread, but its col2im runs serially). Default 'conv'. Other strides always use
   * ConvTranspose.
   */
  inputGradient?: 'conv' | 'convTranspose';
}

function useOnnxConv(x: Value, o: ConvOptions): boolean {
  return (o.kernel_impl ?? (x.dtype === 'float32' ? 'onnx' : 'im2col')) === 'onnx';
}

/**
 * 2-D convolution (cross-correlation, as every framework): x [N, C, H, W], weight [k·k·C, O] (a
 * HWIO kernel flattened to a matrix, so init and the penalty treat it like a dense weight with
 * fan-in k²·C), bias [O] → [N, O, Ho, Wo].
 */
export function conv2d(x: Value, weight: Value, bias: Value | undefined, o: ConvOptions): Value {
  const [, c] = image('Conv', x);
  const k = o.kernel;
  if (weight.shape[0] !== k * k * c || weight.shape[1] !== o.filters) {
    throw new ShapeError(`Conv(${x.name}: ${formatShape(x.shape)}) with ${o.filters} ${k}×${k} filters needs a weight [${k * k * c}, ${o.filters}], got ${weight.name}: ${formatShape(weight.shape)}.`);
  }
  windowOutput('Conv', x.shape[2] as number, x.shape[3] as number, o);
  // HWIO → OIHW: a transpose of the small kernel, not of the activations.
  if (useOnnxConv(x, o)) return convNchw(x, transpose(reshape(weight, [k, k, c, o.filters]), [3, 2, 0, 1]), bias, o);
  return im2colConv(x, weight, bias, o);
}

/** 2-D convolution with an ONNX kernel [O, C, k, k] (an imported Conv's own weight): x [N, C, H, W] → [N, O, Ho, Wo]. */
export function convolve(x: Value, kernel: Value, bias: Value | undefined, o: ConvOptions): Value {
  const [, c] = image('Conv', x);
  const k = o.kernel;
  if (kernel.shape.length !== 4 || kernel.shape[0] !== o.filters || kernel.shape[1] !== c || kernel.shape[2] !== k || kernel.shape[3] !== k) {
    throw new ShapeError(`Conv(${x.name}: ${formatShape(x.shape)}) with ${o.filters} ${k}×${k} filters needs a kernel [${o.filters}, ${c}, ${k}, ${k}], got ${kernel.name}: ${formatShape(kernel.shape)}.`);
  }
  windowOutput('Conv', x.shape[2] as number, x.shape[3] as number, o);
  if (useOnnxConv(x, o)) return convNchw(x, kernel, bias, o);
  return im2colConv(x, reshape(transpose(kernel, [2, 3, 1, 0]), [k * k * c, o.filters]), bias, o);
}

/** One Gemm over the patches of a channels-last view (any dtype); its gradient is Gemm's and the patches'. */
function im2colConv(x: Value, weight: Value, bias: Value | undefined, o: ConvOptions): Value {
  const [n, c, h, w] = image('Conv', x);
  const [ho, wo] = windowOutput('Conv', h, w, o);
  const T = o.kernel * o.kernel;
  const cols = reshapeTo(patches(transpose(x, TO_NHWC), o), [typeof n === 'number' ? n * ho * wo : `${n}*${ho * wo}`, T * c]);
  return transpose(reshapeTo(gemm(cols, weight, bias), [n, ho, wo, o.filters]), TO_NCHW);
}

/**
 * ORT's Conv on x [N, C, H, W], kernel [O, C, k, k]. Gradients: dx (only when wanted) by a Conv
 * with the flipped kernel at stride 1 ({@link convInputGrad}), else ConvTranspose(gy, kernel) with
 * the output padding that restores H×W (see ConvOptions.inputGradient); dkernel = Conv of
 * xᵀ [C, N, H, W] with gyᵀ [O, N, Ho, Wo] as the kernel, dilated by the stride, cropped to k×k and
 * transposed back; dbias = Σ gy.
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
  g.record(inputs, [y], ([gy], wanted) => {
    const outputPadding = [h - (s * (rows.out - 1) + k - rows.before - rows.after), w - (s * (cols.out - 1) + k - cols.before - cols.after)];
    const byConv = (o.inputGradient ?? 'conv') === 'conv' && s === 1 && pads.every((p) => p <= k - 1);
    // Not wanted for the first layer, whose input is the data.
    const gx = !wanted[0] ? undefined : byConv ? convInputGrad(gy!, kernel, x, k, pads) : g.node('ConvTranspose', [gy!, kernel], [{ dtype: x.dtype, shape: x.shape }], { kernel_shape: [k, k], strides: [s, s], pads, output_padding: outputPadding })[0];
    const swap = (v: Value) => g.node('Transpose', [v], [{ dtype: v.dtype, shape: [v.shape[1], v.shape[0], ...v.shape.slice(2)] }], { perm: [1, 0, 2, 3] })[0];
    const kh = h + rows.before + rows.after - s * (rows.out - 1);
    const kw = w + cols.before + cols.after - s * (cols.out - 1);
    let gk = g.node('Conv', [swap(x), swap(gy!)], [{ dtype: x.dtype, shape: [c, o.filters, kh, kw] }], { kernel_shape: [rows.out, cols.out], dilations: [s, s], pads })[0];
    if (kh !== k || kw !== k) gk = g.node('Slice', [gk, g.ints([0, 0]), g.ints([k, k]), g.ints([2, 3])], [{ dtype: x.dtype, shape: [c, o.filters, k, k] }])[0];
    const grads: (Value | undefined)[] = [gx, swap(gk)];
    if (bias) grads.push(g.node('ReduceSum', [gy!, g.ints([0, 2, 3])], [{ dtype: x.dtype, shape: [o.filters] }], { keepdims: 0 })[0]);
    return grads;
  });
  return y;
}

/**
 * dx of a stride-1 convolution as a Conv rather than a ConvTranspose: gy correlated with the kernel
 * flipped in space and with its channel axes swapped, padded by k − 1 − each side's padding. ORT's
 * Conv (MLAS) spreads over the intra-op threads; its ConvTranspose (per-image Gemm, then a serial
 * col2im) barely gains from a second one.
 */
function convInputGrad(gy: Value, kernel: Value, x: Value, k: number, pads: number[]): Value {
  const g = x.graph;
  const [o, c] = kernel.shape as number[];
  const flipped = g.node('Slice', [kernel, g.ints([-1, -1]), g.ints([-(k + 1), -(k + 1)]), g.ints([2, 3]), g.ints([-1, -1])], [{ dtype: x.dtype, shape: kernel.shape }])[0];
  const swapped = g.node('Transpose', [flipped], [{ dtype: x.dtype, shape: [c, o, k, k] }], { perm: [1, 0, 2, 3] })[0];
  return g.node('Conv', [gy, swapped], [{ dtype: x.dtype, shape: x.shape }], { kernel_shape: [k, k], pads: pads.map((p) => k - 1 - p) })[0];
}

/** Pooling windows default to stride = kernel and 'valid' padding (PyTorch's MaxPool2d/AvgPool2d defaults). */
function poolOptions(o: WindowOptions): WindowOptions {
  return { kernel: o.kernel, stride: o.stride ?? o.kernel, padding: o.padding ?? 'valid' };
}

/** ONNX's pool attributes for a window plan. */
function poolAttrs(h: number, w: number, o: WindowOptions): { kernel_shape: number[]; strides: number[]; pads: number[] } {
  const [rows, cols] = planAxes(h, w, o);
  return { kernel_shape: [o.kernel, o.kernel], strides: [o.stride!, o.stride!], pads: [rows.before, cols.before, rows.after, cols.after] };
}

/**
 * Max-pooling [N, C, H, W] → [N, C, Ho, Wo] with ORT's MaxPool. The gradient goes to the first
 * maximal tap of each window in row-major order (as PyTorch picks), so ties do not double-count.
 * Windows that tile the image (stride = kernel, PyTorch's default) take it from the taps
 * themselves ({@link tiledMaxPoolGrad}); other strides from MaxPool's Indices output, scattered
 * back (adding where overlapping windows share a maximum).
 */
export function maxPool(x: Value, o: WindowOptions): Value {
  const g = x.graph;
  const [n, c, h, w] = image('MaxPool', x);
  const po = poolOptions(o);
  const [ho, wo] = windowOutput('MaxPool', h, w, po);
  const attrs = poolAttrs(h, w, po);
  const out = { dtype: x.dtype, shape: [n, c, ho, wo] };
  if (po.stride === po.kernel && po.padding === 'valid') {
    // One output: ORT's fast (MLAS) kernel; asking for Indices costs ~6× the pool itself.
    const y = g.node('MaxPool', [x], [out], attrs)[0];
    g.record([x], [y], ([gy]) => [tiledMaxPoolGrad(x, y, gy!, po.kernel)]);
    return y;
  }
  const [y, indices] = g.node('MaxPool', [x], [out, { dtype: 'int64', shape: [n, c, ho, wo] }], attrs);
  const overlapping = po.stride! < po.kernel;
  g.record([x], [y], ([gy]) => {
    const flat = (v: Value) => g.node('Reshape', [v, g.ints([-1])], [{ dtype: v.dtype, shape: [typeof n === 'number' ? n * c * ho * wo : `${n}*${c * ho * wo}`] }])[0];
    const size = typeof n === 'number' ? n * c * h * w : `${n}*${c * h * w}`;
    const xShape = typeof n === 'number' ? g.ints([n, c, h, w]) : g.node('Shape', [x], [{ dtype: 'int64', shape: [4] }])[0];
    const sizeShape = typeof size === 'number' ? g.ints([size]) : g.node('ReduceProd', [xShape], [{ dtype: 'int64', shape: [1] }], { keepdims: 1 })[0];
    const zeros = g.node('ConstantOfShape', [sizeShape], [{ dtype: x.dtype, shape: [size] }], { value: { dtype: x.dtype, shape: [1], data: [0] } })[0];
    const scattered = g.node('ScatterElements', [zeros, flat(indices), flat(gy!)], [{ dtype: x.dtype, shape: [size] }], { axis: 0, ...(overlapping ? { reduction: 'add' } : {}) })[0];
    return [g.node('Reshape', [scattered, xShape], [{ dtype: x.dtype, shape: x.shape }])[0]];
  });
  return y;
}

/**
 * The gradient of a tiling k×k max-pool, dx, from x, the pooled y and gy: SpaceToDepth lays the
 * k² taps of every window out as k² contiguous channel blocks (tap (a, b) is block a·k + b), so
 * each tap is compared with y on its own [N, C, Ho, Wo] slice. gy goes to the first tap equal to
 * the maximum and is cleared from the rest; DepthToSpace puts the taps back. Every op is
 * elementwise or a contiguous copy: no patches, no 6-D broadcasts, no Indices.
 */
function tiledMaxPoolGrad(x: Value, y: Value, gy: Value, k: number): Value {
  const g = x.graph;
  const [n, c, h, w] = x.shape as [Dim, number, number, number];
  const [, , ho, wo] = y.shape as [Dim, number, number, number];
  const dt = x.dtype;
  const pooled = { dtype: dt, shape: y.shape };
  const blocks = { dtype: dt, shape: [n, k * k * c, ho, wo] };
  // Rows and columns past the last whole window get no gradient (floor), as PyTorch.
  const whole = ho * k === h && wo * k === w;
  const tiled = whole ? x : g.node('Slice', [x, g.ints([0, 0]), g.ints([ho * k, wo * k]), g.ints([2, 3])], [{ dtype: dt, shape: [n, c, ho * k, wo * k] }])[0];
  const depth = g.node('SpaceToDepth', [tiled], [blocks], { blocksize: k })[0];
  const taps = k * k === 1 ? [depth] : g.node('Split', [depth], Array.from({ length: k * k }, () => pooled), { axis: 1, num_outputs: k * k });
  const zero = g.scalar(0, dt);
  let rest = gy;
  const parts = taps.map((t, i) => {
    if (i === taps.length - 1) return rest;
    const first = g.node('Equal', [t, y], [{ dtype: 'bool', shape: y.shape }])[0];
    const part = g.node('Where', [first, rest, zero], [pooled])[0];
    rest = g.node('Where', [first, zero, rest], [pooled])[0];
    return part;
  });
  const joined = parts.length === 1 ? parts[0] : g.node('Concat', parts, [blocks], { axis: 1 })[0];
  const dx = g.node('DepthToSpace', [joined], [{ dtype: dt, shape: tiled.shape }], { blocksize: k, mode: 'DCR' })[0];
  return whole ? dx : g.node('Pad', [dx, g.ints([0, 0, 0, 0, 0, 0, h - ho * k, w - wo * k])], [{ dtype: dt, shape: x.shape }])[0];
}

/**
 * Average-pooling [N, C, H, W] → [N, C, Ho, Wo] ('valid' windows: every average has k² terms).
 * Windows that tile (stride = kernel) are a Reshape and a mean over the two window axes; others go
 * through the patches of a channels-last view.
 */
export function avgPool(x: Value, o: WindowOptions): Value {
  const [n, c, h, w] = image('AveragePool', x);
  const po = poolOptions(o);
  if (po.padding !== 'valid') throw new ShapeError(`AveragePool(${x.name}: ${formatShape(x.shape)}): only 'valid' padding is supported (a padded average would need to choose whether zeros count).`);
  const [ho, wo] = windowOutput('AveragePool', h, w, po);
  const k = po.kernel;
  if (po.stride !== k) return transpose(reshapeTo(reduceMean(patches(transpose(x, TO_NHWC), po), [2]), [n, ho, wo, c]), TO_NCHW);
  // The rows and columns past the last whole window are dropped (floor), as PyTorch does.
  const tiled = ho * k === h && wo * k === w ? x : slice(x, [0, 0], [ho * k, wo * k], [2, 3]);
  return reduceMean(reshapeTo(tiled, [n, c, ho, k, wo, k]), [3, 5]);
}

/**
 * [N, C, H, W] → [N, H·W·C] in channels-last order (PyTorch's flatten after a permute to NHWC), so
 * the first dense layer's weight rows keep the order IDX images and earlier l2lab models use.
 */
export function flatten(x: Value): Value {
  const [n, c, h, w] = image('Flatten', x);
  // With one channel, or one pixel, both orders agree: no transpose.
  return reshapeTo(c === 1 || h * w === 1 ? x : transpose(x, TO_NHWC), [n, h * w * c]);
}

/** A batch of images stored as rows [N, H·W·C] (pixels row-major, channels last, as IDX files) → [N, C, H, W]. */
export function imagesFromRows(x: Value, height: number, width: number, channels: number): Value {
  const n = x.shape[0];
  if (channels === 1) return reshapeTo(x, [n, 1, height, width]);
  return transpose(reshapeTo(x, [n, height, width, channels]), TO_NCHW);
}
