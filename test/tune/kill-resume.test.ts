/** SIGKILL a `l2lab tune` process at random moments, resume each time: every trial exactly once, the same λ as an uninterrupted run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage } from '../../src/study/index.js';
import { Rng } from '../../src/util/rng.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-kill-'));
const args = (db: string) => [
  '--import', 'tsx', 'src/cli/main.ts', 'tune', '--data', 'wine', '--model', 'mlp:8', '--lambdas', '0.001,0.01,0.03,0.1,0.3,1,3,10',
  '--holdout', '0.25', '--epochs', '6', '--lr', '0.05', '--batch-size', '16', '--population-size', '2', '--threads', '1',
  '--storage', db, '--study', 'kill', '--json',
];

function runToEnd(db: string): { best_lambda: number; trials: { lambda: number; cv_mean: number }[] } {
  const r = spawnSync(process.execPath, args(db), { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a tune killed with SIGKILL four times and resumed chooses the same λ with every trial exactly once', async () => {
  const reference = runToEnd(path.join(dir, 'straight.db'));
  const db = path.join(dir, 'killed.db');
  const rng = new Rng(2026);
  let killed = 0;
  for (let k = 0; k < 4; k++) {
    const child = spawn(process.execPath, args(db), { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));
    await new Promise((r) => setTimeout(r, 800 + rng.uniform() * 2500));
    child.kill('SIGKILL');
    if ((await exited) === 'SIGKILL') killed++;
  }
  assert.ok(killed >= 2, `at least two runs were killed mid-way (${killed})`);
  const resumed = runToEnd(db);
  assert.equal(resumed.best_lambda, reference.best_lambda);
  resumed.trials.forEach((t, i) => assert.ok(Math.abs(t.cv_mean - reference.trials[i].cv_mean) < 1e-6, `λ ${t.lambda}: ${t.cv_mean} vs ${reference.trials[i].cv_mean}`));
  const storage = await openStorage(db);
  const study = await storage.getStudy('kill');
  const trials = await storage.listTrials(study!.id);
  await storage.close();
  assert.equal(trials.length, 8, 'one trial per λ, none created twice');
  assert.equal(new Set(trials.map((t) => t.key)).size, 8);
  assert.ok(trials.every((t) => t.state === 'COMPLETE'));
});
