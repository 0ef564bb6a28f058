/** Under early stopping (--patience) tune's refit trains the epochs the chosen trial was scored at, not the budget (refitEpochs). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { openStorage } from '../../src/study/index.js';
import { evaluateParams } from '../../src/train/fit.js';
import { train } from '../../src/train/trainer.js';
import { refitMember } from '../../src/tune/scoring/refit-member.js';
import { createSetup } from '../../src/tune/setup.js';
import { readTrialResult } from '../../src/tune/trials/trial-result.js';
import { tune, type TuneOptions } from '../../src/tune/tune.js';

test('with --patience the refit trains the chosen trial’s scored epoch (its folds’ best, averaged) and equals a plain training for that long', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-refit-epochs-'));
  const storage = path.join(dir, 'studies.db');
  try {
    // A fast learning rate on 3 folds of wine: the trials stop long before the 60-epoch budget.
    const o: TuneOptions = { strategy: 'grid', data: 'wine', model: 'mlp:16', lambdas: [0.01, 1], folds: 3, epochs: 60, patience: 2, lr: 0.5, optimizer: 'momentum', momentum: 0.9, batchSize: 16, storage, study: 'es', extend: false, threads: 1 };
    const r = await tune(o);
    const s = await openStorage(storage);
    let scored: number;
    try {
      const trials = await s.listTrials((await s.getStudy('es'))!.id);
      const chosen = trials.find((t) => t.params.lambda === r.best_lambda)!;
      const folds = readTrialResult(chosen.result, 'chosen')!.folds!;
      scored = folds.reduce((a, f) => a + f.epoch, 0) / folds.length;
    } finally {
      await s.close();
    }
    assert.ok(scored < 40, `the trials stopped early (scored at epoch ${scored})`);
    assert.equal(r.refit.epochs, Math.max(1, Math.round(scored)));
    // The same refit by hand: every training row, the refit member, that many epochs.
    const setup = createSetup(o, o);
    const arch = setup.architecture(0);
    const by = await train(setup.train, undefined, { ...setup.trainOptions(arch), epochs: r.refit.epochs, members: [refitMember(setup, { lambda: r.best_lambda, dropout: 0 })] });
    const m = await evaluateParams(arch, by.members[0].params, setup.test, 1);
    assert.ok(Math.abs(m.loss / r.refit.test_loss - 1) < 1e-6, `${m.loss} vs ${r.refit.test_loss}`);
    // Without --patience: the budget, as before.
    const full = await tune({ ...o, patience: undefined, epochs: 5, study: 'budget' });
    assert.equal(full.refit.epochs, 5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
