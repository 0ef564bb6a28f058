/** Step-by-step agreement with PyTorch (test/ref/torch_trajectory.py): data loss, L2 term, final parameters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paramShapes, type Architecture } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { Stepper } from '../../src/train/stepper.js';
import type { OptimizerSpec } from '../../src/plan/optimizer.js';
import { floatArray } from '../../src/engine/tensor.js';
import { Rng } from '../../src/util/rng.js';
import { missingPython, runPython } from '../support/python.js';

interface Case {
  arch: Architecture;
  optimizer: OptimizerSpec & { lr: number; weightDecay?: number };
  lambda: number;
  dtype: 'float32' | 'float64';
  penalizeBiases?: boolean;
  tol: number;
}

const N = 96;
const B = 16;
const STEPS = 100;
const M = 1000; // the m in λ/(2m): the training-set size the penalty is scaled by

async function compare(c: Case): Promise<void> {
  const rng = new Rng(7);
  const [d, , ] = c.arch.widths;
  const out = c.arch.widths[c.arch.widths.length - 1];
  const x = Float32Array.from({ length: N * d }, () => rng.normal());
  const labels = Int32Array.from({ length: N }, () => rng.int(c.arch.loss === 'softmax_ce' ? out : 2));
  const targets = Float32Array.from({ length: N * out }, () => rng.normal());
  const batches = Int32Array.from({ length: STEPS * B }, () => rng.int(N));
  const params = initParams(c.arch, 'he', 3).map((p) => Float32Array.from(p)); // both sides start from the same float32 values

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-traj-'));
  const shapes = paramShapes(c.arch);
  shapes.forEach((p, i) => fs.writeFileSync(path.join(dir, `${p.name}.bin`), params[i]));
  fs.writeFileSync(path.join(dir, 'x.bin'), x);
  fs.writeFileSync(path.join(dir, 'y.bin'), c.arch.loss === 'softmax_ce' ? labels : c.arch.loss === 'logistic' ? Float32Array.from(labels) : targets);
  fs.writeFileSync(path.join(dir, 'batches.bin'), batches);
  const o = c.optimizer;
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      widths: c.arch.widths,
      activation: c.arch.activation,
      loss: c.arch.loss,
      params: shapes.map((p) => `${p.name}.bin`),
      x: 'x.bin',
      y: 'y.bin',
      batches: 'batches.bin',
      steps: STEPS,
      l2: { lambda: c.lambda, m: M, biases: c.penalizeBiases ?? false },
      optimizer: o.name === 'adam' || o.name === 'adamw'
        ? { name: o.name, lr: o.lr, betas: [0.9, 0.999], eps: 1e-8, weight_decay: o.weightDecay ?? 0 }
        : { name: 'sgd', lr: o.lr, momentum: o.momentum ?? 0, nesterov: o.name === 'nesterov' },
    }),
  );
  runPython('torch_trajectory.py', c.dtype === 'float32' ? [dir, '--float32'] : [dir]);
  const ref = JSON.parse(fs.readFileSync(path.join(dir, 'torch', 'trajectory.json'), 'utf8')).trajectory as { data_loss: number; l2_term: number }[];

  const stepper = await Stepper.create(
    { arch: c.arch, batch: B, dtype: c.dtype, optimizer: o, penalizeBiases: c.penalizeBiases },
    [params.map((p) => Float64Array.from(p))],
    [c.lambda / M],
    [o.weightDecay ?? 0],
    1,
  );
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  let worst = 0;
  for (let s = 0; s < STEPS; s++) {
    const idx = batches.subarray(s * B, (s + 1) * B);
    const xb = floatArray(c.dtype, B * d);
    idx.forEach((r, i) => xb.set(x.subarray(r * d, (r + 1) * d), i * d));
    const yb = c.arch.loss === 'softmax_ce' ? BigInt64Array.from(idx, (r) => BigInt(labels[r])) : floatArray(c.dtype, Array.from(idx, (r) => (c.arch.loss === 'logistic' ? labels[r] : targets[r * out])));
    const r = await stepper.run({ x: [xb], y: [yb], lr: [floatArray(c.dtype, [o.lr])] });
    const l2 = (c.lambda / (2 * M)) * r.sumsq[0][0];
    worst = Math.max(worst, rel(r.loss[0][0], ref[s].data_loss), rel(l2, ref[s].l2_term));
    assert.ok(rel(r.loss[0][0], ref[s].data_loss) <= c.tol, `step ${s}: data loss ${r.loss[0][0]} vs torch ${ref[s].data_loss}`);
    assert.ok(rel(l2, ref[s].l2_term) <= c.tol, `step ${s}: L2 term ${l2} vs torch ${ref[s].l2_term}`);
  }
  const final = stepper.parameters()[0];
  shapes.forEach((p, i) => {
    const theirs = new Float32Array(Uint8Array.from(fs.readFileSync(path.join(dir, 'torch', `${p.name}.bin`))).buffer);
    const norm = Math.sqrt(theirs.reduce((a, v) => a + v * v, 0));
    let diff = 0;
    theirs.forEach((v, j) => (diff += (final[i][j] - v) ** 2));
    // Torch writes float32 parameters, so float64 runs are compared at float32 resolution.
    const paramTol = Math.max(c.tol, c.dtype === 'float64' ? 1e-6 : c.tol);
    assert.ok(Math.sqrt(diff) / norm <= paramTol, `${p.name}: relative distance ${Math.sqrt(diff) / norm} to torch's final parameters`);
  });
  await stepper.release();
  fs.rmSync(dir, { recursive: true });
}

const skip = missingPython(['torch']);
const mlp = (activation: Architecture['activation'], loss: Architecture['loss'], out: number): Architecture => ({ widths: [5, 8, 6, out], activation, loss, dropout: [0, 0] });

const cases: Record<string, Case> = {
  'SGD, ReLU, softmax cross-entropy, float64': { arch: mlp('relu', 'softmax_ce', 3), optimizer: { name: 'sgd', lr: 0.1 }, lambda: 5, dtype: 'float64', tol: 1e-6 },
  'SGD, ReLU, softmax cross-entropy, float32': { arch: mlp('relu', 'softmax_ce', 3), optimizer: { name: 'sgd', lr: 0.1 }, lambda: 5, dtype: 'float32', tol: 1e-4 },
  'momentum, tanh, logistic, biases penalized, float64': { arch: mlp('tanh', 'logistic', 1), optimizer: { name: 'momentum', lr: 0.05, momentum: 0.9 }, lambda: 20, dtype: 'float64', penalizeBiases: true, tol: 1e-6 },
  'Nesterov, sigmoid, squared error, float64': { arch: mlp('sigmoid', 'mse', 1), optimizer: { name: 'nesterov', lr: 0.05, momentum: 0.8 }, lambda: 10, dtype: 'float64', tol: 1e-6 },
  'Adam, tanh, softmax cross-entropy, float64': { arch: mlp('tanh', 'softmax_ce', 4), optimizer: { name: 'adam', lr: 0.01 }, lambda: 30, dtype: 'float64', tol: 1e-6 },
  'AdamW (decoupled decay), ReLU, softmax, float64': { arch: mlp('relu', 'softmax_ce', 3), optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.1 }, lambda: 0, dtype: 'float64', tol: 1e-6 },
  'SGD, GELU (erf), softmax, float32 (ORT has no float64 Erf)': { arch: mlp('gelu', 'softmax_ce', 3), optimizer: { name: 'sgd', lr: 0.1 }, lambda: 5, dtype: 'float32', tol: 1e-4 },
};

for (const [name, c] of Object.entries(cases)) {
  test(`100 steps match PyTorch: ${name}`, { skip }, async () => {
    await compare(c);
  });
}
