/**
 * Each exact conversion, proven by training: fit() under convention A with λ_A and under B with convert(λ_A)
 * gives the same trajectory (per-epoch data loss and penalty); coupled weight decay vs AdamW's decoupled decay
 * under Adam does not (convert() flags it approximate); `--convention pytorch --lambda wd` is PyTorch's
 * coupled weight_decay, checked against test/ref/torch_trajectory.py with l2.lambda = wd·m.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { convert } from '../../src/conventions/index.js';
import type { ConventionId, OptimizerName } from '../../src/options/names.js';
import { loadDataset, type Dataset } from '../../src/data/index.js';
import { paramShapes, parseModelSpec } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { fit, type FitOptions, type FitReport } from '../../src/train/fit.js';
import { prepareSplits } from '../../src/train/prepare.js';
import { missingPython, runPython } from '../support/python.js';

const datasets = new Map<string, Dataset>();
const data = (name: string): Dataset => {
  if (!datasets.has(name)) datasets.set(name, loadDataset(name));
  return datasets.get(name)!;
};

interface Setup {
  data: string;
  model: string;
  optimizer: OptimizerName;
  lr: number;
  epochs?: number;
  batchSize?: number;
}

function train(s: Setup, convention: ConventionId, lambda: number): Promise<FitReport> {
  const o: FitOptions = { data: data(s.data), model: s.model, optimizer: s.optimizer, lr: s.lr, epochs: s.epochs ?? 4, batchSize: s.batchSize, convention, lambda, seed: 1, threads: 1 };
  return fit(o).then((r) => r.report);
}

/** Largest relative difference of the data loss and of the penalty, over initialization and every epoch. */
function gap(a: FitReport, b: FitReport): { data: number; penalty: number } {
  assert.equal(a.epochs.length, b.epochs.length);
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(y), 1e-12);
  const rows = (r: FitReport) => [r.init, ...r.epochs];
  const ra = rows(a);
  const rb = rows(b);
  return {
    data: Math.max(...ra.map((e, i) => rel(e.data_loss, rb[i].data_loss))),
    penalty: Math.max(...ra.map((e, i) => rel(e.penalty, rb[i].penalty))),
  };
}

interface Exact {
  from: ConventionId;
  lambda: number;
  to: ConventionId;
  setup: Setup;
  /** Why convert() calls the conversion approximate though the training is identical. */
  flaggedBecause?: RegExp;
  noisePrecision?: number;
}

// m = 124 training rows of wine; B = 31 divides it (every scikit-learn minibatch has B samples) and gives 4 steps an epoch.
const wine: Setup = { data: 'wine', model: 'mlp:8', optimizer: 'momentum', lr: 0.05, batchSize: 31 };
const EXACT: Exact[] = [
  { from: 'seed', lambda: 5, to: 'keras', setup: wine },
  { from: 'keras', lambda: 0.02, to: 'seed', setup: wine },
  { from: 'seed', lambda: 5, to: 'pytorch', setup: { ...wine, optimizer: 'adam', lr: 0.01 } },
  { from: 'pytorch', lambda: 0.05, to: 'seed', setup: { ...wine, optimizer: 'nesterov' } },
  { from: 'seed', lambda: 5, to: 'sklearn-mlp', setup: wine },
  { from: 'sklearn-mlp', lambda: 0.5, to: 'seed', setup: { ...wine, optimizer: 'sgd' } },
  { from: 'seed', lambda: 40, to: 'sklearn-ridge', setup: { data: 'diabetes', model: 'linear', optimizer: 'sgd', lr: 0.05 } },
  { from: 'sklearn-ridge', lambda: 40, to: 'seed', setup: { data: 'diabetes', model: 'linear', optimizer: 'momentum', lr: 0.01 } },
  { from: 'seed', lambda: 20, to: 'sklearn-logistic', setup: { data: 'breast-cancer', model: 'logistic', optimizer: 'sgd', lr: 0.1 } },
  { from: 'sklearn-logistic', lambda: 0.05, to: 'seed', setup: { data: 'breast-cancer', model: 'logistic', optimizer: 'adam', lr: 0.01 } },
  { from: 'seed', lambda: 40, to: 'glmnet', setup: { data: 'diabetes', model: 'linear', optimizer: 'sgd', lr: 0.05 }, flaggedBecause: /glmnet standardizes x/ },
  { from: 'glmnet', lambda: 0.1, to: 'seed', setup: { data: 'diabetes', model: 'linear', optimizer: 'sgd', lr: 0.05 }, flaggedBecause: /glmnet standardizes x/ },
  { from: 'seed', lambda: 5, to: 'bayes', setup: { ...wine, model: 'softmax', optimizer: 'sgd', lr: 0.1 }, noisePrecision: 1 },
  { from: 'bayes', lambda: 5, to: 'seed', setup: { ...wine, model: 'softmax', optimizer: 'sgd', lr: 0.1 }, flaggedBecause: /Assumes noise precision β = 1: exact for classification/ },
  { from: 'adamw', lambda: 0.05, to: 'pytorch', setup: { ...wine, optimizer: 'sgd' } },
  { from: 'pytorch', lambda: 0.05, to: 'adamw', setup: { ...wine, optimizer: 'sgd' } },
];

describe('exact conversions give the same training trajectory', () => {
  for (const c of EXACT) {
    it(`${c.from} ${c.lambda} → ${c.to} (${c.setup.model} on ${c.setup.data}, ${c.setup.optimizer})`, async () => {
      const a = await train(c.setup, c.from, c.lambda);
      const m = a.m;
      if (c.to === 'sklearn-mlp' || c.from === 'sklearn-mlp') assert.equal(m % c.setup.batchSize!, 0, 'B divides m');
      const conv = convert(c.lambda, c.from, c.to, { m, batchSize: c.setup.batchSize ?? Math.min(128, m), optimizer: c.setup.optimizer, noisePrecision: c.noisePrecision });
      if (c.flaggedBecause) {
        assert.equal(conv.exact, false);
        assert.match(conv.note, c.flaggedBecause);
      } else assert.equal(conv.exact, true, conv.note);
      const b = await train(c.setup, c.to, conv.value);
      // Both sides apply the same per-weight coefficient (up to the last bit of a float64 formula).
      const ca = a.coefficients.coupled + a.coefficients.decoupled;
      const cb = b.coefficients.coupled + b.coefficients.decoupled;
      assert.ok(Math.abs(ca - cb) <= 1e-12 * ca, `coefficients ${ca} vs ${cb}`);
      const g = gap(a, b);
      assert.ok(g.data <= 1e-6 && g.penalty <= 1e-6, `trajectories differ: data loss ${g.data}, penalty ${g.penalty}`);
      assert.ok(b.epochs[b.epochs.length - 1].data_loss < b.init.data_loss, 'the runs train');
    });
  }
});

describe('coupled vs decoupled weight decay', () => {
  const setup: Setup = { ...wine, optimizer: 'adam', lr: 0.01, epochs: 6 };
  for (const optimizer of ['adam', 'momentum'] as const) {
    it(`pytorch wd and adamw wd are NOT the same trajectory under ${optimizer}, and convert() says approximate`, async () => {
      const s = { ...setup, optimizer, lr: optimizer === 'adam' ? 0.01 : 0.05 };
      const coupled = await train(s, 'pytorch', 0.1);
      const conv = convert(0.1, 'pytorch', 'adamw', { m: coupled.m, optimizer });
      assert.equal(conv.exact, false);
      assert.match(conv.note, optimizer === 'adam' ? /Not equivalent under Adam/ : /Not equivalent under momentum SGD/);
      const decoupled = await train(s, 'adamw', conv.value);
      const g = gap(decoupled, coupled);
      // Same start, same coefficient, different updates: the gap is far above float32 rounding (≤ 1e-6 above).
      assert.ok(g.penalty > 1e-2, `penalty trajectories differ by only ${g.penalty}`);
      // The ordering is the physics: Adam divides the coupled c·θ by √v̂ ≈ |g| (small gradients → strong pull),
      // momentum accumulates it over ≈ 1/(1 − μ) steps; both shrink weights more than lr·wd·θ per step.
      const last = (r: FitReport) => r.epochs[r.epochs.length - 1].penalty;
      assert.ok(last(coupled) < last(decoupled), `coupled ${last(coupled)} vs decoupled ${last(decoupled)}`);
    });
  }
});

const skip = missingPython(['torch']);

describe('PyTorch coupled weight_decay', () => {
  it('--convention pytorch --lambda wd matches torch_trajectory.py with l2.lambda = wd·m (full batch, momentum, 12 epochs)', { skip }, async () => {
    const wd = 0.02;
    const epochs = 12;
    const seed = 2;
    const wineData = data('wine');
    // Full batch: every step uses all m rows, so the step sequence does not depend on the shuffle.
    const { train: rows } = prepareSplits(wineData, { validation: 0.1, test: 0.2, seed });
    const m = rows.n;
    const { report } = await fit({ data: wineData, model: 'mlp:8', convention: 'pytorch', lambda: wd, optimizer: 'momentum', momentum: 0.9, lr: 0.05, epochs, batchSize: m, seed, init: 'he', threads: 1 });
    assert.equal(report.m, m);

    const arch = parseModelSpec('mlp:8', wineData.d, { task: 'classification', classes: 3 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-torch-wd-'));
    try {
      const shapes = paramShapes(arch);
      initParams(arch, 'he', seed).forEach((p, i) => fs.writeFileSync(path.join(dir, `${shapes[i].name}.bin`), Float32Array.from(p)));
      fs.writeFileSync(path.join(dir, 'x.bin'), rows.x);
      fs.writeFileSync(path.join(dir, 'y.bin'), Int32Array.from(rows.y));
      fs.writeFileSync(path.join(dir, 'batches.bin'), Int32Array.from({ length: (epochs + 1) * m }, (_, i) => i % m));
      fs.writeFileSync(
        path.join(dir, 'manifest.json'),
        JSON.stringify({
          widths: arch.widths,
          activation: 'relu',
          loss: 'softmax_ce',
          params: shapes.map((p) => `${p.name}.bin`),
          x: 'x.bin',
          y: 'y.bin',
          batches: 'batches.bin',
          // One more step than epochs: each entry is the cost before its step, i.e. after the previous epoch.
          steps: epochs + 1,
          l2: { lambda: wd * m, m, biases: false },
          optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: false },
        }),
      );
      runPython('torch_trajectory.py', [dir, '--float32']);
      const ref = JSON.parse(fs.readFileSync(path.join(dir, 'torch', 'trajectory.json'), 'utf8')).trajectory as { data_loss: number; l2_term: number }[];
      const ours = [report.init, ...report.epochs];
      ours.forEach((e, i) => {
        assert.ok(Math.abs(e.data_loss - ref[i].data_loss) <= 2e-5 * ref[i].data_loss, `epoch ${i}: data loss ${e.data_loss} vs torch ${ref[i].data_loss}`);
        assert.ok(Math.abs(e.penalty - ref[i].l2_term) <= 2e-5 * ref[i].l2_term, `epoch ${i}: penalty ${e.penalty} vs torch ${ref[i].l2_term}`);
      });
      assert.ok(ref[epochs].data_loss < 0.5 * ref[0].data_loss, 'the case trains');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
