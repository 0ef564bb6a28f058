/** A grid whose trials are brief (trialsWork below BRIEF_TRIALS) trains in one pass on a study file, where a lone worker otherwise leaves half for a joiner. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { openStorage } from '../../src/study/index.js';
import { briefTrials, createSetup, trialsWork } from '../../src/tune/setup.js';
import { tune, type TuneOptions } from '../../src/tune/tune.js';

test('trialsWork counts 6 flops per parameter per sample gradient on the rows each fold steps through, and the steps a population shares, to the epoch budget', () => {
  const o = { data: 'breast-cancer', model: 'mlp:32', folds: 5, epochs: 20 };
  const s = createSetup(o, o);
  // 30·32 + 32 + 32 + 1 parameters (one logit for two classes); stacked folds step through all 455 training rows.
  assert.equal(s.stacks, true);
  // Batches of 128 over the 455 rows a population steps through: 3 steps an epoch, shared by every member.
  assert.deepEqual(trialsWork(s, 13), { flops: 6 * 1025 * 5 * 455 * 20 * 13, steps: 20 * 3 });
  assert.equal(briefTrials(s, 13), true, "bench:torch's 13-λ grid is brief");
  const long = { ...o, epochs: 2000, batchSize: 16 };
  assert.equal(briefTrials(createSetup(long, long), 48), false, "the workers bench's 48-λ grid of 2000 epochs is not");
  // Few flops, many small steps: wine, mlp:16, batches of 8, 300 epochs (test/study/worker-shares.test.ts).
  const steps = { data: 'wine', model: 'mlp:16', folds: 3, epochs: 300, batchSize: 8 };
  const w = trialsWork(createSetup(steps, steps), 12);
  assert.ok(w.flops < 1e10 && w.steps > 5000 && !briefTrials(createSetup(steps, steps), 12), 'many steps are not brief');
  // The exact solver takes no steps: bench:exact's logistic CV (10 folds × 40 λ) is brief, so its fold paths stay whole.
  const exact = { data: 'breast-cancer', model: 'logistic', folds: 10 };
  assert.equal(briefTrials(createSetup(exact, {}), 40), true);
});

test('a lone worker on a study file claims a brief grid whole: one claim, where it would otherwise make two (test/study/run-trials.test.ts)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-brief-'));
  const storage = path.join(dir, 'studies.db');
  /** Whether every trial of the study was claimed before any finished: one pass. */
  const onePass = async (study: string, epochs: number): Promise<boolean> => {
    const o: TuneOptions = { strategy: 'grid', data: 'wine', model: 'mlp:4', lambdas: [0.01, 0.1, 1, 10], folds: 2, epochs, batchSize: 16, storage, study, extend: false, threads: 1 };
    await tune(o);
    const s = await openStorage(storage);
    try {
      const trials = await s.listTrials((await s.getStudy(study))!.id);
      return Math.max(...trials.map((t) => t.startedAt!)) <= Math.min(...trials.map((t) => t.finishedAt!));
    } finally {
      await s.close();
    }
  };
  try {
    assert.equal(await onePass('brief', 2), true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
