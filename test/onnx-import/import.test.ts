/** The importer: what it reads (inlined functions, folded shape chains, outputs, parameters) and every bad file it refuses before any work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Graph } from '../../src/graph/index.js';
import { CompiledGraph } from '../../src/engine/session.js';
import { tensor } from '../../src/engine/tensor.js';
import { type Architecture, paramShapes, parseModelSpec, type TaskShape } from '../../src/models/architecture.js';
import { paramDims } from '../../src/models/param-shape.js';
import { forwardModel } from '../../src/models/forward.js';
import { initParams } from '../../src/models/init.js';
import { modelBytes, values, writeModel, type ModelSpec, type NodeSpec } from './build-model.js';

const THREE: TaskShape = { task: 'classification', classes: 3 };

/** nn.Linear(4, 8) → ReLU → nn.Linear(8, 3), as the old exporter writes it. */
const LINEAR = (prefix: string, input: string, output: string, transB = true): NodeSpec => ({ op: 'Gemm', inputs: [input, `${prefix}.weight`, `${prefix}.bias`], outputs: [output], name: `/${prefix}/Gemm`, attrs: transB ? { transB: 1 } : {} });
const MLP_INITS = [
  { name: 'fc1.weight', dims: [8, 4], values: values(32, 1) },
  { name: 'fc1.bias', dims: [8], values: values(8, 2) },
  { name: 'fc2.weight', dims: [3, 8], values: values(24, 3) },
  { name: 'fc2.bias', dims: [3], values: values(3, 4) },
];
const MLP: ModelSpec = { nodes: [LINEAR('fc1', 'x', 'h'), { op: 'Relu', inputs: ['h'], outputs: ['r'] }, LINEAR('fc2', 'r', 'y')], inits: MLP_INITS };

function load(m: ModelSpec | Uint8Array, d = 4, task: TaskShape = THREE, o = {}): Architecture {
  return parseModelSpec(writeModel(m), d, task, o);
}

/** Logits of the imported graph at the file's weights on rows x [n, d] (float64). */
async function logits(arch: Architecture, x: number[], n: number): Promise<number[]> {
  const g = new Graph('check');
  const input = g.input('x', 'float64', ['n', arch.widths[0]]);
  const weights = initParams(arch, 'file', 0);
  const params = paramShapes(arch).map((p, i) => g.constant(weights[i], paramDims(p), 'float64'));
  g.output(forwardModel(arch, input, params, { training: false }).logits, 'logits');
  const s = await CompiledGraph.compile(g, { threads: 1 });
  const out = await s.run({ x: tensor(Float64Array.from(x), [n, arch.widths[0]]) });
  await s.release();
  return Array.from(out.logits.data as Float64Array);
}

function close(a: number[], b: number[], tol = 1e-12): void {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `element ${i}: ${v} vs ${b[i]}`));
}

test('an MLP from the old exporter: Gemm weights penalized, biases free, logits out, softmax cross-entropy', () => {
  const arch = load(MLP);
  assert.equal(arch.loss, 'softmax_ce');
  assert.deepEqual(arch.widths, [4, 3]);
  assert.deepEqual(paramShapes(arch).map((p) => [p.name, p.kind, p.fanIn, p.fanOut]), [
    ['fc1.weight', 'weight', 4, 8],
    ['fc1.bias', 'bias', 4, 8],
    ['fc2.weight', 'weight', 8, 3],
    ['fc2.bias', 'bias', 8, 3],
  ]);
  assert.equal(arch.onnx!.stacks, true);
});

test('the same MLP as Transpose + MatMul + Add, and as a local function called twice (the new exporter), computes the same logits', async () => {
  const linear = (prefix: string, input: string, output: string): NodeSpec[] => [
    { op: 'Transpose', inputs: [`${prefix}.weight`], outputs: [`${prefix}.t`], attrs: { perm: [1, 0] } },
    { op: 'MatMul', inputs: [input, `${prefix}.t`], outputs: [`${prefix}.mm`] },
    { op: 'Add', inputs: [`${prefix}.mm`, `${prefix}.bias`], outputs: [output] },
  ];
  const matmul = load({ nodes: [...linear('fc1', 'x', 'h'), { op: 'Relu', inputs: ['h'], outputs: ['r'] }, ...linear('fc2', 'r', 'y')], inits: MLP_INITS, opset: 18 });
  assert.deepEqual(paramShapes(matmul).map((p) => [p.name, p.kind, p.fanIn, p.fanOut]), paramShapes(load(MLP)).map((p) => [p.name, p.kind, p.fanIn, p.fanOut]));
  const call = (prefix: string, input: string, output: string): NodeSpec => ({ op: 'Linear', domain: 'pkg.torch.nn', inputs: [input, `${prefix}.weight`, `${prefix}.bias`], outputs: [output], name: `/${prefix}`, attrs: { perm: [1, 0] } });
  const body: NodeSpec[] = [
    { op: 'Transpose', inputs: ['w'], outputs: ['wt'], refs: { perm: 'perm' } },
    { op: 'MatMul', inputs: ['input', 'wt'], outputs: ['mm'] },
    { op: 'Add', inputs: ['mm', 'b'], outputs: ['out'] },
  ];
  const functions = [{ name: 'Linear', domain: 'pkg.torch.nn', inputs: ['input', 'w', 'b'], outputs: ['out'], attributes: ['perm'], nodes: body }];
  const inlined = load({ nodes: [call('fc1', 'x', 'h'), { op: 'Relu', inputs: ['h'], outputs: ['r'] }, call('fc2', 'r', 'y')], inits: MLP_INITS, opset: 18, functions });
  const x = values(20, 9);
  const want = await logits(load(MLP), x, 5);
  close(await logits(matmul, x, 5), want);
  close(await logits(inlined, x, 5), want);
});

test("x.view(x.size(0), -1)'s Shape → Gather → Unsqueeze → Concat → Reshape folds into a constant target, and a fixed export batch still runs any batch", async () => {
  const chain = (input: string): NodeSpec[] => [
    { op: 'Shape', inputs: [input], outputs: ['s'] },
    { op: 'Constant', inputs: [], outputs: ['zero'], attrs: { value_int: 0 } },
    { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
    { op: 'Constant', inputs: [], outputs: ['axes'], attrs: { value_ints: [0] } },
    { op: 'Unsqueeze', inputs: ['n', 'axes'], outputs: ['n1'] },
    { op: 'Constant', inputs: [], outputs: ['rest'], attrs: { value_ints: [-1] } },
    { op: 'Concat', inputs: ['n1', 'rest'], outputs: ['target'], attrs: { axis: 0 } },
    { op: 'Reshape', inputs: [input, 'target'], outputs: ['flat'] },
  ];
  const image = { height: 2, width: 2, channels: 1 };
  const inits = [{ name: 'fc.weight', dims: [3, 4], values: values(12, 5) }, { name: 'fc.bias', dims: [3], values: values(3, 6) }];
  const viewed = load({ input: { name: 'x', dims: ['N', 1, 2, 2] }, nodes: [...chain('x'), LINEAR('fc', 'flat', 'y')], inits }, 4, THREE, { image });
  assert.deepEqual(viewed.onnx!.nodes.map((n) => n.op), ['Shape', 'Constant', 'Gather', 'Constant', 'Unsqueeze', 'Constant', 'Concat', 'Reshape', 'Gemm']);
  const fixed = load({ input: { name: 'x', dims: [2, 1, 2, 2] }, nodes: [{ op: 'Reshape', inputs: ['x', 'target'], outputs: ['flat'] }, LINEAR('fc', 'flat', 'y')], inits: [...inits, { name: 'target', dims: [2], values: [2, -1], int: true }] }, 4, THREE, { image });
  assert.match(fixed.onnx!.notes.join('\n'), /fixes the batch at 2/);
  const x = values(20, 7);
  close(await logits(fixed, x, 5), await logits(viewed, x, 5));
});

test('the output decides the loss: Softmax and LogSoftmax are set aside for softmax cross-entropy, a Sigmoid logit for logistic, a value for regression', () => {
  const ending = (op: string, units: number) => ({ nodes: [LINEAR('fc', 'x', 'z'), { op, inputs: ['z'], outputs: ['y'], attrs: op === 'Sigmoid' ? {} : { axis: -1 } }], inits: [{ name: 'fc.weight', dims: [units, 4], values: values(4 * units) }, { name: 'fc.bias', dims: [units], values: values(units) }] });
  for (const op of ['Softmax', 'LogSoftmax']) {
    const a = load(ending(op, 3));
    assert.equal(a.loss, 'softmax_ce');
    assert.equal(a.onnx!.output.value, 'z');
    assert.match(a.onnx!.notes.join(' '), new RegExp(`ends in ${op}`));
  }
  assert.equal(load(ending('Sigmoid', 1), 4, { task: 'classification', classes: 2 }).loss, 'logistic');
  const renamed = ending('Softmax', 3);
  const throughIdentity = load({ ...renamed, nodes: [...renamed.nodes.slice(0, 1), { ...renamed.nodes[1], outputs: ['p'] }, { op: 'Identity', inputs: ['p'], outputs: ['y'] }] });
  assert.equal(throughIdentity.onnx!.output.value, 'z');
  assert.equal(load(ending('Relu', 1), 4, { task: 'regression' }).loss, 'mse');
  assert.throws(() => load(ending('Softmax', 4)), /outputs 4 probabilities per sample, but the data has 3 classes/);
  assert.throws(() => load(ending('Sigmoid', 3)), /Sigmoid over 3 outputs/);
  assert.throws(() => load(MLP, 4, { task: 'regression' }), /outputs 3 values per sample; the data has one numeric target/);
});

test('--penalize and --exclude name patterns move parameters in and out of the penalty; a pattern that matches nothing is an error', () => {
  assert.throws(() => load(MLP, 4, THREE, { penalize: ['fc1.*'], exclude: ['fc1.bias'] }), /'fc1.bias' matches both --penalize and --exclude/);
  assert.deepEqual(paramShapes(load(MLP, 4, THREE, { penalize: ['fc1.bias'], exclude: ['fc2.weight'] })).map((p) => p.kind), ['weight', 'weight', 'bias', 'bias']);
  assert.throws(() => load(MLP, 4, THREE, { penalize: ['conv*'] }), /--penalize 'conv\*' matches no parameter of the graph\. Its parameters: fc1\.weight, fc1\.bias, fc2\.weight, fc2\.bias/);
});

test('an initializer read by two nodes is one tied parameter, and the note says how it is treated', () => {
  const tied = load({ nodes: [LINEAR('fc', 'x', 'h'), { op: 'Relu', inputs: ['h'], outputs: ['r'] }, { op: 'Gemm', inputs: ['r', 'w2', 'fc.bias'], outputs: ['y'], name: 'second' }], inits: [{ name: 'fc.weight', dims: [4, 4], values: values(16) }, { name: 'fc.bias', dims: [4], values: values(4) }, { name: 'w2', dims: [4, 4], values: values(16, 3) }] }, 4, { task: 'classification', classes: 4 });
  assert.deepEqual(paramShapes(tied).map((p) => p.name), ['fc.weight', 'fc.bias', 'w2']);
  assert.match(tied.onnx!.notes.join('\n'), /initializer 'fc\.bias' is read by 2 nodes \(\/fc\/Gemm, second\): l2lab trains it as one parameter \(tied weights\), counted once in Σθ² and updated with the sum of its gradients/);
});

test('a Conv reading an exporter-made weight (a BatchNorm folded in eval mode) gets a note naming the training-mode export', () => {
  const arch = load(
    { input: { name: 'x', dims: ['N', 1, 3, 3] }, nodes: [{ op: 'Conv', inputs: ['x', 'onnx::Conv_7', 'onnx::Conv_8'], outputs: ['c'], attrs: { kernel_shape: [3, 3] } }, { op: 'Flatten', inputs: ['c'], outputs: ['y'] }], inits: [{ name: 'onnx::Conv_7', dims: [3, 1, 3, 3], values: values(27) }, { name: 'onnx::Conv_8', dims: [3], values: values(3) }] },
    9,
    THREE,
    { image: { height: 3, width: 3, channels: 1 } },
  );
  assert.match(arch.onnx!.notes.join('\n'), /BatchNorm exported in eval mode and folded .* training=torch\.onnx\.TrainingMode\.TRAINING, do_constant_folding=False/);
  assert.equal(arch.onnx!.stacks, false);
});

test('bad files are refused before any work, each with the problem and the fix', () => {
  const csv = writeModel(new TextEncoder().encode('a,b,target\n1,2,cat\n3,4,dog\n'), 'data.onnx');
  assert.throws(() => parseModelSpec(csv, 4, THREE), /is not an ONNX model/);
  const bytes = modelBytes(MLP);
  assert.throws(() => load(bytes.subarray(0, Math.floor(bytes.length * 0.6))), /truncated/);
  assert.throws(() => parseModelSpec('/nonexistent/net.onnx', 4, THREE), /Model file \/nonexistent\/net\.onnx not found/);
  const intOut = { nodes: [{ op: 'Shape', inputs: ['x'], outputs: ['y'] }], outputs: [{ name: 'y', type: 7 }] };
  assert.throws(() => load(intOut), /has no float output \(y: INT64\)/);
  assert.throws(() => load({ ...MLP, input: { name: 'x', dims: ['N', 'a', 'b'] } }), /2 dynamic dimensions besides the batch, and the data \(4 features per row\) fixes at most one/);
  assert.throws(() => load({ ...MLP, input: { name: 'x', dims: ['N', 5] } }), /takes 5 values per sample, but the data has 4 features per row/);
  assert.throws(() => load({ nodes: [LINEAR('fc', 'x', 'y')], inits: [{ name: 'fc.weight', dims: [20000, 6000] }, { name: 'fc.bias', dims: [20000] }] }), /120,020,000 float parameters; l2lab trains at most 100,000,000/);
  const lstm = { nodes: [{ op: 'LSTM', inputs: ['x'], outputs: ['y'], name: '/rnn/LSTM' }] };
  assert.throws(() => load(lstm), /uses an operator l2lab cannot train: LSTM \(node '\/rnn\/LSTM'\)\. Supported: Gemm, MatMul, .*BatchNormalization.*; on integer shape values Shape, Gather/);
  assert.throws(() => load(MLP, 4, THREE, { dropout: 0.2 }), /--dropout applies to mlp: and cnn: models/);
});

test('--init file needs an imported graph; other initializers re-draw its weights by fan-in', () => {
  assert.throws(() => initParams(parseModelSpec('mlp:8', 4, THREE), 'file', 0), /--init file keeps the weights of an imported graph/);
  const arch = load(MLP);
  const he = initParams(arch, 'he', 3);
  const variance = he[0].reduce((a, v) => a + v * v, 0) / he[0].length;
  assert.ok(Math.abs(variance - 2 / 4) < 0.25, `He variance ${variance} for fan-in 4`);
  assert.deepEqual(Array.from(he[1]), new Array(8).fill(0));
  assert.deepEqual(Array.from(initParams(arch, 'file', 0)[3]), Array.from(Float32Array.from(values(3, 4))));
  fs.rmSync(arch.onnx!.file);
});
