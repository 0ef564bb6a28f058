/** keepAlive: heartbeats keep a slow trial from being reclaimed; a reclaimed trial is reported lost and aborts the signal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrialNotOwnedError } from '../../src/study/errors.js';
import { keepAlive } from '../../src/study/keep-alive.js';
import { openSqliteStorage } from '../../src/study/sqlite/index.js';
import { CONFIG } from './conformance.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ELSEWHERE = { pid: process.pid, hostname: 'elsewhere.invalid' };

describe('keepAlive', () => {
  it('keeps the heartbeats fresh so a stale-heartbeat claim takes none of the trials', async () => {
    const storage = openSqliteStorage(':memory:');
    const { value: study } = await storage.createStudy('s', CONFIG);
    await storage.createTrial(study.id, { lambda: 1 });
    await storage.createTrial(study.id, { lambda: 2 });
    const trials = [(await storage.claimTrial(study.id, { owner: ELSEWHERE }))!, (await storage.claimTrial(study.id, { owner: ELSEWHERE }))!];
    const alive = keepAlive(storage, trials, { intervalMs: 10 });
    await sleep(150);
    assert.equal(await storage.claimTrial(study.id, { staleAfterMs: 100 }), null);
    for (const t of trials) assert.ok((await storage.getTrial(t.id))!.heartbeatAt! > t.heartbeatAt!);
    await alive.stop();
    assert.equal(alive.lost.size, 0);
    assert.equal(alive.signal.aborted, false);
    await storage.close();
  });

  it('defaults to a quarter of the storage heartbeat timeout', async () => {
    const storage = openSqliteStorage(':memory:', { heartbeatTimeoutMs: 200 });
    const { value: study } = await storage.createStudy('s', CONFIG);
    await storage.createTrial(study.id, { lambda: 1 });
    const trial = (await storage.claimTrial(study.id, { owner: ELSEWHERE }))!;
    const alive = keepAlive(storage, [trial]);
    await sleep(600);
    assert.equal(await storage.claimTrial(study.id), null, 'three timeouts later the trial is still held');
    await alive.stop();
    await sleep(300);
    assert.equal((await storage.claimTrial(study.id))?.attempt, 2, 'once the heartbeats stop, it is taken over');
    await storage.close();
  });

  it('reports the lost trial and aborts the signal once another process reclaims it; the other trial keeps its heartbeat', async () => {
    const storage = openSqliteStorage(':memory:');
    const { value: study } = await storage.createStudy('s', CONFIG);
    const a = (await storage.createTrial(study.id, { lambda: 1 })).value;
    await storage.createTrial(study.id, { lambda: 2 });
    const trials = [(await storage.claimTrial(study.id, { owner: ELSEWHERE }))!, (await storage.claimTrial(study.id, { owner: ELSEWHERE }))!];
    const lost: number[] = [];
    const alive = keepAlive(storage, trials, { intervalMs: 100, onLost: (t) => lost.push(t.id) });
    await sleep(5);
    const thief = (await storage.claimTrial(study.id, { trialId: a.id, staleAfterMs: 1 }))!;
    assert.equal(thief.attempt, 2);
    await sleep(250);
    assert.deepEqual(lost, [a.id]);
    assert.ok(alive.lost.get(a.id) instanceof TrialNotOwnedError);
    assert.ok(alive.signal.aborted);
    assert.ok(alive.signal.reason instanceof TrialNotOwnedError);
    const other = (await storage.getTrial(trials[1].id))!;
    assert.ok(Date.now() - other.heartbeatAt! < 150, 'the trial still ours keeps getting heartbeats');
    await alive.stop();
    assert.throws(() => keepAlive(storage, trials, { intervalMs: 0 }), /'intervalMs' option of keepAlive/);
    await storage.close();
  });
});
