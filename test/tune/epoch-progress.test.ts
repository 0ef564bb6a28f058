/** Per-epoch records written by tune(): every trial and fold (population members included), matching the trial results and the seed convention's penalty. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { openStorage } from '../../src/study/index.js';
import { tune } from '../../src/tune/tune.js';

test('a grid tune records every member of its population at every epoch, as the results and the penalty say', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-epochs-'));
  const storage = path.join(dir, 'studies.db');
  try {
    const lambdas = [0.01, 1, 30];
    await tune({ strategy: 'grid', data: 'wine', model: 'mlp:8', lambdas, folds: 2, epochs: 3, lr: 0.05, batchSize: 16, storage, study: 'epochs', extend: false, threads: 1 });
    const s = await openStorage(storage);
    try {
      const study = (await s.getStudy('epochs'))!;
      const trials = await s.listTrials(study.id);
      const epochs = await s.listEpochs(study.id);
      assert.equal(epochs.length, lambdas.length * 2 * 4, '3 λ × 2 folds × epochs 0..3');
      const perM = new Map<number, number[]>();
      for (const t of trials) {
        const folds = (t.result as { folds: { val_loss: number; train_loss: number; val_accuracy: number }[] }).folds;
        for (const member of [0, 1]) {
          const mine = epochs.filter((e) => e.trialId === t.id && e.member === member).sort((a, b) => a.epoch - b.epoch);
          assert.deepEqual(mine.map((e) => e.epoch), [0, 1, 2, 3]);
          const last = mine[3];
          // The scored epoch (no early stopping: the last) is what the trial's result holds.
          assert.equal(last.valLoss, folds[member].val_loss);
          assert.equal(last.trainLoss, folds[member].train_loss);
          assert.equal(last.valAccuracy, folds[member].val_accuracy);
          // Seed convention: penalty = (λ/2m)·Σθ², so 2·penalty/(λ·Σθ²) = 1/m for the fold's m training rows, whatever λ.
          for (const e of mine) perM.set(member, [...(perM.get(member) ?? []), (2 * e.penalty!) / (t.params.lambda * e.sumSquares!)]);
        }
      }
      for (const [member, inverse] of perM) {
        const m = 1 / inverse[0];
        assert.ok(Math.abs(m - Math.round(m)) < 1e-6 && m > 40 && m < 178, `fold ${member}: m = ${m}`);
        for (const x of inverse) assert.ok(Math.abs(x * m - 1) < 1e-9, `fold ${member}: every trial and epoch uses λ/(2m) with m = ${m}`);
      }
    } finally {
      await s.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
