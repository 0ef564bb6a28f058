/** A worker's host identity: L2LAB_WORKER_ID when set (several workers on one machine act as several hosts), else the host name. */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { currentOwner, isOwnerDeadHere, workerHost } from '../../src/study/owner.js';

test('L2LAB_WORKER_ID replaces the host name in trial owners, and a pid is only judged on its own host', () => {
  const saved = process.env.L2LAB_WORKER_ID;
  try {
    delete process.env.L2LAB_WORKER_ID;
    assert.equal(workerHost(), hostname());
    process.env.L2LAB_WORKER_ID = '  ';
    assert.equal(workerHost(), hostname(), 'blank means unset');
    process.env.L2LAB_WORKER_ID = 'w2';
    assert.deepEqual(currentOwner(), { pid: process.pid, hostname: 'w2' });
    // A dead pid owned by worker w1 is not judged by w2: only the heartbeat timeout frees it.
    assert.equal(isOwnerDeadHere({ pid: 2 ** 30, hostname: 'w1' }), false);
    assert.equal(isOwnerDeadHere({ pid: 2 ** 30, hostname: 'w2' }), true);
  } finally {
    if (saved === undefined) delete process.env.L2LAB_WORKER_ID;
    else process.env.L2LAB_WORKER_ID = saved;
  }
});
