/** keepAlive: heartbeats keep a slow trial from being reclaimed; a reclaimed trial is reported lost. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrialNotOwnedError } from '../../src/study/errors.js';
import { keepAlive } from '../../src/study/keep-alive.js';
import { openSqliteStorage } from '../../src/study/sqlite/index.js';
import { CONFIG } from './conformance.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('keepAlive', () => {
  it('keeps the heartbeat fresh so a stale-heartbeat claim does not take the trial', async () => {
    const storage = openSqliteStorage(':memory:');
    const { value: study } = await storage.createStudy('s', CONFIG);
    await storage.createTrial(study.id, { lambda: 1 });
    const trial = (await storage.claimTrial(study.id, { owner: { pid: process.pid, hostname: 'elsewhere.invalid' } }))!;
    const alive = keepAlive(storage, trial, { intervalMs: 10 });
    await sleep(150);
    assert.equal(await storage.claimTrial(study.id, { staleAfterMs: 100 }), null);
    assert.ok((await storage.getTrial(trial.id))!.heartbeatAt! > trial.heartbeatAt!);
    await alive.stop();
    assert.equal(alive.lost, null);
    await storage.close();
  });

  it('reports the trial lost once another process reclaims it', async () => {
    const storage = openSqliteStorage(':memory:');
    const { value: study } = await storage.createStudy('s', CONFIG);
    await storage.createTrial(study.id, { lambda: 1 });
    const trial = (await storage.claimTrial(study.id, { owner: { pid: process.pid, hostname: 'elsewhere.invalid' } }))!;
    const errors: Error[] = [];
    const alive = keepAlive(storage, trial, { intervalMs: 200, onLost: (e) => errors.push(e) });
    await sleep(5);
    const thief = (await storage.claimTrial(study.id, { staleAfterMs: 1 }))!;
    assert.equal(thief.attempt, 2);
    await sleep(300);
    assert.equal(errors.length, 1);
    assert.ok(alive.lost instanceof TrialNotOwnedError);
    await alive.stop();
    assert.throws(() => keepAlive(storage, trial, { intervalMs: 0 }), /'intervalMs' option of keepAlive/);
    await storage.close();
  });
});
