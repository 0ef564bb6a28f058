/** `l2lab inspect | train | tune --model net.onnx` end to end: the report's numbers, the exported model, and bad input as clear errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { l2lab, l2labHere } from '../cli/helpers.js';
import { loadDataset } from '../../src/data/index.js';
import { prepareSplits } from '../../src/train/prepare.js';
import { values, writeModel, type ModelSpec } from './build-model.js';

/** wine (13 features, 3 classes): 13 → 8 → ReLU → 3, as PyTorch's old exporter writes nn.Linear. */
const W1 = values(8 * 13, 1).map((v) => v / 2);
const W2 = values(3 * 8, 3);
const NET: ModelSpec = {
  input: { name: 'x', dims: ['N', 13] },
  nodes: [
    { op: 'Gemm', inputs: ['x', 'fc1.weight', 'fc1.bias'], outputs: ['h'], name: '/fc1/Gemm', attrs: { transB: 1 } },
    { op: 'Relu', inputs: ['h'], outputs: ['r'] },
    { op: 'Gemm', inputs: ['r', 'fc2.weight', 'fc2.bias'], outputs: ['logits'], name: '/fc2/Gemm', attrs: { transB: 1 } },
  ],
  inits: [
    { name: 'fc1.weight', dims: [8, 13], values: W1 },
    { name: 'fc1.bias', dims: [8], values: values(8, 2) },
    { name: 'fc2.weight', dims: [3, 8], values: W2 },
    { name: 'fc2.bias', dims: [3], values: values(3, 4) },
  ],
  outputs: [{ name: 'logits', dims: ['N', 3] }],
};

test("inspect --model net.onnx: each initializer's penalty at the file's weights, the measured data loss and their ratio", async () => {
  const file = writeModel(NET, 'wine-mlp.onnx');
  const r = await l2lab('inspect', '--data', 'wine', '--model', file, '--lambda', '10', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const m = prepareSplits(loadDataset('wine'), { validation: 0.1, test: 0.2, seed: 0 }).train.n;
  const sumSq = [...Float32Array.from(W1), ...Float32Array.from(W2)].reduce((a, v) => a + v * v, 0);
  assert.equal(report.m, m);
  assert.equal(report.init, 'file');
  assert.ok(Math.abs(report.sum_sq - sumSq) < 1e-9 * sumSq);
  assert.ok(Math.abs(report.penalty - (10 / (2 * m)) * sumSq) < 1e-9);
  assert.deepEqual(report.parameters.map((p: { name: string; penalized: boolean }) => [p.name, p.penalized]), [['fc1.weight', true], ['fc1.bias', false], ['fc2.weight', true], ['fc2.bias', false]]);
  assert.ok(report.data_loss > 0 && Number.isFinite(report.data_loss));
  assert.ok(Math.abs(report.penalty_to_data_loss - report.penalty / report.data_loss) < 1e-12);
  assert.ok(report.conversions.some((c: { to: string }) => c.to === 'pytorch'));
  const text = await l2lab('inspect', '--data', 'wine', '--model', file, '--lambda', '10');
  assert.match(text.stdout, /Parameters: 139 \(128 penalized, 11 free\)/);
  assert.match(text.stdout, /At the file's weights, the graph run on the \d+ training rows:/);
  assert.match(text.stdout, /penalty \/ data loss/);
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('train --model net.onnx from the file, and re-initialized; --out writes a model that evaluate runs', async () => {
  const file = writeModel(NET, 'wine-mlp.onnx');
  const out = path.join(path.dirname(file), 'trained.onnx');
  const fromFile = await l2lab('train', '--data', 'wine', '--model', file, '--lambda', '1', '--epochs', '3', '--json', '--out', out);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  const he = await l2lab('train', '--data', 'wine', '--model', file, '--lambda', '1', '--epochs', '3', '--json', '--init', 'he');
  const inspected = JSON.parse((await l2lab('inspect', '--data', 'wine', '--model', file, '--lambda', '1', '--json')).stdout);
  const [a, b] = [JSON.parse(fromFile.stdout), JSON.parse(he.stdout)];
  // Training starts from the file's weights unless --init says otherwise: the data loss inspect measured (float64; training runs float32).
  assert.ok(Math.abs(a.init.data_loss - inspected.data_loss) < 1e-6 * inspected.data_loss, `${a.init.data_loss} vs ${inspected.data_loss}`);
  assert.notEqual(b.init.data_loss, a.init.data_loss);
  assert.ok(a.epochs[2].data_loss < a.init.data_loss);
  const evaluated = await l2lab('evaluate', '--model', out, '--data', 'wine', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.ok(Math.abs(JSON.parse(evaluated.stdout).loss - a.test.loss) < 1e-4);
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('tune --model net.onnx trains the λ grid as one population and refits', async () => {
  const file = writeModel(NET, 'wine-mlp.onnx');
  const r = await l2lab('tune', '--data', 'wine', '--model', file, '--lambdas', '0.1,10', '--folds', '2', '--epochs', '2', '--storage', ':memory:', '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.trials.length, 2);
  // 2 λ × 2 folds stacked: each engine pass trains all four members.
  assert.ok(result.cost.passes < 2 * 2 * 2 * 2, `${result.cost.passes} engine passes`);
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('bad input with --model net.onnx: a clear error and exit 2, no stack trace', async () => {
  const file = writeModel({ ...NET, nodes: [...NET.nodes.slice(0, 2), { op: 'LeakyRelu', inputs: ['r'], outputs: ['q'], name: '/act/LeakyRelu' }, { ...NET.nodes[2], inputs: ['q', 'fc2.weight', 'fc2.bias'] }] }, 'leaky.onnx');
  const cases: [string[], RegExp][] = [
    [['train', '--data', 'wine', '--model', file, '--lambda', '1'], /uses an operator l2lab cannot train: LeakyRelu \(node '\/act\/LeakyRelu'\)\. Supported: Gemm/],
    [['train', '--data', 'wine', '--model', file, '--lambda', '1', '--activation', 'tanh'], /--activation applies to mlp:… and cnn:… models, not to --model .*leaky\.onnx/],
    [['train', '--data', 'wine', '--model', 'mlp:8', '--lambda', '1', '--penalize', '*.bias'], /--penalize applies to \.onnx models, not to --model mlp:8/],
    [['train', '--data', 'wine', '--model', 'mlp:8', '--lambda', '1', '--init', 'file'], /--init file keeps the weights of an imported graph: it needs --model path\/to\/net\.onnx/],
    [['inspect', '--data', 'wine', '--model', '/nonexistent/net.onnx', '--lambda', '1'], /Model file \/nonexistent\/net\.onnx not found/],
  ];
  for (const [args, message] of cases) {
    const r = await l2labHere(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  fs.rmSync(path.dirname(file), { recursive: true });
});

test('a CNN with BatchNorm (training-mode export form) on mnist-10k: --out writes an inference graph whose scores evaluate reproduces', async () => {
  const file = writeModel(
    {
      input: { name: 'x', dims: ['N', 1, 28, 28] },
      nodes: [
        { op: 'Conv', inputs: ['x', 'conv.weight', 'conv.bias'], outputs: ['c'], name: '/conv/Conv', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
        { op: 'BatchNormalization', inputs: ['c', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], outputs: ['b', 'bn.mean.out', 'bn.var.out'], name: '/bn/BatchNormalization', attrs: { epsilon: { float: 1e-5 }, momentum: { float: 0.9 }, training_mode: 1 } },
        { op: 'Relu', inputs: ['b'], outputs: ['r'] },
        { op: 'MaxPool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 0 } },
        { op: 'Flatten', inputs: ['p'], outputs: ['f'], attrs: { axis: 1 } },
        { op: 'Gemm', inputs: ['f', 'fc.weight', 'fc.bias'], outputs: ['logits'], name: '/fc/Gemm', attrs: { transB: 1 } },
      ],
      inits: [
        { name: 'conv.weight', dims: [2, 1, 3, 3], values: values(18, 5) },
        { name: 'conv.bias', dims: [2], values: [0.1, -0.1] },
        { name: 'bn.weight', dims: [2], values: [1, 1] },
        { name: 'bn.bias', dims: [2], values: [0, 0] },
        { name: 'bn.running_mean', dims: [2], values: [0, 0] },
        { name: 'bn.running_var', dims: [2], values: [1, 1] },
        { name: 'fc.weight', dims: [10, 392], values: values(3920, 6).map((v) => v / 10) },
        { name: 'fc.bias', dims: [10], values: values(10, 7) },
      ],
      outputs: [{ name: 'logits' }],
    },
    'cnn.onnx',
  );
  const out = path.join(path.dirname(file), 'cnn-trained.onnx');
  const trained = await l2lab('train', '--data', 'mnist-10k', '--model', file, '--lambda', '1', '--epochs', '1', '--batch-size', '256', '--json', '--out', out);
  assert.equal(trained.code, 0, trained.stderr);
  const report = JSON.parse(trained.stdout);
  assert.ok(report.epochs[0].data_loss < report.init.data_loss);
  const evaluated = await l2lab('evaluate', '--model', out, '--data', 'mnist-10k', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.ok(Math.abs(JSON.parse(evaluated.stdout).loss - report.test.loss) < 1e-4, `${JSON.parse(evaluated.stdout).loss} vs ${report.test.loss}`);
  fs.rmSync(path.dirname(file), { recursive: true });
});
