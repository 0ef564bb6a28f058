/** runTrials: a trial taken over by another worker stops its training here; a held trial is waited on, then taken over after the timeout. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TrialNotOwnedError } from '../../src/study/errors.js';
import { currentOwner } from '../../src/study/owner.js';
import { runTrials, type RunTrialsOptions, type WaitEvent } from '../../src/study/run-trials.js';
import Database from 'better-sqlite3';
import { openSqliteStorage, type SqliteStorage } from '../../src/study/sqlite/index.js';
import type { Trial } from '../../src/study/storage.js';
import { CONFIG } from './conformance.js';

const THIEF = { pid: process.pid, hostname: 'thief.invalid' };

describe('runTrials', () => {
  it('stops training a trial another worker took over, waits on it, and runs it again once that worker goes silent', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-run-trials-'));
    const storage = openSqliteStorage(path.join(dir, 's.db'), { heartbeatTimeoutMs: 400 });
    try {
      const { value: study } = await storage.createStudy('s', CONFIG);
      const trials = [(await storage.createTrial(study.id, { lambda: 1 })).value, (await storage.createTrial(study.id, { lambda: 2 })).value];
      const aborted: unknown[] = [];
      const ran: string[] = [];
      const waits: WaitEvent[] = [];
      let stolen = false;
      const done = await runTrials(
        storage,
        study.id,
        trials,
        async ([t], signal) => {
          ran.push(`λ=${t.params.lambda} attempt ${t.attempt}`);
          if (!stolen) {
            // Another worker takes this trial over while it trains here: the training must stop.
            stolen = true;
            await storage.claimTrial(study.id, { trialId: t.id, owner: THIEF, staleAfterMs: 0 });
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(resolve, 5_000);
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                aborted.push(signal.reason);
                reject(signal.reason as Error);
              });
            });
          }
          return [{ state: 'COMPLETE', value: t.params.lambda }];
        },
        { chunk: 1, onWait: (e) => waits.push(e) },
      );
      assert.equal(aborted.length, 1);
      assert.ok(aborted[0] instanceof TrialNotOwnedError, String(aborted[0]));
      // λ=1 lost (attempt 1), λ=2 run, then λ=1 waited on (the thief's heartbeat is fresh) and taken over after 400 ms.
      assert.deepEqual(ran, ['λ=1 attempt 1', 'λ=2 attempt 1', 'λ=1 attempt 3']);
      assert.equal(waits.length, 1);
      assert.deepEqual(waits[0].held.map((t: Trial) => [t.id, t.owner?.hostname]), [[trials[0].id, 'thief.invalid']]);
      assert.equal(waits[0].timeoutMs, 400);
      assert.deepEqual(done.map((t) => [t.state, t.value, t.attempt]), [['COMPLETE', 1, 3], ['COMPLETE', 2, 1]]);
    } finally {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finishes a pass in one transaction; one trial taken over after the last heartbeat leaves the rest finished and the new owner its own', async () => {
    const storage = openSqliteStorage(':memory:');
    try {
      const { value: study } = await storage.createStudy('s', CONFIG);
      const trials = (await storage.createTrials(study.id, [1, 2, 3].map((lambda) => ({ params: { lambda } })))).map((c) => c.value);
      let passes = 0;
      const done = await runTrials(storage, study.id, trials, async (claimed) => {
        passes++;
        // Taken over just before the pass ends, too late for a heartbeat to notice.
        await storage.claimTrial(study.id, { trialId: claimed[1].id, owner: THIEF, staleAfterMs: 0 });
        await storage.finishTrial(claimed[1].id, 'COMPLETE', { value: 20 });
        return claimed.map((t) => ({ state: 'COMPLETE' as const, value: t.params.lambda }));
      });
      assert.equal(passes, 1, 'the three trials trained as one pass');
      assert.deepEqual(done.map((t) => [t.state, t.value]), [['COMPLETE', 1], ['COMPLETE', 20], ['COMPLETE', 3]]);
    } finally {
      await storage.close();
    }
  });

  it("claims this worker's share: ceil(pool / workers alive), counting two when alone at first (one for brief trials), everything when still alone after; all of it on a private store", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-shares-'));
    const OTHER = { pid: process.pid, hostname: 'other.invalid' };
    type Setup = (storage: SqliteStorage, studyId: number, trials: Trial[], file: string) => Promise<(() => Promise<void>) | void>;
    /** The sizes of this worker's passes over 8 trials, after `setup` (which may return what to do during the first pass). */
    const passes = async (file: string, setup?: Setup, claims: Pick<RunTrialsOptions, 'team' | 'brief'> = {}): Promise<number[]> => {
      const storage = openSqliteStorage(file);
      try {
        const { value: study } = await storage.createStudy('s', CONFIG);
        const trials = (await storage.createTrials(study.id, [1, 2, 3, 4, 5, 6, 7, 8].map((lambda) => ({ params: { lambda } })))).map((c) => c.value);
        const duringFirst = await setup?.(storage, study.id, trials, file);
        const sizes: number[] = [];
        await runTrials(storage, study.id, trials, async (claimed) => {
          if (sizes.length === 0) await duringFirst?.();
          sizes.push(claimed.length);
          return claimed.map((t) => ({ state: 'COMPLETE' as const, value: t.params.lambda }));
        }, claims);
        return sizes;
      } finally {
        await storage.close();
      }
    };
    const file = (name: string) => path.join(dir, `${name}.db`);
    try {
      assert.deepEqual(await passes(file('alone')), [4, 4], 'alone on a file: half first, for a worker that may join; nobody did, so the rest in one pass');
      assert.deepEqual(await passes(':memory:'), [8], 'alone on :memory:, where no worker can join: everything in one pass');
      // Started together: another worker just claimed its half; this one takes the other half, not half of what it left.
      const together: Setup = async (storage, studyId, trials) => {
        const held = await storage.claimTrials(studyId, trials.map((t) => t.id), { owner: OTHER, max: 4 });
        return async () => void (await storage.finishTrials(held.map((t) => ({ trialId: t.id, state: 'COMPLETE', outcome: { value: 0 } }))));
      };
      assert.deepEqual(await passes(file('together'), together), [4], 'the pool of a round is split evenly');
      // The other worker holds one trial claimed long ago (not this round), and finishes it during this worker's first pass.
      const earlier: Setup = async (storage, studyId, trials, file) => {
        const [held] = await storage.claimTrials(studyId, [trials[0].id], { owner: OTHER });
        const db = new Database(file);
        db.prepare('UPDATE trials SET started_at = ? WHERE id = ?').run(Date.now() - 10_000, held.id);
        db.close();
        return async () => void (await storage.finishTrial(held.id, 'COMPLETE', { value: 0 }));
      };
      assert.deepEqual(await passes(file('earlier'), earlier), [4, 2, 1], '7 free between 2 workers: 4; then 3 free: 2; then 1');
      // A worker registered but waiting, holding nothing: not counted at the first claim (it would only add a pass), counted after.
      const waiting: Setup = async (storage, studyId) => {
        await storage.setStudyAttr(studyId, 'worker:other.invalid:1', { at: Date.now(), pid: 1, hostname: 'other.invalid' });
      };
      assert.deepEqual(await passes(file('waiting'), waiting), [4, 2, 1, 1], 'a lone worker does not take everything while another waits');
      // A team of 4 started together (a tune and its --workers): a quarter at the first claim, before the others show up; none did, so the rest after.
      assert.deepEqual(await passes(file('team'), undefined, { team: 4 }), [2, 6], 'a known team splits the first claims');
      // Brief trials (a joiner would arrive after they end): a lone worker takes them all; a worker already there still gets its share.
      assert.deepEqual(await passes(file('brief'), undefined, { brief: true }), [8], 'brief trials, alone: one pass');
      assert.deepEqual(await passes(file('brief-together'), together, { brief: true }), [4], 'brief trials split with a worker already claiming');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('registers this worker on a shared study while it runs (worker:<host>:<pid>), clears it when it leaves, and leaves half for a joiner once per study', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-presence-'));
    const storage = openSqliteStorage(path.join(dir, 's.db'));
    try {
      const { value: study } = await storage.createStudy('s', CONFIG);
      const trials = (await storage.createTrials(study.id, [{ params: { lambda: 1 } }])).map((c) => c.value);
      const key = `worker:${currentOwner().hostname}:${process.pid}`;
      let during: unknown;
      await runTrials(storage, study.id, trials, async (claimed) => {
        during = (await storage.getStudyAttrs(study.id))[key];
        return claimed.map(() => ({ state: 'COMPLETE' as const, value: 1 }));
      });
      assert.deepEqual(Object.keys(during as object).sort(), ['at', 'hostname', 'pid']);
      assert.equal((await storage.getStudyAttrs(study.id))[key], null);
      // A strategy's next batch on the same study (bayes, a halving rung): still alone, so all of it in one pass.
      const next = (await storage.createTrials(study.id, [2, 3, 4, 5].map((lambda) => ({ params: { lambda } })))).map((c) => c.value);
      const sizes: number[] = [];
      await runTrials(storage, study.id, next, async (claimed) => {
        sizes.push(claimed.length);
        return claimed.map(() => ({ state: 'COMPLETE' as const, value: 1 }));
      });
      assert.deepEqual(sizes, [4], 'the first claim that leaves half for a joiner is made once per study');
    } finally {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
