/** Image and normalization ops: gradients against central finite differences (float64), forwards against ORT's own Conv/MaxPool/AveragePool and closed forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conv, grad, norm, op, Graph } from '../../src/graph/index.js';
import { CompiledGraph } from '../../src/engine/session.js';
import { tensor } from '../../src/engine/tensor.js';
import { ShapeError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';
import { gradCheck, type GradCase } from './gradcheck.js';

const cases: Record<string, GradCase> = {
  "Conv 3×3 stride 1 'same' with bias": {
    shapes: [[2, 2, 5, 4], [18, 3], [3]],
    build: ([x, w, b]) => conv.conv2d(x, w, b, { filters: 3, kernel: 3, padding: 'same' }),
  },
  "Conv 3×3 stride 2 'valid' (overlapping windows)": {
    shapes: [[1, 2, 7, 6], [18, 2], [2]],
    build: ([x, w, b]) => conv.conv2d(x, w, b, { filters: 2, kernel: 3, stride: 2, padding: 'valid' }),
  },
  "Conv 2×2 stride 2 'same' (uneven padding)": {
    shapes: [[1, 1, 5, 5], [4, 2], [2]],
    build: ([x, w, b]) => conv.conv2d(x, w, b, { filters: 2, kernel: 2, stride: 2, padding: 'same' }),
  },
  'Conv with an ONNX kernel [O, C, k, k] (imported models)': {
    shapes: [[2, 2, 5, 4], [3, 2, 3, 3], [3]],
    build: ([x, w, b]) => conv.convolve(x, w, b, { filters: 3, kernel: 3, pads: [1, 0, 1, 2] }),
  },
  'MaxPool 2×2': { shapes: [[2, 2, 4, 6]], build: ([x]) => conv.maxPool(x, { kernel: 2 }) },
  'MaxPool 2×2 on 5×5 (last row and column dropped)': { shapes: [[2, 2, 5, 5]], build: ([x]) => conv.maxPool(x, { kernel: 2 }) },
  'MaxPool 2×2 stride 3 (gaps between windows)': { shapes: [[1, 2, 7, 7]], build: ([x]) => conv.maxPool(x, { kernel: 2, stride: 3 }) },
  'MaxPool 3×3 stride 1 (overlapping windows)': { shapes: [[1, 2, 4, 4]], build: ([x]) => conv.maxPool(x, { kernel: 3, stride: 1 }) },
  'AveragePool 2×2 on 5×5 (last row and column dropped)': { shapes: [[1, 2, 5, 5]], build: ([x]) => conv.avgPool(x, { kernel: 2 }) },
  'AveragePool 3×3 stride 2 (overlapping windows)': { shapes: [[1, 2, 7, 7]], build: ([x]) => conv.avgPool(x, { kernel: 3, stride: 2 }) },
  Flatten: { shapes: [[2, 2, 2, 3]], build: ([x]) => op.tanh(conv.flatten(x)) },
  'Flatten of one channel': { shapes: [[2, 1, 2, 3]], build: ([x]) => op.tanh(conv.flatten(x)) },
  'BatchNorm (training statistics) on images': {
    shapes: [[3, 3, 2, 2], [3], [3]],
    build: ([x, s, b]) => norm.batchNormTrain(x, s, b).y,
  },
  'BatchNorm (training statistics) on dense features': {
    shapes: [[5, 3], [3], [3]],
    build: ([x, s, b]) => op.tanh(norm.batchNormTrain(x, s, b).y),
  },
  'LayerNorm on dense features': { shapes: [[3, 4], [4], [4]], build: ([x, s, b]) => norm.layerNorm(x, s, b) },
  'LayerNorm on images': { shapes: [[2, 3, 2, 2], [3], [3]], build: ([x, s, b]) => norm.layerNorm(x, s, b) },
  'a small CNN: Conv, Relu, MaxPool, BatchNorm, Flatten, Gemm': {
    shapes: [[2, 1, 4, 4], [9, 2], [2], [2], [2], [8, 3]],
    build: ([x, w, b, s, t, v]) => op.gemm(conv.flatten(conv.maxPool(norm.batchNormTrain(op.tanh(conv.conv2d(x, w, b, { filters: 2, kernel: 3, padding: 'same' })), s, t).y, { kernel: 2 })), v),
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`gradient of ${name} matches finite differences (float64, 1e-6)`, async () => {
    await gradCheck(c);
  });
}

// ORT's Conv and ConvTranspose exist for float32 only, so the float32 path (kernel_impl 'onnx': dx by
// Conv at stride 1, by ConvTranspose otherwise) is checked in float32 (step 1e-2, tolerance 2e-3)
// and against the float64-checked im2col path below.
for (const [name, o] of Object.entries({ "3×3 stride 1 'same'": { kernel: 3, stride: 1, padding: 'same' as const }, "4×4 stride 1 'same' (uneven padding)": { kernel: 4, stride: 1, padding: 'same' as const }, "3×3 stride 1 'valid'": { kernel: 3, stride: 1, padding: 'valid' as const }, "3×3 stride 2 'valid'": { kernel: 3, stride: 2, padding: 'valid' as const }, "2×2 stride 2 'same'": { kernel: 2, stride: 2, padding: 'same' as const } })) {
  test(`gradient of Conv ${name} through ORT's Conv/ConvTranspose matches finite differences (float32, 2e-3)`, async () => {
    await gradCheck({ shapes: [[2, 2, 5, 6], [o.kernel * o.kernel * 2, 3], [3]], build: ([x, w, b]) => conv.conv2d(x, w, b, { filters: 3, ...o, kernel_impl: 'onnx' }), dtype: 'float32', tol: 2e-3, eps: 1e-2 });
  });
  test(`gradient of Conv ${name} with dx by ConvTranspose matches finite differences (float32, 2e-3)`, async () => {
    await gradCheck({ shapes: [[2, 2, 5, 6], [o.kernel * o.kernel * 2, 3], [3]], build: ([x, w, b]) => conv.conv2d(x, w, b, { filters: 3, ...o, kernel_impl: 'onnx', inputGradient: 'convTranspose' }), dtype: 'float32', tol: 2e-3, eps: 1e-2 });
  });
}

/** Runs a one-output graph on float32 inputs. */
async function run(g: Graph, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Float32Array> {
  const s = await CompiledGraph.compile(g, { threads: 1 });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, tensor(v.data, v.dims)])));
  await s.release();
  return out.y.data as Float32Array;
}

function draw(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const o of [
  { kernel: 5, stride: 1, padding: 'same' as const },
  { kernel: 3, stride: 2, padding: 'valid' as const },
  { kernel: 2, stride: 2, padding: 'same' as const },
]) {
  test(`conv2d by im2col equals ORT's Conv (NCHW, OIHW kernel) for k=${o.kernel} stride ${o.stride} '${o.padding}'`, async () => {
    const rng = new Rng(3);
    const [N, H, W, C, O, k] = [2, 9, 8, 3, 4, o.kernel];
    const x = draw(N * H * W * C, rng);
    const w = draw(k * k * C * O, rng);
    const b = draw(O, rng);
    const ours = new Graph('ours');
    ours.output(conv.conv2d(ours.input('x', 'float32', [N, C, H, W]), ours.input('w', 'float32', [k * k * C, O]), ours.input('b', 'float32', [O]), { filters: O, ...o, kernel_impl: 'im2col' }), 'y');
    const y = await run(ours, { x: { data: x, dims: [N, C, H, W] }, w: { data: w, dims: [k * k * C, O] }, b: { data: b, dims: [O] } });
    // The same convolution with ORT's kernel: HWIO → OIHW, auto_pad SAME_UPPER/VALID.
    const ref = new Graph('ref');
    const xn = ref.input('x', 'float32', [N, C, H, W]);
    const wn = op.transpose(op.reshape(ref.input('w', 'float32', [k * k * C, O]), [k, k, C, O]), [3, 2, 0, 1]);
    const [ho, wo] = conv.windowOutput('Conv', H, W, o);
    const yn = ref.node('Conv', [xn, wn, ref.input('b', 'float32', [O])], [{ dtype: 'float32', shape: [N, O, ho, wo] }], { kernel_shape: [k, k], strides: [o.stride, o.stride], auto_pad: o.padding === 'same' ? 'SAME_UPPER' : 'VALID' })[0];
    ref.output(yn, 'y');
    const expected = await run(ref, { x: { data: x, dims: [N, C, H, W] }, w: { data: w, dims: [k * k * C, O] }, b: { data: b, dims: [O] } });
    assert.ok(maxDiff(y, expected) < 1e-4, `max |ours − ORT Conv| = ${maxDiff(y, expected)}`);
  });
}

for (const kind of ['MaxPool', 'AveragePool'] as const) {
  test(`${kind} 2×2 equals ORT's ${kind} on a 7×6 input`, async () => {
    const rng = new Rng(4);
    const [N, H, W, C] = [2, 7, 6, 3];
    const x = draw(N * H * W * C, rng);
    const ours = new Graph('ours');
    const xi = ours.input('x', 'float32', [N, C, H, W]);
    ours.output(kind === 'MaxPool' ? conv.maxPool(xi, { kernel: 2 }) : conv.avgPool(xi, { kernel: 2 }), 'y');
    const ref = new Graph('ref');
    const xn = ref.input('x', 'float32', [N, C, H, W]);
    const yn = ref.node(kind, [xn], [{ dtype: 'float32', shape: [N, C, 3, 3] }], { kernel_shape: [2, 2], strides: [2, 2] })[0];
    ref.output(yn, 'y');
    const feeds = { x: { data: x, dims: [N, C, H, W] } };
    assert.ok(maxDiff(await run(ours, feeds), await run(ref, feeds)) < 1e-6);
  });
}

test('BatchNorm statistics, evaluation form and running averages follow the closed forms', async () => {
  const g = new Graph('bn');
  const x = g.input('x', 'float64', [4, 2]);
  const one = g.constant([1, 1], [2], 'float64');
  const zero = g.constant([0, 0], [2], 'float64');
  const bn = norm.batchNormTrain(x, one, zero);
  g.output(bn.y, 'y');
  g.output(norm.runningAverage(zero, bn.mean, 0.1), 'rm');
  g.output(norm.runningAverage(one, bn.variance, 0.1, 4), 'rv');
  g.output(norm.batchNormEval(x, one, zero, bn.mean, bn.variance), 'ye');
  const s = await CompiledGraph.compile(g, { threads: 1 });
  const out = await s.run({ x: tensor(Float64Array.from([1, 10, 2, 20, 3, 30, 6, 40]), [4, 2]) });
  await s.release();
  // Column 0: mean 3, biased var (4+1+0+9)/4 = 3.5, unbiased 14/3.
  const y = out.y.data as Float64Array;
  assert.ok(Math.abs(y[0] - (1 - 3) / Math.sqrt(3.5 + 1e-5)) < 1e-12);
  assert.ok(Math.abs((out.rm.data as Float64Array)[0] - 0.3) < 1e-12);
  assert.ok(Math.abs((out.rv.data as Float64Array)[0] - (0.9 + 0.1 * 14 / 3)) < 1e-12);
  assert.ok(maxDiff(out.ye.data as Float64Array, y) < 1e-12, 'evaluation with the batch statistics equals training mode');
});

test('a window op that leaves less than 1×1 is refused naming the shapes', () => {
  const g = new Graph('bad');
  const x = g.input('x', 'float64', [1, 1, 3, 3]);
  assert.throws(() => conv.maxPool(x, { kernel: 4 }), (e: Error) => e instanceof ShapeError && /4×4 window.*3×3 input leaves 0×0/.test(e.message));
  assert.throws(() => conv.flatten(g.input('t', 'float64', [2, 5])), (e: Error) => e instanceof ShapeError && /\[2, 5\].*\[N, C, H, W\]/.test(e.message));
});

for (const [name, o] of Object.entries({ 'tiling 2×2 windows': { kernel: 2 }, 'overlapping 2×2 windows, stride 1': { kernel: 2, stride: 1 } })) {
  test(`MaxPool's gradient on ${name} goes to the first maximal tap of a tie, as PyTorch's`, async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const g = new Graph('ties');
      const x = g.input('x', dtype, [1, 1, 2, 3]);
      const [dx] = grad(op.reduceSum(conv.maxPool(x, o)), [x]);
      g.output(dx, 'dx');
      const s = await CompiledGraph.compile(g, { threads: 1 });
      const Arr = dtype === 'float32' ? Float32Array : Float64Array;
      const out = await s.run({ x: tensor(Arr.from([5, 5, 1, 5, 5, 1]), [1, 1, 2, 3]) });
      await s.release();
      // Tiling: one window over columns 0–1 (column 2 is dropped), all four taps 5: the first gets 1.
      // Stride 1: windows at columns 0 and 1; the first's first tap is (0, 0), the second's (0, 1).
      const expected = o.stride === 1 ? [1, 1, 0, 0, 0, 0] : [1, 0, 0, 0, 0, 0];
      assert.deepEqual(Array.from(out.dx.data as Float64Array), expected, dtype);
    }
  });
}
