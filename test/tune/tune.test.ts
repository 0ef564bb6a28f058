/** tune() end to end on real data: grid + CV/hold-out, 1-SE, range extension, divergence, resumption, every strategy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tune, type TuneOptions } from '../../src/tune/tune.js';
import { openStorage } from '../../src/study/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-tune-'));
const storage = path.join(dir, 'studies.db');
const wine: TuneOptions = { strategy: 'grid', data: 'wine', model: 'mlp:8', epochs: 8, lr: 0.05, optimizer: 'momentum', momentum: 0.9, batchSize: 16, storage, threads: 1 };

test('grid with hold-out scores every λ, marks λ_min ≤ λ_1se, refits, and a re-run reuses every trial', async () => {
  const o: TuneOptions = { ...wine, lambdas: [0.01, 0.1, 1, 10, 100], holdout: 0.25, study: 'wine-holdout', extend: false };
  const r = await tune(o);
  assert.equal(r.trials.length, 5);
  assert.ok(r.trials.every((t) => t.state === 'COMPLETE' && t.cv_mean !== null));
  assert.ok(r.lambda_1se >= r.best_lambda);
  const best = r.trials.find((t) => t.lambda === r.best_lambda)!;
  assert.ok(r.trials.every((t) => t.cv_mean! >= best.cv_mean!), 'λ_min has the smallest validation loss');
  assert.ok(r.refit.test_accuracy! > 0.8, `refit accuracy ${r.refit.test_accuracy}`);
  assert.ok(r.cost.sample_grads > 0 && r.cost.passes > 0);
  const again = await tune(o);
  assert.equal(again.cost.sample_grads, 0, 'nothing is trained twice');
  assert.deepEqual(again.trials, r.trials);
  assert.equal(again.best_lambda, r.best_lambda);
});

test('k-fold CV gives a standard error per λ and the 1-SE rule picks the largest λ within it', async () => {
  const r = await tune({ ...wine, lambdas: [0.01, 1, 30], folds: 3, study: 'wine-cv', extend: false });
  for (const t of r.trials) assert.ok(t.cv_se !== null && t.cv_se > 0, 'three folds give a spread');
  const min = r.trials.find((t) => t.lambda === r.best_lambda)!;
  const within = r.trials.filter((t) => t.cv_mean! <= min.cv_mean! + min.cv_se!).map((t) => t.lambda);
  assert.equal(r.lambda_1se, Math.max(...within));
});

test('a log range whose best λ sits on its edge is extended until the optimum is interior', async () => {
  // λ ≥ 1000 crushes every weight of this small net (λ/m ≥ 10): the best λ lies below the range.
  // (Its top stays below 8,056, where momentum's penalty step alone turns unstable: tune refuses past it.)
  const o: TuneOptions = { ...wine, logRange: { lo: 1e3, hi: 8e3, n: 3 }, holdout: 0.25 };
  const r = await tune({ ...o, study: 'wine-extend' });
  assert.equal(r.range_extended, true);
  const lambdas = r.trials.map((t) => t.lambda);
  assert.ok(Math.min(...lambdas) < r.best_lambda, 'λ_min is no longer the smallest λ tried');
  assert.ok(r.best_lambda < 1e3);
  assert.equal(r.edge_warning, undefined);
  const fixed = await tune({ ...o, study: 'wine-no-extend', extend: false });
  assert.equal(fixed.range_extended, false);
  assert.equal(fixed.best_lambda, 1e3);
  assert.match(fixed.edge_warning ?? '', /smallest λ tried/);
});

test('a diverging trial is FAIL with its reason and the study goes on', async () => {
  const r = await tune({ ...wine, lr: 50, optimizer: 'sgd', momentum: undefined, lambdas: [0.01, 1], holdout: 0.25, study: 'wine-diverge', extend: false }).catch((e: Error) => e);
  // With lr 50 every trial diverges: the error says so and names the fix.
  assert.ok(r instanceof Error && /failed.*Lower --lr/.test(r.message), String(r));
  const s = await openStorage(storage);
  const study = await s.getStudy('wine-diverge');
  const trials = await s.listTrials(study!.id);
  await s.close();
  assert.equal(trials.length, 2);
  assert.ok(trials.every((t) => t.state === 'FAIL' && /diverged/.test(t.reason ?? '')));
});

test('successive halving judges the λ that acted, keeps the best third of them per rung, and costs less than the grid', async () => {
  const grid = await tune({ ...wine, logRange: { lo: 1e-2, hi: 1e2, n: 9 }, holdout: 0.25, epochs: 9, study: 'wine-grid-9', extend: false });
  const sh = await tune({ ...wine, strategy: 'sh', logRange: { lo: 1e-2, hi: 1e2, n: 9 }, holdout: 0.25, epochs: 9, study: 'wine-sh-9' });
  const rungs = [0, 1, 2].map((k) => sh.trials.filter((t) => t.rung === k).length);
  // Rung 0 (1 epoch): no λ acted yet (τ ≥ 2.4 epochs), so none is judged: the 4 with τ ≤ 9 go on, and
  // λ = 1 (τ ≈ 25) stands for the 5 that cannot act in 9 epochs. Rung 1 (3 epochs): λ 10, 31.6, 100
  // acted and the best of them goes on, with λ = 3.16 (τ ≈ 7, acting later) and λ = 1.
  assert.deepEqual(rungs, [9, 5, 3]);
  const idle = sh.trials.filter((t) => t.rung! > 0 && t.lambda_timescale_epochs! > 9);
  assert.deepEqual([...new Set(idle.map((t) => Number(t.lambda.toPrecision(6))))], [1]);
  assert.ok(sh.cost.sample_grads < grid.cost.sample_grads * 0.6, `sh ${sh.cost.sample_grads} vs grid ${grid.cost.sample_grads}`);
});

test('Bayesian optimization, the warm path and the evidence each choose a λ on real data', async () => {
  const bayes = await tune({ ...wine, strategy: 'bayes', logRange: { lo: 1e-2, hi: 1e2, n: 0 }, trials: 6, holdout: 0.25, study: 'wine-bayes' });
  assert.ok(bayes.trials.length <= 6 && bayes.trials.length >= 4);
  // Its top stays below 6,060 = 2·m/η on a 3-fold training part, where the SGD penalty step turns unstable.
  const pathR = await tune({ strategy: 'path', data: 'breast-cancer', model: 'logistic', folds: 3, epochs: 5, pathEpochs: 2, logRange: { lo: 1, hi: 5e3, n: 6 }, batchSize: 32, storage, study: 'bc-path', threads: 1 });
  assert.equal(pathR.trials.length, 6);
  assert.ok(pathR.refit.test_accuracy! > 0.9);
  const ev = await tune({ ...wine, strategy: 'evidence', epochs: 10, study: 'wine-evidence' });
  assert.ok(ev.evidence && ev.evidence.gamma > 0 && ev.evidence.gamma <= ev.evidence.weights);
  assert.ok(ev.evidence.history.length > 0, 'λ was re-estimated during training');
  assert.ok(ev.best_lambda > 0 && ev.refit.test_accuracy! > 0.8);
});

test('ridge and evidence on linear regression agree with their closed forms and need no training', async () => {
  const ridge = await tune({ strategy: 'ridge', data: 'diabetes', model: 'linear', storage, study: 'diabetes-ridge' });
  assert.equal(ridge.trials.length, 100);
  assert.equal(ridge.cost.passes, 0);
  const ev = await tune({ strategy: 'evidence', data: 'diabetes', model: 'linear', storage, study: 'diabetes-evidence' });
  // Both land in the same region; the LOO curve of diabetes is flat near its minimum, so not closer.
  assert.ok(Math.abs(Math.log10(ev.best_lambda / ridge.best_lambda)) < 1.5, `${ev.best_lambda} vs ${ridge.best_lambda}`);
  assert.ok(ev.evidence!.gamma > 5 && ev.evidence!.gamma < 10);
});

test("folds that do not stack step on their own rows: each trial's CV loss is the mean of plain trainings on the folds' subsets", async () => {
  const { createSetup } = await import('../../src/tune/setup.js');
  const { train } = await import('../../src/train/trainer.js');
  const { subset } = await import('../../src/data/subset.js');
  const o: TuneOptions = { ...wine, lambdas: [0.3], folds: 3, extend: false, stacking: 'never', storage: ':memory:' };
  const r = await tune(o);
  const s = createSetup(o, o);
  assert.equal(s.stacks, false);
  // The plan's steps are a fold's own: ⌊m_fold / B⌋ (a population's would be ⌊m_all / B⌋).
  const minFold = Math.min(...s.folds.map((f) => f.train.length));
  assert.equal(r.plan.steps_per_epoch, Math.floor(minFold / 16));
  const arch = s.architecture(0);
  const losses = [];
  for (const f of s.folds) {
    const member = { penalty: s.plan.coefficients(0.3, f.train.length), lr: s.plan.lr };
    const alone = await train(subset(s.train, f.train), subset(s.train, f.validation), { ...s.trainOptions(arch), epochs: 8, members: [member] });
    losses.push(alone.members[0].history.at(-1)!.val_loss!);
  }
  const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
  assert.ok(Math.abs(r.trials[0].cv_mean! / mean - 1) < 1e-12, `tune ${r.trials[0].cv_mean} vs plain trainings ${mean}`);
});

test("an exact grid's refit starts from the mean of the folds' solutions at the chosen λ: the cold refit's minimizer, in fewer iterations", async () => {
  const { createSetup } = await import('../../src/tune/setup.js');
  const { fitExact } = await import('../../src/train/fit-exact.js');
  const o: TuneOptions = { strategy: 'grid', data: 'wine', model: 'softmax', folds: 5, logRange: { lo: 0.1, hi: 100, n: 4 }, extend: false, storage: ':memory:' };
  const r = await tune(o);
  const s = createSetup(o, o);
  const pen = s.plan.coefficients(r.refit.lambda, s.train.n);
  const cold = await fitExact(s.architecture(0), s.train, s.test, pen.coupled + pen.decoupled);
  const warm = r.refit.solver;
  assert.ok(warm?.name === 'exact' && warm.converged && cold.solve.converged);
  assert.ok(Math.abs(r.refit.test_loss / cold.records[1].val_loss! - 1) < 1e-6, `warm ${r.refit.test_loss} vs cold ${cold.records[1].val_loss}`);
  assert.ok(warm.iterations < cold.solve.iterations, `warm ${warm.iterations} vs cold ${cold.solve.iterations} iterations`);
});
