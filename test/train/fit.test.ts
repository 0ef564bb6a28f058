/** fit(), the library call behind `l2lab train`: the report's terms, seeding, early stopping, divergence and option errors. */
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/data/index.js';
import { L2labError } from '../../src/errors.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { fit, type FitOptions } from '../../src/train/fit.js';

const wine = loadDataset('wine');
const base: FitOptions = { data: wine, model: 'mlp:8', lambda: 4, epochs: 3, batchSize: 31, optimizer: 'momentum', lr: 0.05, threads: 1 };
const sq = (a: Float64Array) => Float32Array.from(a).reduce((s, v) => s + v * v, 0);

describe('fit()', () => {
  it('reports data loss and penalty apart, from initialization on, and returns the trained model', async () => {
    const seen: number[] = [];
    const { report, model } = await fit({ ...base, onEpoch: (r) => seen.push(r.epoch) });
    assert.deepEqual(seen, [0, 1, 2, 3]);
    assert.equal(report.m, 124);
    assert.equal(report.params, 13 * 8 + 8 + 8 * 3 + 3);
    assert.equal(report.weights, 13 * 8 + 8 * 3);
    assert.deepEqual(report.coefficients, { coupled: 4 / 124, decoupled: 0 });
    const init = initParams(parseModelSpec('mlp:8', 13, { task: 'classification', classes: 3 }), 'he', 0);
    assert.ok(Math.abs(report.init.penalty - (4 / 248) * (sq(init[0]) + sq(init[2]))) < 1e-9);
    for (const e of report.epochs) {
      assert.ok(Math.abs(e.cost - e.data_loss - e.penalty) < 1e-12);
      assert.ok(Math.abs(e.penalty - (4 / 248) * e.sum_sq) < 1e-12);
    }
    // The returned parameters are the last epoch's: their Σθ² is the one reported.
    assert.ok(Math.abs(sq(model.params[0]) + sq(model.params[2]) - report.epochs[2].sum_sq) < 1e-6 * report.epochs[2].sum_sq);
    assert.deepEqual(model.classes, ['class_0', 'class_1', 'class_2']);
    assert.equal(model.standardizer.mean.length, 13);
    assert.equal(report.diverged, false);
    assert.equal(report.best_epoch, 3);
  });

  it('is reproducible for a seed and changes with it', async () => {
    const strip = (r: Awaited<ReturnType<typeof fit>>['report']) => ({ ...r, seconds: 0 });
    const [a, b, c] = await Promise.all([fit(base), fit(base), fit({ ...base, seed: 1 })]);
    assert.deepEqual(strip(a.report), strip(b.report));
    assert.notEqual(a.report.init.penalty, c.report.init.penalty);
  });

  it('λ = 0 has no penalty; --penalize-biases adds Σb² to it', async () => {
    const [none, weights, all] = await Promise.all([
      fit({ ...base, lambda: 0, epochs: 1 }),
      fit({ ...base, init: 'pytorch', epochs: 1 }),
      fit({ ...base, init: 'pytorch', epochs: 1, penalizeBiases: true }),
    ]);
    assert.equal(none.report.init.penalty, 0);
    assert.equal(none.report.epochs[0].penalty, 0);
    // PyTorch's initializer draws non-zero biases, so the two penalties differ at initialization by (λ/2m)·Σb².
    const p = initParams(parseModelSpec('mlp:8', 13, { task: 'classification', classes: 3 }), 'pytorch', 0);
    assert.ok(Math.abs(all.report.init.penalty - weights.report.init.penalty - (4 / 248) * (sq(p[1]) + sq(p[3]))) < 1e-9);
  });

  it('early stopping with restoreBest keeps the epoch of the lowest validation loss', async () => {
    const losses: number[] = [];
    const { report, model } = await fit({ ...base, epochs: 8, lr: 0.3, earlyStopping: { patience: 100 }, onEpoch: (r) => losses.push(r.val_loss!) });
    assert.equal(losses.length, 9);
    assert.equal(report.best_epoch, losses.indexOf(Math.min(...losses)));
    assert.ok(report.best_epoch < 8, `pick a case whose best epoch is not the last (losses ${losses.join(', ')})`);
    // The returned parameters are that epoch's (its Σθ²), not the last one's.
    const best = report.best_epoch === 0 ? report.init.penalty / (4 / 248) : report.epochs[report.best_epoch - 1].sum_sq;
    assert.ok(Math.abs(sq(model.params[0]) + sq(model.params[2]) - best) < 1e-6 * best);
    const stopped = await fit({ ...base, epochs: 40, lr: 0.3, earlyStopping: { patience: 2, minDelta: 10 } });
    // No epoch improves the validation loss by 10: training stops after 2 epochs and restores initialization.
    assert.equal(stopped.report.epochs.length, 2);
    assert.equal(stopped.report.best_epoch, 0);
  });

  it('validation 0: no validation metrics; the test split stays 20%', async () => {
    const { report } = await fit({ ...base, validation: 0, epochs: 1 });
    assert.equal(report.m, 142);
    assert.equal(report.epochs[0].val_loss, undefined);
    assert.equal(typeof report.test!.accuracy, 'number');
  });

  it('GELU, dropout and every optimizer train (GELU is evaluated in float32: ORT has no float64 Erf)', async () => {
    for (const o of [{ activation: 'gelu' }, { dropout: 0.3 }, { optimizer: 'sgd' }, { optimizer: 'nesterov' }, { optimizer: 'adam', lr: 0.01 }, { optimizer: 'adamw', convention: 'adamw', lambda: 0.01, lr: 0.01 }, { schedule: { kind: 'cosine' } }] as Partial<FitOptions>[]) {
      const { report } = await fit({ ...base, ...o });
      assert.ok(report.epochs[2].data_loss < report.init.data_loss, `${JSON.stringify(o)} lowers the data loss`);
      assert.ok(Number.isFinite(report.test!.loss));
    }
  });

  it('a diverging run is reported, not thrown: epoch, step and message', async () => {
    // λ = 0: the data gradient diverges (a λ this lr makes unstable is refused up front, see timescale.test.ts).
    const { report } = await fit({ ...base, lambda: 0, lr: 1e6, epochs: 5 });
    assert.equal(report.diverged, true);
    assert.ok(report.divergence!.epoch >= 1 && report.divergence!.step >= 1, JSON.stringify(report.divergence));
    assert.match(report.divergence!.message, /at epoch \d+,( after)? step \d+ of 4/);
  });

  it('rejects bad options with an InvalidOptionError that names the option and the fix', async () => {
    const cases: [Partial<FitOptions>, RegExp][] = [
      [{ lambda: -1 }, /The 'lambda' option of train must be a number in \[0, ∞\)\. Got -1 instead\./],
      [{ lambda: NaN }, /Got NaN instead/],
      [{ lambda: Infinity }, /Got Infinity instead/],
      [{ convention: 'sklearn-logistic', lambda: 0 }, /\(0, ∞\) under --convention sklearn-logistic/],
      [{ convention: 'tf' as never }, /tf/],
      [{ batchSize: 200 }, /--batch-size 200 is larger than the training split \(m = 124 samples\)\. Use --batch-size 124 or less\./],
      [{ batchSize: 0 }, /'batch-size' option of train must be a number in integers \[1, m\]/],
      [{ lr: 0 }, /The 'lr' option of train must be a number in \(0, ∞\)/],
      [{ optimizer: 'rmsprop' as never }, /Unknown --optimizer 'rmsprop'\. Use one of: sgd, momentum, nesterov, adam, adamw\./],
      [{ model: 'mlp:8,x' }, /an MLP needs positive integer hidden widths/],
      [{ model: 'linear' }, /Model 'linear' is least-squares regression, but the data has 3 classes/],
      [{ data: 'no-such-set' }, /Unknown dataset 'no-such-set'/],
      [{ test: 0.001 }, /The test split is empty/],
      [{ epochs: 1.5 }, /The 'epochs' option of train must be a number in integers \[0, 100000\] or auto\. Got 1\.5 instead\./],
      [{ epochs: 1e300 }, /The 'epochs' option of train must be a number in integers \[0, 100000\] or auto\. Got 1e\+300 instead\./],
      [{ epochs: 'auto', maxEpochs: 0 }, /The 'max-epochs' option of train must be a number in integers \[1, 100000\]\. Got 0 instead\./],
      [{ maxEpochs: 50 }, /--max-epochs applies with --epochs auto only/],
      [{ momentum: 1 }, /The 'momentum' option of train must be a number in \[0, 1\)\. Got 1 instead\./],
      [{ threads: 0 }, new RegExp(`The 'threads' option of train must be a number in integers \\[1, ${os.availableParallelism()}\\] \\(${os.availableParallelism()} = this machine's cores\\)\\. Got 0 instead\\. Use --threads ${os.availableParallelism()}, or leave it out \\(default: all cores\\)`)],
      [{ validation: 1 }, /The 'validation' option of train must be a number in \[0, 1\)/],
      [{ earlyStopping: { patience: 0 } }, /The 'patience' option of train/],
      [{ earlyStopping: { patience: 2, minDelta: -1 } }, /The 'min-delta' option of train/],
    ];
    for (const [o, re] of cases) {
      await assert.rejects(fit({ ...base, ...o }), (e: unknown) => {
        assert.ok(e instanceof L2labError, `${JSON.stringify(o)}: ${String(e)}`);
        assert.equal(e.code, 'INVALID_OPTION');
        assert.match(e.message, re);
        return true;
      });
    }
  });
});

it('--test 0 trains on the rest and reports no test metrics instead of NaN', async () => {
  const { report } = await fit({ data: 'wine', model: 'softmax', lambda: 1, epochs: 2, test: 0, threads: 1 });
  assert.equal(report.test, null);
  assert.equal(report.m, 160);
});
