/** `l2lab train` and `l2lab evaluate` end to end: the --json contract, the init penalty, --out and evaluate on the same rows. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { loadDataset, splitIndices } from '../../src/data/index.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { datasetCsv, l2lab, scratch } from './helpers.js';

const { onnx } = onnxProto;

interface EpochJson {
  epoch: number;
  data_loss: number;
  penalty: number;
  cost: number;
  sum_sq: number;
  val_loss?: number;
  val_accuracy?: number;
  val_rmse?: number;
}
interface TrainJson {
  params: number;
  m: number;
  lambda: number;
  convention: string;
  init: { data_loss: number; penalty: number };
  epochs: EpochJson[];
  test: { loss: number; accuracy?: number; rmse?: number };
  diverged: boolean;
}

const close = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-12), `${what}: ${a} vs ${b}`);

/** The documented --json fields (extra fields are allowed). */
function assertContract(r: TrainJson, task: 'classification' | 'regression', epochs: number): void {
  for (const k of ['params', 'm', 'lambda', 'convention', 'init', 'epochs', 'test', 'diverged']) assert.ok(k in r, `--json lacks '${k}'`);
  assert.deepEqual(Object.keys(r.init).sort(), ['data_loss', 'penalty']);
  assert.equal(r.diverged, false);
  assert.equal(r.epochs.length, epochs);
  const metric = task === 'classification' ? 'val_accuracy' : 'val_rmse';
  r.epochs.forEach((e, i) => {
    for (const k of ['epoch', 'data_loss', 'penalty', 'cost', 'val_loss', metric]) assert.equal(typeof (e as unknown as Record<string, unknown>)[k], 'number', `epochs[${i}].${k}`);
    assert.equal(e.epoch, i + 1);
    close(e.cost, e.data_loss + e.penalty, 1e-12, `epoch ${e.epoch} cost = data loss + penalty`);
    close(e.penalty, (r.lambda / (2 * r.m)) * e.sum_sq, 1e-9, `epoch ${e.epoch} penalty = λ/(2m)·Σθ²`);
  });
  assert.equal(typeof r.test.loss, 'number');
  assert.equal(typeof (task === 'classification' ? r.test.accuracy : r.test.rmse), 'number');
}

describe('l2lab train --json', { concurrency: 3 }, () => {
  it('prints the documented object on wine; the init penalty is λ/(2m)·Σθ² of the He-initialized weights', async () => {
    const r = await l2lab('train', '--data', 'wine', '--model', 'mlp:8', '--lambda', '3', '--epochs', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout) as TrainJson;
    assertContract(out, 'classification', 3);
    // wine: 178 rows, 10% validation and 20% test held out → m = 178 − 18 − 36.
    assert.equal(out.m, 124);
    assert.equal(out.params, 13 * 8 + 8 + 8 * 3 + 3);
    assert.equal(out.lambda, 3);
    assert.equal(out.convention, 'seed');
    // The same seeded initializer, weights only, rounded to float32 as the engine trains in float32.
    const arch = parseModelSpec('mlp:8', 13, { task: 'classification', classes: 3 });
    const init = initParams(arch, 'he', 0);
    const sumSq = [init[0], init[2]].reduce((s, w) => s + Float32Array.from(w).reduce((a, v) => a + v * v, 0), 0);
    close(out.init.penalty, (3 / (2 * 124)) * sumSq, 1e-6, 'init penalty');
    // Expected magnitude: E Σθ² = Σ_layers fan_out·2 (He: variance 2/fan_in) = 2·(8 + 3) = 22.
    const expected = (3 / (2 * 124)) * 22;
    assert.ok(out.init.penalty > 0.6 * expected && out.init.penalty < 1.4 * expected, `init penalty ${out.init.penalty} vs E = ${expected}`);
    // Three classes at chance: the data loss starts near ln 3 (He init gives logits of order 1).
    assert.ok(out.init.data_loss > 0.5 && out.init.data_loss < 3, `init data loss ${out.init.data_loss}`);
    assert.ok(out.epochs[2].data_loss < out.init.data_loss, 'training lowers the data loss');
  });

  it('regression (diabetes, linear) reports val_rmse and test rmse', async () => {
    const r = await l2lab('train', '--data', 'diabetes', '--model', 'linear', '--lambda', '10', '--epochs', '2', '--lr', '0.05', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as TrainJson;
    assertContract(out, 'regression', 2);
    assert.equal(out.params, 11);
    assert.ok(out.test.rmse! > 0);
  });

  it('--convention keras --lambda l reports the penalty l·Σθ² (λ = 2m·l)', async () => {
    const r = await l2lab('train', '--data', 'wine', '--model', 'softmax', '--lambda', '0.01', '--convention', 'keras', '--epochs', '1', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as TrainJson;
    assert.equal(out.convention, 'keras');
    close(out.epochs[0].penalty, 0.01 * out.epochs[0].sum_sq, 1e-9, 'keras penalty');
  });

  it('--validation 0 trains on train + validation rows and reports no validation metrics', async () => {
    const r = await l2lab('train', '--data', 'wine', '--model', 'softmax', '--lambda', '1', '--epochs', '2', '--validation', '0', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as TrainJson;
    assert.equal(out.m, 178 - 36);
    for (const e of out.epochs) assert.ok(!('val_loss' in e) && !('val_accuracy' in e), `epoch ${e.epoch} has validation fields: ${JSON.stringify(e)}`);
    assert.equal(typeof out.test.accuracy, 'number');
  });

  it('prints a table from initialization on, then the test metrics', async () => {
    const r = await l2lab('train', '--data', 'wine', '--model', 'softmax', '--lambda', '1', '--epochs', '2');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /epoch +data loss +penalty +cost +val loss +val acc/);
    assert.match(r.stdout, /\n +init +\d/);
    assert.match(r.stdout, /\n +2 +\d/);
    assert.match(r.stdout, /test: loss \d\.\d+, accuracy \d+\.\d+%/);
  });
});

describe('l2lab train --out, then l2lab evaluate', { concurrency: 2 }, () => {
  it('writes model.onnx + model.onnx.json; evaluate on the test rows reproduces the reported test metrics', async () => {
    const dir = scratch('cli-out');
    const model = path.join(dir, 'wine.onnx');
    const r = await l2lab('train', '--data', 'wine', '--model', 'mlp:16', '--activation', 'tanh', '--lambda', '2', '--epochs', '5', '--seed', '3', '--out', model, '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as TrainJson;
    assert.deepEqual(fs.readdirSync(dir).sort(), ['wine.onnx', 'wine.onnx.json']);
    const side = JSON.parse(fs.readFileSync(`${model}.json`, 'utf8'));
    assert.equal(side.format, 'l2lab-model');
    assert.deepEqual(side.architecture.widths, [13, 16, 3]);
    assert.equal(side.architecture.activation, 'tanh');
    assert.equal(side.convention, 'seed');
    assert.equal(side.lambda, 2);
    assert.deepEqual(side.classes, ['class_0', 'class_1', 'class_2']);
    assert.equal(side.preprocessing.standardize.mean.length, 13);
    assert.equal(side.preprocessing.standardize.std.length, 13);

    // The test rows of the same seeded split, raw features (standardization is inside the graph).
    const data = loadDataset('wine');
    const { test } = splitIndices(data, { validation: 0.1, test: 0.2, seed: 3 });
    const csv = path.join(dir, 'test-rows.csv');
    fs.writeFileSync(csv, datasetCsv(data, test));
    const e = await l2lab('evaluate', '--model', model, '--data', csv, '--json');
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { n: number; loss: number; accuracy: number };
    assert.equal(ev.n, test.length);
    assert.equal(ev.accuracy, report.test.accuracy);
    close(ev.loss, report.test.loss, 1e-4, 'test loss: evaluate (float32 ONNX) vs train (float64)');

    // The file alone, in a fresh ONNX Runtime session: standard operators only, raw features in.
    const proto = onnx.ModelProto.decode(fs.readFileSync(model));
    const ops = new Set((proto.graph?.node ?? []).map((n) => `${n.domain ?? ''}:${n.opType}`));
    assert.deepEqual([...ops].filter((o) => !/^:(Sub|Div|Gemm|Tanh|Softmax)$/.test(o)), [], `operators: ${[...ops].join(', ')}`);
    const session = await ort.InferenceSession.create(model);
    const x = Float32Array.from(Array.from(test).flatMap((r) => Array.from(data.x.subarray(r * 13, (r + 1) * 13))));
    const probs = (await session.run({ x: new ort.Tensor('float32', x, [test.length, 13]) })).probabilities.data as Float32Array;
    let correct = 0;
    Array.from(test).forEach((r, i) => {
      const p = Array.from(probs.subarray(3 * i, 3 * i + 3));
      if (p.indexOf(Math.max(...p)) === data.y[r]) correct++;
    });
    assert.equal(correct / test.length, report.test.accuracy);
    await session.release();

    // By built-in name (the README's example): the sidecar's split picks the same test rows; --all scores every row.
    const held = await l2lab('evaluate', '--model', model, '--data', 'wine');
    assert.equal(held.code, 0, held.stderr);
    assert.match(held.stdout, new RegExp(`^wine: n = ${test.length}, loss \\d\\.\\d+, accuracy ${(100 * report.test.accuracy!).toFixed(2)}%`));
    assert.match(held.stdout, new RegExp(`rows scored: test split: ${test.length} of 178 rows \\(seed 3, test 0\\.2\\)`));
    assert.equal(side.split.seed, 3);
    const all = await l2lab('evaluate', '--model', model, '--data', 'wine', '--all');
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^wine: n = 178, loss \d\.\d+, accuracy \d+\.\d+%\nrows scored: all 178 rows \(--all\)/);
  });

  it('regression: evaluate on the test rows reproduces the test RMSE', async () => {
    const dir = scratch('cli-reg');
    const model = path.join(dir, 'diabetes.onnx');
    const r = await l2lab('train', '--data', 'diabetes', '--model', 'mlp:8', '--lambda', '5', '--epochs', '4', '--lr', '0.003', '--out', model, '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as TrainJson;
    const data = loadDataset('diabetes');
    const { test } = splitIndices(data, { validation: 0.1, test: 0.2, seed: 0 });
    const csv = path.join(dir, 'test-rows.csv');
    fs.writeFileSync(csv, datasetCsv(data, test));
    const e = await l2lab('evaluate', '--model', model, '--data', csv, '--json');
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { n: number; loss: number; rmse: number };
    assert.equal(ev.n, test.length);
    close(ev.rmse, report.test.rmse!, 1e-4, 'test RMSE');
    close(ev.loss, report.test.loss, 1e-4, 'test loss');
  });
});

describe('--task', () => {
  it('reads a numeric 0/1 target as classes with --task classification, and rejects other values', async () => {
    const csv = path.join(scratch('task'), 'bin.csv');
    fs.writeFileSync(csv, 'a,b,target\n' + Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2}`).join('\n') + '\n');
    const ok = await l2lab('train', '--data', csv, '--model', 'logistic', '--task', 'classification', '--lambda', '1', '--epochs', '1', '--batch-size', '4', '--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(typeof JSON.parse(ok.stdout).test.accuracy, 'number');
    const bad = await l2lab('train', '--data', csv, '--model', 'logistic', '--task', 'ranking', '--lambda', '1');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown --task 'ranking'. Use one of: classification, regression/);
  });
});
