/**
 * Every operator the importer accepts, translated onto the graph builder, has its gradient checked
 * against central finite differences in float64 (as test/graph does for the engine's own ops),
 * including the population forms of the dense ones and their ONNX attributes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../../src/graph/index.js';
import { tensor, type Entry, type TranslateContext } from '../../src/onnx-import/entries.js';
import type { NodeAttr } from '../../src/onnx-import/net.js';
import { FLOAT_OPERATORS, OPERATORS } from '../../src/onnx-import/operators.js';
import { gradCheck, type GradCase } from '../graph/gradcheck.js';

interface OpCase {
  op: string;
  shapes: number[][];
  attrs?: Record<string, NodeAttr>;
  /** Which inputs carry a leading population axis K. */
  members?: boolean[];
  /** Float inputs held constant after the checked ones (BatchNorm's running mean and variance: not differentiated). */
  fixed?: number[][];
  /** Integer inputs after the float ones (e.g. Reshape's target). */
  ints?: { dims: number[]; data: number[] }[];
  training?: boolean;
  /** A 0/1 keep-mask for Dropout ([B, width]). */
  keep?: number[];
  draw?: GradCase['draw'];
  opset?: number;
}

const awayFromZero = (z: number) => (z >= 0 ? z + 0.1 : z - 0.1);
const positive = (z: number) => 1 + Math.exp(0.5 * z);

/** Runs one node's translation on the gradient check's inputs. */
function translate(c: OpCase, xs: Value[]): Value {
  const g = xs[0].graph;
  const all = [...xs, ...(c.fixed ?? []).map((v) => g.constant(v, [v.length], 'float64'))];
  const names = all.map((_, i) => `in${i}`);
  const ins: Entry[] = all.map((x, i) => tensor(x, c.members?.[i] ?? false));
  for (const t of c.ints ?? []) ins.push({ kind: 'ints', dims: t.dims, data: t.data });
  const node = { op: c.op, name: 'node', inputs: [...names, ...(c.ints ?? []).map((_, i) => `int${i}`)], outputs: ['y'], attrs: c.attrs ?? {} };
  const ctx: TranslateContext = {
    g,
    dtype: 'float64',
    training: c.training ?? false,
    paramIndex: new Map(names.map((n, i) => [n, i])),
    running: new Map(),
    keepMasks: new Map(c.keep ? [['node', g.constant(c.keep, [c.shapes[0][0], c.keep.length / c.shapes[0][0]], 'float64')]] : []),
    opset: c.opset ?? 17,
  };
  const [y] = OPERATORS[c.op](node, ins, ctx);
  assert.equal(y.kind, 'tensor');
  return (y as { value: Value }).value;
}

const cases: Record<string, OpCase> = {
  'Gemm transB (nn.Linear)': { op: 'Gemm', shapes: [[3, 4], [5, 4], [5]], attrs: { transB: 1 } },
  'Gemm transA, alpha 0.7, beta 1.3': { op: 'Gemm', shapes: [[4, 3], [4, 5], [5]], attrs: { transA: 1, alpha: 0.7, beta: 1.3 } },
  'Gemm population: shared A, B [K, out, in], C [K, out]': { op: 'Gemm', shapes: [[3, 4], [2, 5, 4], [2, 5]], attrs: { transB: 1, alpha: 0.5, beta: 2 }, members: [false, true, true] },
  'MatMul [3,4]·[4,2]': { op: 'MatMul', shapes: [[3, 4], [4, 2]] },
  'MatMul batched [2,3,4]·[4,5]': { op: 'MatMul', shapes: [[2, 3, 4], [4, 5]] },
  'MatMul population [K,B,in]·[K,in,out]': { op: 'MatMul', shapes: [[2, 3, 4], [2, 4, 5]], members: [true, true] },
  'Add a bias [4] to [3,4]': { op: 'Add', shapes: [[3, 4], [4]] },
  'Add a population bias [K,4] to [K,3,4]': { op: 'Add', shapes: [[2, 3, 4], [2, 4]], members: [true, true] },
  'Sub with broadcasting [3,4] − [3,1]': { op: 'Sub', shapes: [[3, 4], [3, 1]] },
  'Mul with broadcasting [2,3,4]·[4]': { op: 'Mul', shapes: [[2, 3, 4], [4]] },
  'Mul population [K,3,4]·shared [3,4]': { op: 'Mul', shapes: [[2, 3, 4], [3, 4]], members: [true, false] },
  'Div [3,4] / [4]': { op: 'Div', shapes: [[3, 4], [4]], draw: (z, i) => (i === 1 ? positive(z) : z) },
  Relu: { op: 'Relu', shapes: [[3, 4]], draw: awayFromZero },
  Sigmoid: { op: 'Sigmoid', shapes: [[3, 4]] },
  Tanh: { op: 'Tanh', shapes: [[3, 4]] },
  'Erf (float64, composed)': { op: 'Erf', shapes: [[3, 4]], draw: (z) => 1.8 * z },
  'Softmax (last axis)': { op: 'Softmax', shapes: [[3, 5]] },
  'Softmax axis 1 of a rank-3 input (opset 13)': { op: 'Softmax', shapes: [[2, 3, 4]], attrs: { axis: 1 } },
  'Softmax population (axis −1)': { op: 'Softmax', shapes: [[2, 3, 5]], members: [true] },
  'LogSoftmax (opset 11, axis 1 of [B, C])': { op: 'LogSoftmax', shapes: [[3, 5]], attrs: { axis: 1 }, opset: 11 },
  'Dropout with a keep mask (training)': { op: 'Dropout', shapes: [[3, 4]], training: true, keep: [1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0], attrs: { ratio: 0.25 }, opset: 11 },
  'Dropout in evaluation (identity)': { op: 'Dropout', shapes: [[3, 4]] },
  Identity: { op: 'Identity', shapes: [[3, 4]] },
  'Conv 3×3, pads 1 (PyTorch padding=1), bias': { op: 'Conv', shapes: [[2, 2, 5, 4], [3, 2, 3, 3], [3]], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
  'Conv 3×3 stride 2, uneven pads [0,1,1,0], no bias': { op: 'Conv', shapes: [[1, 1, 6, 5], [2, 1, 3, 3]], attrs: { kernel_shape: [3, 3], pads: [0, 1, 1, 0], strides: [2, 2] } },
  'Conv 2×2 auto_pad SAME_UPPER': { op: 'Conv', shapes: [[1, 2, 5, 5], [2, 2, 2, 2], [2]], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
  'MaxPool 2×2 stride 2': { op: 'MaxPool', shapes: [[2, 2, 4, 6]], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] } },
  'MaxPool 3×3 stride 1 (overlapping)': { op: 'MaxPool', shapes: [[1, 2, 4, 4]], attrs: { kernel_shape: [3, 3] } },
  'AveragePool 2×2 stride 2': { op: 'AveragePool', shapes: [[1, 2, 5, 4]], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  GlobalAveragePool: { op: 'GlobalAveragePool', shapes: [[2, 3, 3, 2]] },
  'BatchNormalization training, images [N, C, H, W]': { op: 'BatchNormalization', shapes: [[3, 2, 2, 3], [2], [2]], fixed: [[0.1, -0.2], [1.5, 0.7]], training: true },
  'BatchNormalization training, features [N, C]': { op: 'BatchNormalization', shapes: [[5, 3], [3], [3]], fixed: [[0, 0, 0], [1, 1, 1]], training: true },
  'BatchNormalization evaluation (running statistics), [N, C, L]': { op: 'BatchNormalization', shapes: [[2, 3, 4], [3], [3]], fixed: [[0.3, -1, 0.2], [0.5, 2, 1.3]], attrs: { epsilon: 1e-3 } },
  'Flatten axis 1': { op: 'Flatten', shapes: [[2, 3, 2, 2]] },
  'Flatten population': { op: 'Flatten', shapes: [[2, 3, 2, 2]], members: [true] },
  'Reshape to [0, -1] (copy the batch, infer the rest)': { op: 'Reshape', shapes: [[2, 3, 4]], ints: [{ dims: [2], data: [0, -1] }] },
  'Transpose perm [2, 0, 1]': { op: 'Transpose', shapes: [[2, 3, 4]], attrs: { perm: [2, 0, 1] } },
  'Transpose default (reversed axes)': { op: 'Transpose', shapes: [[3, 5]] },
};

test('every float operator the importer accepts has a gradient case below', () => {
  const covered = new Set(Object.values(cases).map((c) => c.op));
  assert.deepEqual(Object.keys(FLOAT_OPERATORS).filter((op) => !covered.has(op)), []);
});

for (const [name, c] of Object.entries(cases)) {
  test(`gradient of imported ${name} matches finite differences (float64, 1e-6)`, async () => {
    await gradCheck({ shapes: c.shapes, build: (xs) => translate(c, xs), draw: c.draw });
  });
}

test("gradient of PyTorch's exported GELU (Div by √2, Erf, Add 1, Mul x, Mul ½) matches finite differences (float64, 1e-6)", async () => {
  await gradCheck({
    shapes: [[3, 4]],
    draw: (z) => 2 * z,
    build: ([x]) => {
      const g = x.graph;
      const c = (v: number) => tensor(g.constant([v], [], 'float64'), false);
      const step = (op: string, a: Entry, b?: Entry) => OPERATORS[op]({ op, name: op, inputs: b ? ['a', 'b'] : ['a'], outputs: ['y'], attrs: {} }, b ? [a, b] : [a], { g, dtype: 'float64', training: false, paramIndex: new Map(), running: new Map(), keepMasks: new Map(), opset: 17 })[0];
      const xe = tensor(x, false);
      const e = step('Erf', step('Div', xe, c(Math.SQRT2)));
      return (step('Mul', step('Mul', xe, step('Add', e, c(1))), c(0.5)) as { value: Value }).value;
    },
  });
});
