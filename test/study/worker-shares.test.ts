/**
 * Workers with the default flags share a grid by claims sized to the workers alive, on SQLite and on
 * PostgreSQL: a worker alone at its first claim takes half; a second that joins gets the other half
 * at its first claim; one SIGKILLed while it holds a chunk loses nothing (its trials return after the
 * heartbeat timeout, to the survivor and to a third worker that joined while they were held); every
 * trial finishes once, and the refit at the chosen λ runs once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStorage, type Trial } from '../../src/study/index.js';
import { startWorker, type Worker } from './cli-worker.js';
import { findPgBin, PG_MISSING, startCluster, type PgCluster } from './pg-cluster.js';

const TIMEOUT_S = 3;
const LAMBDAS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
const bin = await findPgBin();
const external = (process.env.L2LAB_TEST_POSTGRES_URL ?? '') !== '';

const tuneArgs = (storage: string): string[] => [
  'tune', '--data', 'wine', '--model', 'mlp:16', '--lambdas', LAMBDAS.join(','), '--folds', '3', '--epochs', '300', '--batch-size', '8',
  '--threads', '1', '--storage', storage, '--study', 'grid', '--heartbeat-timeout', String(TIMEOUT_S), '--json',
];

/** The study's trials (none before the study exists). */
async function trialsOf(storage: string): Promise<Trial[]> {
  const s = await openStorage(storage);
  try {
    const study = await s.getStudy('grid');
    return study ? await s.listTrials(study.id) : [];
  } finally {
    await s.close();
  }
}

/** Polls until `worker` holds RUNNING trials; returns them. */
async function heldBy(storage: string, worker: Worker): Promise<Trial[]> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const held = (await trialsOf(storage).catch(() => [])).filter((t) => t.state === 'RUNNING' && t.owner?.hostname === worker.id);
    if (held.length > 0) return held;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`${worker.id} never held a trial`);
}

/** Polls until `worker` has printed its wait line (it holds nothing and waits on the others' trials). */
async function saysItWaits(worker: Worker): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!/waiting for another worker/.test(worker.stderrSoFar())) {
    if (Date.now() > deadline) throw new Error(`${worker.id} never said it waits:\n${worker.stderrSoFar()}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

async function shareAndKill(storage: string): Promise<void> {
  const w1 = startWorker('w1', tuneArgs(storage));
  const first = await heldBy(storage, w1);
  assert.equal(first.length, LAMBDAS.length / 2, 'alone at its first claim, a worker leaves half for one that joins');
  const w2 = startWorker('w2', tuneArgs(storage));
  await heldBy(storage, w2);
  // w3 joins while w1 and w2 hold every trial: it waits, and counts when w2's chunk returns. w2 is
  // killed once w3 says it waits: started under load, w3 could otherwise arrive after w1 took the chunk back.
  const w3 = startWorker('w3', tuneArgs(storage));
  await saysItWaits(w3);
  w2.child.kill('SIGKILL');
  const killedAt = Date.now();
  assert.equal((await w2.done).signal, 'SIGKILL');
  const lost = new Set((await trialsOf(storage)).filter((t) => t.state === 'RUNNING' && t.owner?.hostname === 'w2').map((t) => t.id));
  assert.ok(lost.size >= 1, 'w2 was killed holding a chunk');

  const outs = await Promise.all([w1.done, w3.done]);
  outs.forEach((o, i) => assert.equal(o.code, 0, `${['w1', 'w3'][i]}: ${o.stderr}`));
  const [r1, r3] = outs.map((o) => JSON.parse(o.stdout) as { best_lambda: number; refit: { test_loss: number } });
  assert.equal(r3.best_lambda, r1.best_lambda);
  assert.deepEqual(r3.refit, r1.refit, 'one refit, read by the other worker');

  const trials = await trialsOf(storage);
  assert.equal(trials.length, LAMBDAS.length);
  for (const t of trials) {
    assert.ok(t.state === 'COMPLETE' || t.state === 'FAIL', `λ=${t.params.lambda} finished (${t.state})`);
    assert.equal(t.attempt, lost.has(t.id) ? 2 : 1, `λ=${t.params.lambda}: ${lost.has(t.id) ? 'run again once, after the kill' : 'run once'}`);
    if (lost.has(t.id)) assert.ok(t.startedAt! >= killedAt - 1_000, `λ=${t.params.lambda} was re-run after the kill`);
  }
  assert.ok(trials.some((t) => t.owner?.hostname === 'w3'), 'w3, joining a study started with the defaults, trained trials once the killed chunk returned');

  const s = await openStorage(storage);
  try {
    const attrs = await s.getStudyAttrs((await s.getStudy('grid'))!.id);
    const leases = Object.entries(attrs).filter(([k]) => k.startsWith('lease:refit:'));
    assert.equal(leases.length, 1);
    const lease = leases[0][1] as { owner: { hostname: string }; released: boolean };
    assert.ok(lease.released && ['w1', 'w3'].includes(lease.owner.hostname), `the refit ran once, on a survivor: ${JSON.stringify(lease)}`);
  } finally {
    await s.close();
  }
}

describe('workers with the default flags claim their share; one killed mid-chunk loses nothing', { timeout: 300_000 }, () => {
  it('SQLite', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-shares-'));
    try {
      await shareAndKill(path.join(dir, 'study.db'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', () => {
    if (bin === null && !external) {
      it('PostgreSQL', { skip: PG_MISSING }, () => undefined);
      return;
    }
    let cluster: PgCluster | undefined;
    before(async () => {
      cluster = await startCluster(bin);
    });
    after(async () => {
      await cluster?.stop();
    });
    it('PostgreSQL', async () => shareAndKill(await cluster!.fresh()));
  });
});
