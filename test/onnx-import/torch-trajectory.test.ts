/**
 * Networks exported by Debian's PyTorch (test/ref/torch_onnx_trajectory.py), imported and trained
 * 100 steps in float64 by l2lab from the file's weights, against PyTorch's own trajectory from the
 * same weights: data loss, L2 term, final parameters and BatchNorm running statistics, to 1e-6.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paramShapes, parseModelSpec } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { Stepper } from '../../src/train/stepper.js';
import type { OptimizerSpec } from '../../src/plan/optimizer.js';
import { Rng } from '../../src/util/rng.js';
import { floatArray } from '../../src/engine/tensor.js';
import { missingPython, runPython } from '../support/python.js';

interface Case {
  net: 'mlp' | 'cnn';
  form: 'gemm' | 'matmul';
  activation: 'relu' | 'gelu' | 'tanh';
  logSoftmax?: boolean;
  optimizer: OptimizerSpec & { lr: number };
  lambda: number;
  /** L2-SP: penalize the distance from the file's weights. */
  decayToInit?: boolean;
}

const N = 48;
const B = 8;
const STEPS = 100;
const M = 1000;
const TOL = 1e-6;
const CLASSES = 3;
const IMAGE = { height: 8, width: 8, channels: 1 };

/** Exports the case's network with PyTorch, imports it, trains both, and returns the worst relative difference. */
async function compare(c: Case): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-onnx-traj-'));
  const d = c.net === 'mlp' ? 10 : IMAGE.height * IMAGE.width * IMAGE.channels;
  const manifest: Record<string, unknown> = { net: c.net, form: c.form, activation: c.activation, log_softmax: c.logSoftmax ?? false, d, classes: CLASSES, image: c.net === 'cnn' ? [IMAGE.channels, IMAGE.height, IMAGE.width] : null, seed: 3 };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  runPython('torch_onnx_trajectory.py', ['export', dir]);

  const arch = parseModelSpec(path.join(dir, 'net.onnx'), d, { task: 'classification', classes: CLASSES }, c.net === 'cnn' ? { image: IMAGE } : {});
  const shapes = paramShapes(arch);
  const params = initParams(arch, 'file', 0);
  const rng = new Rng(11);
  const x = Float32Array.from({ length: N * d }, () => rng.uniform());
  const labels = Int32Array.from({ length: N }, () => rng.int(CLASSES));
  const batches = Int32Array.from({ length: STEPS * B }, () => rng.int(N));
  shapes.forEach((p, i) => fs.writeFileSync(path.join(dir, `p${i}.bin`), params[i]));
  fs.writeFileSync(path.join(dir, 'x.bin'), x);
  fs.writeFileSync(path.join(dir, 'y.bin'), labels);
  fs.writeFileSync(path.join(dir, 'batches.bin'), batches);
  const train = { params: shapes.map((p, i) => ({ name: p.name, shape: p.dims, file: `p${i}.bin` })), x: 'x.bin', y: 'y.bin', batches: 'batches.bin', steps: STEPS, l2: { lambda: c.lambda, m: M }, decay_to_init: c.decayToInit ?? false, optimizer: { name: c.optimizer.name, lr: c.optimizer.lr } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, ...train }));
  runPython('torch_onnx_trajectory.py', ['train', dir]);
  const ref = JSON.parse(fs.readFileSync(path.join(dir, 'torch', 'trajectory.json'), 'utf8')).trajectory as { data_loss: number; l2_term: number }[];

  const stepper = await Stepper.create({ arch, batch: B, dtype: 'float64', optimizer: c.optimizer, decayToAnchor: c.decayToInit }, [params], [c.lambda / M], [0], 1);
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  let worst = 0;
  for (let s = 0; s < STEPS; s++) {
    const idx = batches.subarray(s * B, (s + 1) * B);
    const xb = floatArray('float64', B * d);
    idx.forEach((r, i) => xb.set(x.subarray(r * d, (r + 1) * d), i * d));
    const r = await stepper.run({ x: [xb], y: [BigInt64Array.from(idx, (r) => BigInt(labels[r]))], lr: [floatArray('float64', [c.optimizer.lr])] });
    const l2 = (c.lambda / (2 * M)) * r.sumsq[0][0];
    worst = Math.max(worst, rel(r.loss[0][0], ref[s].data_loss), rel(l2, ref[s].l2_term));
    assert.ok(rel(r.loss[0][0], ref[s].data_loss) <= TOL, `step ${s}: data loss ${r.loss[0][0]} vs torch ${ref[s].data_loss}`);
    assert.ok(rel(l2, ref[s].l2_term) <= TOL, `step ${s}: L2 term ${l2} vs torch ${ref[s].l2_term}`);
  }
  const final = stepper.parameters()[0];
  shapes.forEach((p, i) => {
    const theirs = new Float64Array(Uint8Array.from(fs.readFileSync(path.join(dir, 'torch', `p${i}.bin`))).buffer);
    const norm = Math.sqrt(theirs.reduce((a, v) => a + v * v, 0));
    let diff = 0;
    theirs.forEach((v, j) => (diff += (final[i][j] - v) ** 2));
    worst = Math.max(worst, Math.sqrt(diff) / norm);
    assert.ok(Math.sqrt(diff) / norm <= TOL, `${p.name}: relative distance ${Math.sqrt(diff) / norm} to torch's final value`);
  });
  await stepper.release();
  fs.rmSync(dir, { recursive: true });
  return worst;
}

const skip = missingPython(['torch']);
const cases: Record<string, Case> = {
  'MLP as nn.Linear (Gemm), ReLU, LogSoftmax output, SGD': { net: 'mlp', form: 'gemm', activation: 'relu', logSoftmax: true, optimizer: { name: 'sgd', lr: 0.1 }, lambda: 5 },
  'MLP as Transpose + MatMul + Add, GELU (Erf), Adam': { net: 'mlp', form: 'matmul', activation: 'gelu', optimizer: { name: 'adam', lr: 0.01 }, lambda: 5 },
  'MLP decaying to its starting weights (L2-SP, --decay-to init), λ = 200, SGD': { net: 'mlp', form: 'gemm', activation: 'tanh', optimizer: { name: 'sgd', lr: 0.2 }, lambda: 200, decayToInit: true },
  'MLP as Transpose + MatMul + Add decaying to its starting weights (L2-SP), Adam': { net: 'mlp', form: 'matmul', activation: 'relu', optimizer: { name: 'adam', lr: 0.01 }, lambda: 200, decayToInit: true },
  'CNN with BatchNorm (training-mode export), nn.Linear head (Gemm), SGD': { net: 'cnn', form: 'gemm', activation: 'relu', optimizer: { name: 'sgd', lr: 0.05 }, lambda: 1 },
  'CNN with BatchNorm, Transpose + MatMul + Add head, tanh, Adam': { net: 'cnn', form: 'matmul', activation: 'tanh', optimizer: { name: 'adam', lr: 0.003 }, lambda: 1 },
};

for (const [name, c] of Object.entries(cases)) {
  test(`an exported ${name}: 100 steps in float64 match PyTorch's to 1e-6`, { skip }, async () => {
    const worst = await compare(c);
    console.log(`# ${name}: worst relative difference ${worst.toExponential(2)}`);
  });
}
