/** runOnce: a study-wide task runs once among workers; the others wait and read its result; a dead or silent holder's lease is taken over. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { runOnce } from '../../src/study/run-once.js';
import { workerHost } from '../../src/study/owner.js';
import type { WaitEvent } from '../../src/study/run-trials.js';
import { openSqliteStorage } from '../../src/study/sqlite/index.js';
import { CONFIG } from './conformance.js';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('runOnce', () => {
  it('runs the task once for concurrent callers; the others wait, read its result, and later calls only read', async () => {
    const storage = openSqliteStorage(':memory:', { heartbeatTimeoutMs: 60_000 });
    try {
      const { value: study } = await storage.createStudy('s', CONFIG);
      let runs = 0;
      const waits: WaitEvent[] = [];
      const work = async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 200));
        return { test_loss: 0.25 };
      };
      const all = await Promise.all([1, 2, 3].map(() => runOnce(storage, study.id, 'refit:1:0', work, { name: 'the refit at λ=1', onWait: (e) => waits.push(e), pollMs: 20 })));
      assert.equal(runs, 1);
      assert.deepEqual(all.map((r) => r.value), [{ test_loss: 0.25 }, { test_loss: 0.25 }, { test_loss: 0.25 }]);
      assert.equal(all.filter((r) => r.ranHere).length, 1);
      assert.ok(waits.length >= 1 && waits.every((e) => e.task?.name === 'the refit at λ=1' && e.held.length === 0 && e.timeoutMs === 60_000));
      assert.deepEqual(await runOnce(storage, study.id, 'refit:1:0', work, { name: 'x' }), { value: { test_loss: 0.25 }, ranHere: false });
      assert.equal(runs, 1);
      const attrs = await storage.getStudyAttrs(study.id);
      assert.deepEqual(attrs['refit:1:0'], { test_loss: 0.25 });
      assert.equal((attrs['lease:refit:1:0'] as { released: boolean }).released, true);
    } finally {
      await storage.close();
    }
  });

  it('takes over at once a lease whose holder on this host is gone, and after the timeout one that stays unchanged', async () => {
    const storage = openSqliteStorage(':memory:', { heartbeatTimeoutMs: 300 });
    try {
      const { value: study } = await storage.createStudy('s', CONFIG);
      await storage.setStudyAttr(study.id, 'lease:a', { owner: { pid: await deadPid(), hostname: workerHost() }, beat: 3, released: false });
      const t0 = Date.now();
      assert.deepEqual(await runOnce(storage, study.id, 'a', async () => 1, { name: 'a' }), { value: 1, ranHere: true });
      assert.ok(Date.now() - t0 < 250, 'no wait for a dead holder here');

      const far = { pid: 1, hostname: 'far.invalid' };
      await storage.setStudyAttr(study.id, 'lease:b', { owner: far, beat: 0, released: false });
      const waits: WaitEvent[] = [];
      const t1 = Date.now();
      assert.deepEqual(await runOnce(storage, study.id, 'b', async () => 2, { name: 'b', onWait: (e) => waits.push(e), pollMs: 20 }), { value: 2, ranHere: true });
      assert.ok(Date.now() - t1 >= 300, 'waited for the timeout');
      assert.deepEqual(waits.map((e) => e.task?.owner), [far]);
    } finally {
      await storage.close();
    }
  });

  it('renews the lease while the task runs longer than the timeout, so a waiter does not run it again', async () => {
    const storage = openSqliteStorage(':memory:', { heartbeatTimeoutMs: 400 });
    try {
      const { value: study } = await storage.createStudy('s', CONFIG);
      let runs = 0;
      const work = async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 1_200));
        return 'done';
      };
      const first = runOnce(storage, study.id, 'c', work, { name: 'c' });
      await new Promise((r) => setTimeout(r, 50));
      const second = await runOnce(storage, study.id, 'c', work, { name: 'c', pollMs: 20 });
      assert.deepEqual(second, { value: 'done', ranHere: false });
      assert.deepEqual(await first, { value: 'done', ranHere: true });
      assert.equal(runs, 1);
      assert.ok(((await storage.getStudyAttrs(study.id))['lease:c'] as { beat: number }).beat >= 2, 'renewed');
    } finally {
      await storage.close();
    }
  });

  it('releases the lease when the task throws: the error propagates and a waiter runs the task at once', async () => {
    const storage = openSqliteStorage(':memory:', { heartbeatTimeoutMs: 60_000 });
    try {
      const { value: study } = await storage.createStudy('s', CONFIG);
      const failing = runOnce(storage, study.id, 'd', async () => {
        await new Promise((r) => setTimeout(r, 100));
        throw new Error('did not converge');
      }, { name: 'd' });
      await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      const waiter = runOnce(storage, study.id, 'd', async () => 'second', { name: 'd', pollMs: 20 });
      await assert.rejects(failing, /did not converge/);
      assert.deepEqual(await waiter, { value: 'second', ranHere: true });
      assert.ok(Date.now() - t0 < 30_000, 'no heartbeat timeout waited');
    } finally {
      await storage.close();
    }
  });
});
