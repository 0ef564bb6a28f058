/** Every differentiable op's gradient against central finite differences (float64 unless ORT lacks the kernel). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { op, Graph } from '../../src/graph/index.js';
import { ShapeError } from '../../src/errors.js';
import { gradCheck, type GradCase } from './gradcheck.js';

const positive = (z: number) => Math.exp(0.5 * z);
const awayFromZero = (z: number) => (z >= 0 ? z + 0.1 : z - 0.1); // no finite-difference step crosses a kink

const cases: Record<string, GradCase> = {
  'Add with broadcasting [3,4] + [4]': { shapes: [[3, 4], [4]], build: ([a, b]) => op.add(a, b) },
  'Add with broadcasting [2,1,4] + [3,1]': { shapes: [[2, 1, 4], [3, 1]], build: ([a, b]) => op.add(a, b) },
  'Sub with broadcasting [3,4] - [3,1]': { shapes: [[3, 4], [3, 1]], build: ([a, b]) => op.sub(a, b) },
  'Mul with broadcasting [2,3,4] * [1,4]': { shapes: [[2, 3, 4], [1, 4]], build: ([a, b]) => op.mul(a, b) },
  'Div with broadcasting [3,4] / [4]': { shapes: [[3, 4], [4]], build: ([a, b]) => op.div(a, b), draw: (z, i) => (i === 1 ? 1 + positive(z) : z) },
  Neg: { shapes: [[3, 4]], build: ([a]) => op.neg(a) },
  square: { shapes: [[3, 4]], build: ([a]) => op.square(a) },
  'MatMul 2-D (as Gemm)': { shapes: [[3, 5], [5, 4]], build: ([a, b]) => op.matmul(a, b) },
  'MatMul batched population [K,in,out] x shared [B,in]': { shapes: [[4, 5], [3, 5, 2]], build: ([a, b]) => op.matmul(a, b) },
  'MatMul batched [K,B,in] x [K,in,out]': { shapes: [[2, 3, 5], [2, 5, 4]], build: ([a, b]) => op.matmul(a, b) },
  'Gemm transA transB alpha beta with bias C': {
    shapes: [[5, 3], [4, 5], [4]],
    build: ([a, b, c]) => op.gemm(a, b, c, { transA: true, transB: true, alpha: 0.7, beta: 1.3 }),
  },
  Relu: { shapes: [[3, 4]], build: ([a]) => op.relu(a), draw: awayFromZero },
  Tanh: { shapes: [[3, 4]], build: ([a]) => op.tanh(a) },
  Sigmoid: { shapes: [[3, 4]], build: ([a]) => op.sigmoid(a) },
  Exp: { shapes: [[3, 4]], build: ([a]) => op.exp(a) },
  Log: { shapes: [[3, 4]], build: ([a]) => op.log(a), draw: positive },
  Softmax: { shapes: [[3, 5]], build: ([a]) => op.softmax(a, -1) },
  'Softmax axis 0': { shapes: [[3, 5]], build: ([a]) => op.softmax(a, 0) },
  LogSoftmax: { shapes: [[3, 5]], build: ([a]) => op.logSoftmax(a, -1) },
  'ReduceSum axes [1] keepdims': { shapes: [[3, 4, 2]], build: ([a]) => op.reduceSum(a, [1], true) },
  'ReduceSum axes [0,2]': { shapes: [[3, 4, 2]], build: ([a]) => op.reduceSum(a, [0, 2]) },
  'ReduceMean all': { shapes: [[3, 4]], build: ([a]) => op.reduceMean(a) },
  ReduceSumSquare: { shapes: [[3, 4]], build: ([a]) => op.reduceSumSquare(a, [1]) },
  Reshape: { shapes: [[3, 4]], build: ([a]) => op.tanh(op.reshape(a, [2, 6])) },
  Transpose: { shapes: [[2, 3, 4]], build: ([a]) => op.transpose(a, [2, 0, 1]) },
  Unsqueeze: { shapes: [[3, 4]], build: ([a]) => op.unsqueeze(a, [0]) },
  Concat: { shapes: [[3, 2], [3, 4]], build: ([a, b]) => op.concat([a, b], 1) },
  Slice: { shapes: [[5, 4]], build: ([a]) => op.slice(a, [1, 1], [4, 3], [0, 1]) },
  Where: {
    shapes: [[3, 4], [4]],
    build: ([a, b]) => op.where(a.graph.constant([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0].map(Boolean), [3, 4], 'bool'), a, b),
  },
  'Gather rows with repeated indices': {
    shapes: [[5, 3]],
    ints: [{ shape: [4], values: [0, 2, 2, 4] }],
    build: ([a, idx]) => op.gather(a, idx),
  },
  'GatherElements (label log-probabilities)': {
    shapes: [[4, 3]],
    ints: [{ shape: [4, 1], values: [0, 2, 1, 2] }],
    build: ([a, idx]) => op.gatherElements(op.logSoftmax(a), idx, 1),
  },
  'Dropout with an explicit keep mask': {
    shapes: [[3, 4]],
    build: ([a]) => op.dropout(a, a.graph.constant([1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0], [3, 4], 'float64'), 0.25),
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`gradient of ${name} matches finite differences (float64, 1e-6)`, async () => {
    await gradCheck(c);
  });
}

// float32 runs ORT's own Erf kernel, checked with central differences of step 1e-2 and a 2e-3
// relative tolerance; float64 composes erf from primitives (erf64.test.ts checks it to 1e-6).
test('gradient of Gelu (exact erf form) through ORT\'s Erf kernel matches finite differences (float32, tolerance 2e-3)', async () => {
  await gradCheck({ shapes: [[3, 4]], build: ([a]) => op.gelu(a), dtype: 'float32', tol: 2e-3, eps: 1e-2 });
});

test('a chain of ops composes (MLP-like: Gemm, Tanh, LogSoftmax, GatherElements, ReduceMean)', async () => {
  await gradCheck({
    shapes: [[4, 3], [3, 5], [5]],
    ints: [{ shape: [4, 1], values: [1, 0, 4, 2] }],
    build: ([x, w, b, y]) => op.reduceMean(op.neg(op.gatherElements(op.logSoftmax(op.tanh(op.gemm(x, w, b))), y, 1))),
  });
});

test('shape errors name the op, its inputs and their shapes', () => {
  const g = new Graph();
  const a = g.input('a', 'float32', [3, 4]);
  const b = g.input('b', 'float32', [5, 2]);
  assert.throws(() => op.matmul(a, b), (e: unknown) => e instanceof ShapeError && /MatMul\(a: \[3, 4\], b: \[5, 2\]\).*inner dimensions differ \(4 vs 5\)/.test(e.message));
  const c = g.input('c', 'float32', [3, 5]);
  assert.throws(() => op.add(a, c), /Add\(a: \[3, 4\], c: \[3, 5\]\): shapes do not broadcast/);
  assert.throws(() => op.reshape(a, [5, 2]), /Reshape\(a: \[3, 4\]\) to \[5, 2\]: element counts differ \(12 vs 10\)/);
});
