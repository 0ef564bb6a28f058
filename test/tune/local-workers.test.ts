/** --workers: worker processes on this machine that train a grid's trials beside the run (src/tune/local-workers.ts), real processes on a real study file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tune, type TuneOptions } from '../../src/tune/tune.js';
import { createSetup } from '../../src/tune/setup.js';
import { planWorkers } from '../../src/tune/local-workers.js';
import { InvalidOptionError } from '../../src/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-local-workers-'));
// A model that does not stack (--stacking never), so each fold trains alone: what 'auto' spreads over processes.
// 500 epochs: a pass lasts longer than a worker process's start-up under the suite's load, so the workers find trials left.
const base: TuneOptions = { strategy: 'grid', data: 'wine', model: 'mlp:8', epochs: 500, lr: 0.05, batchSize: 16, folds: 3, lambdas: [0.01, 0.03, 0.1, 0.3, 1, 3], extend: false, stacking: 'never' };

test('three worker processes train the grid together: every trial once, the same losses as one process, none left running', async () => {
  const alone = await tune({ ...base, storage: path.join(dir, 'alone.db'), workers: 1, threads: 1 });
  const told: [number, number | undefined][] = [];
  const shared = await tune({ ...base, storage: path.join(dir, 'shared.db'), workers: 3, onWorkers: (n, threads) => told.push([n, threads]) });
  assert.deepEqual(told, [[3, Math.max(1, Math.floor(os.availableParallelism() / 3))]], 'the run says once how many processes train and with how many threads');
  assert.equal(alone.trials_by_others, 0);
  assert.equal(shared.trials_trained + shared.trials_by_others, 6, 'every trial finished, here or by a worker');
  assert.ok(shared.trials_by_others > 0, 'the workers took trials');
  // One thread per process in both runs: each trial's training is the same computation.
  assert.deepEqual(shared.trials.map((t) => t.cv_mean), alone.trials.map((t) => t.cv_mean));
  assert.equal(shared.best_lambda, alone.best_lambda);
  assert.deepEqual(shared.refit, alone.refit);
  const left = spawnSync('ps', ['--ppid', String(process.pid), '-o', 'args='], { encoding: 'utf8' }).stdout;
  assert.doesNotMatch(left, /local-worker-main/, 'tune() returns after its workers exited');
});

test('a worker process that fails is named with its error, and the run trains its trials', async () => {
  // The data file goes away once the run has loaded it and started its workers: each worker fails loading it.
  const data = path.join(dir, 'wine-copy.csv');
  fs.copyFileSync(new URL('../../data/wine.csv', import.meta.url), data);
  const failures: string[] = [];
  const r = await tune({ ...base, data, epochs: 50, storage: path.join(dir, 'failing.db'), workers: 3, onWorkers: () => fs.rmSync(data), onWorkerFailed: (m) => failures.push(m) });
  assert.equal(failures.length, 2, failures.join('\n'));
  for (const m of failures) assert.match(m, /^worker process [23] of 3 failed \(.*wine-copy\.csv.*\); the others train its trials$/s);
  assert.equal(r.trials_trained, 6, 'this process trained every trial');
  assert.ok(r.trials.every((t) => t.cv_mean !== null));
});

test("'auto' starts one process per core only where trials train one model at a time and a study file is shared", () => {
  const cores = os.availableParallelism();
  const big = { ...base, storage: path.join(dir, 'plan.db') };
  assert.deepEqual(planWorkers(big, createSetup(big, big)), cores > 1 ? { processes: Math.min(cores, 6), threads: 1, team: Math.min(cores, 6) } : { processes: 1, threads: undefined, team: 1 });
  const stacked = { ...big, stacking: 'auto' as const };
  assert.equal(planWorkers(stacked, createSetup(stacked, stacked)).processes, 1, 'a population already keeps the cores busy');
  const memory = { ...big, storage: ':memory:' };
  assert.equal(planWorkers(memory, createSetup(memory, memory)).processes, 1, 'nothing to share');
  const threads = { ...big, threads: 2 };
  assert.equal(planWorkers(threads, createSetup(threads, threads)).processes, 1, '--threads given: the user chose');
  assert.throws(() => planWorkers({ ...memory, workers: 2 }, createSetup(memory, memory)), (e: Error) => e instanceof InvalidOptionError && /--storage PATH/.test(e.message));
});
