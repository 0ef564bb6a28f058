/** bayes with the median pruner on a real problem: near the grid's best, PRUNED trials stored with their reason, only after λ acted, and resumed without training again. */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { openStorage } from '../../src/study/index.js';
import { logSpace } from '../../src/tune/closed-form/ridge.js';
import { tune } from '../../src/tune/tune.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-bayes-prune-'));
const storage = path.join(dir, 'study.db');
// breast-cancer, 3-fold CV, momentum: λ acts within 20 epochs only above λ ≈ 6 (τ = (1 − μ)·B/(η·λ)).
const base = { data: 'breast-cancer', model: 'mlp:16', epochs: 20, lr: 0.1, optimizer: 'momentum' as const, momentum: 0.9, batchSize: 32, folds: 3, patience: 3, storage, seed: 0 };

test('bayes with pruning comes within 2% of a 13-point grid, prunes only after τ, stores PRUNED and resumes', async () => {
  const grid = await tune({ ...base, strategy: 'grid', lambdas: logSpace(0.01, 1e4, 13), extend: false, study: 'grid' });
  const gridBest = Math.min(...grid.trials.map((t) => t.cv_mean ?? Infinity));
  const bayes = await tune({ ...base, strategy: 'bayes', logRange: { lo: 0.01, hi: 1e4, n: 0 }, trials: 8, study: 'bayes' });
  const best = Math.min(...bayes.trials.map((t) => t.cv_mean ?? Infinity));
  assert.ok(best <= gridBest * 1.02, `bayes best CV loss ${best} vs the grid's ${gridBest}`);
  assert.ok(bayes.cost.sample_grads < grid.cost.sample_grads, 'bayes trains less than the grid');

  const pruned = bayes.trials.filter((t) => t.state === 'PRUNED');
  assert.ok(pruned.length >= 1, `some trial pruned: ${bayes.scheme}`);
  for (const t of pruned) {
    assert.match(t.reason!, /^pruned at epoch \d+: best validation loss .* above the median/);
    assert.ok(t.epochs_trained! < 20 && t.epochs_trained! >= t.lambda_timescale_epochs!, `λ ${t.lambda}: pruned at epoch ${t.epochs_trained}, τ ${t.lambda_timescale_epochs}`);
    assert.ok(t.pruned_value! > gridBest);
    assert.equal(t.cv_mean, null, 'a pruned trial is no candidate');
  }
  assert.match(bayes.scheme, /pruned by the median rule once λ acted\); stopped by /);
  // The process's noise reading: a scatter, the λ range within it of the best, a warning only when that spans a decade.
  const noise = bayes.noise!;
  assert.ok(noise.relative_std >= 0 && noise.relative_std < 0.5, `relative std ${noise.relative_std}`);
  assert.ok(noise.lambda_lo <= noise.lambda && noise.lambda <= noise.lambda_hi, JSON.stringify(noise));
  assert.equal(noise.warning !== undefined, noise.lambda_hi / noise.lambda_lo >= 10, JSON.stringify(noise));

  const s = await openStorage(storage);
  const study = await s.getStudy('bayes');
  const stored = await s.listTrials(study!.id, { state: 'PRUNED' });
  const inOrder = (await s.listTrials(study!.id)).sort((a, b) => a.number - b.number);
  await s.close();
  // The guess first, then the decade its hold-out/training gap points to, alone.
  const first = bayes.trials.find((t) => t.lambda === inOrder[0].params.lambda)!;
  const side = first.cv_mean! > 1.5 * first.train_mean! ? 10 : 0.1;
  assert.ok(Math.abs((inOrder[1].params.lambda as number) / first.lambda / side - 1) < 1e-6, `second trial λ ${inOrder[1].params.lambda} after ${first.lambda} (val ${first.cv_mean}, train ${first.train_mean})`);
  assert.equal(stored.length, pruned.length);
  assert.ok(stored.every((t) => t.reason?.startsWith('pruned at epoch') && Number.isFinite(t.value)));

  // The same command again replays the proposals from the stored trials, pruned ones included: nothing trains.
  const again = await tune({ ...base, strategy: 'bayes', logRange: { lo: 0.01, hi: 1e4, n: 0 }, trials: 8, study: 'bayes' });
  assert.equal(again.best_lambda, bayes.best_lambda);
  assert.deepEqual(again.trials.map((t) => [t.lambda, t.state]), bayes.trials.map((t) => [t.lambda, t.state]));
  assert.ok(again.cost.sample_grads <= bayes.cost.sample_grads * 0.2, `resumed run trained ${again.cost.sample_grads} sample gradients (the refit only)`);
});
