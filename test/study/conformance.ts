/** The StudyStorage conformance suite: every backend registers these node:test cases with its own factory. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { L2labError } from '../../src/errors.js';
import { StorageError, StudyConfigMismatchError, TrialAlreadyFinishedError, TrialNotOwnedError } from '../../src/study/errors.js';
import type { StudyConfig, StudyStorage, Trial } from '../../src/study/storage.js';
import { checksum, type Payload } from './fixtures/payload.js';

/** One fresh, empty storage for one test case. */
export interface StorageFixture {
  storage: StudyStorage;
  /**
   * What `openStorage` in another process takes to reach the same database. Absent when the
   * database is private to this process (`:memory:`): the cross-process cases are then skipped.
   */
  spec?: string;
  /** Throws when the database is damaged (SQLite: `PRAGMA integrity_check`). Run after the crash test. */
  checkIntegrity?: () => Promise<void>;
  /** Removes what the fixture made (files, databases), after `storage.close()`. */
  dispose?: () => Promise<void>;
}

export type StorageFactory = () => Promise<StorageFixture>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));

export const CONFIG: StudyConfig = {
  strategy: { kind: 'grid', lambdas: [1e-5, 1e-4, 1e-3] },
  data: { name: 'two-moons', folds: 3, seed: 7 },
  model: { layers: [2, 16, 1], activation: 'tanh', epochs: 20 },
  convention: { penalty: 'sum', half: true, biases: false },
  options: { seed: 42 },
};

/** Registers the suite under `describe(name)`. */
export function storageConformance(name: string, factory: StorageFactory): void {
  const use = async (fn: (fx: StorageFixture) => Promise<void>): Promise<void> => {
    const fx = await factory();
    try {
      await fn(fx);
    } finally {
      await fx.storage.close();
      await fx.dispose?.();
    }
  };
  /** Cases that need a second process skip, saying why, when the database cannot be shared. */
  const shared = (title: string, fn: (fx: StorageFixture & { spec: string }) => Promise<void>, timeout = 20_000): void => {
    it(title, { timeout }, async (t) => {
      await use(async (fx) => {
        if (fx.spec === undefined) {
          t.skip('this database is private to one process, so no second process can reach it');
          return;
        }
        await fn(fx as StorageFixture & { spec: string });
      });
    });
  };

  describe(`StudyStorage conformance: ${name}`, () => {
    it('creates a study, then loads it when the config is equal (key order does not matter)', () =>
      use(async ({ storage }) => {
        const a = await storage.createStudy('s', CONFIG);
        assert.equal(a.created, true);
        assert.equal(a.value.name, 's');
        assert.equal(a.value.direction, 'minimize');
        assert.deepEqual(a.value.config, CONFIG);
        const reordered = Object.fromEntries(Object.entries(CONFIG).reverse()) as StudyConfig;
        const b = await storage.createStudy('s', reordered);
        assert.equal(b.created, false);
        assert.equal(b.value.id, a.value.id);
        assert.deepEqual(await storage.getStudy('s'), a.value);
        assert.equal(await storage.getStudy('missing'), null);
        const m = await storage.createStudy('acc', CONFIG, { direction: 'maximize' });
        assert.equal(m.value.direction, 'maximize');
        assert.notEqual(m.value.id, a.value.id);
      }));

    it('refuses a different config under the same name, naming both configs and the fix', () =>
      use(async ({ storage }) => {
        await storage.createStudy('s', CONFIG);
        const other = { ...CONFIG, strategy: { kind: 'random', trials: 9 } };
        await assert.rejects(storage.createStudy('s', other), (e: unknown) => {
          assert.ok(e instanceof StudyConfigMismatchError);
          assert.equal(e.code, 'STORAGE');
          assert.deepEqual(e.differingPaths, ['strategy.kind', 'strategy.lambdas', 'strategy.trials']);
          assert.match(e.message, /Study 's' already exists/);
          assert.match(e.message, /stored: .*"kind":"grid"/);
          assert.match(e.message, /requested: .*"kind":"random"/);
          assert.match(e.message, /--study s-2/);
          return true;
        });
        await assert.rejects(storage.createStudy('s', CONFIG, { direction: 'maximize' }), (e: unknown) => {
          assert.ok(e instanceof StudyConfigMismatchError);
          assert.deepEqual(e.differingPaths, ['direction']);
          return true;
        });
        await assert.rejects(storage.createStudy('x', { strategy: 'grid' } as unknown as StudyConfig), /must give 'data', 'model', 'convention'/);
      }));

    it('creates each trial once: createTrial with an existing key returns the existing trial', () =>
      use(async ({ storage }) => {
        const { value: study } = await storage.createStudy('s', CONFIG);
        const { value: other } = await storage.createStudy('other', CONFIG);
        const a = await storage.createTrial(study.id, { lambda: 1e-4, fold: 0 });
        assert.equal(a.created, true);
        assert.equal(a.value.state, 'WAITING');
        assert.equal(a.value.number, 0);
        assert.equal(a.value.attempt, 0);
        assert.equal(a.value.key, '{"fold":0,"lambda":0.0001}');
        assert.equal(a.value.owner, null);
        const again = await storage.createTrial(study.id, { fold: 0, lambda: 1e-4 });
        assert.equal(again.created, false);
        assert.equal(again.value.id, a.value.id);
        const b = await storage.createTrial(study.id, { lambda: 1e-3, dropout: 0.1 }, 'lambda=1e-3/dropout=0.1');
        assert.equal(b.value.number, 1);
        assert.equal(b.value.key, 'lambda=1e-3/dropout=0.1');
        assert.deepEqual(b.value.params, { lambda: 1e-3, dropout: 0.1 });
        await assert.rejects(storage.createTrial(study.id, { lambda: 5 }, 'lambda=1e-3/dropout=0.1'), (e: unknown) => e instanceof StorageError && /already names a trial/.test(e.message));
        // Keys are per study.
        const c = await storage.createTrial(other.id, { lambda: 1e-4, fold: 0 });
        assert.equal(c.created, true);
        assert.equal(c.value.number, 0);
        // Concurrent creations of one key make one trial.
        const many = await Promise.all(Array.from({ length: 8 }, () => storage.createTrial(study.id, { lambda: 0.5 })));
        assert.equal(many.filter((r) => r.created).length, 1);
        assert.equal(new Set(many.map((r) => r.value.id)).size, 1);
        assert.deepEqual(
          (await storage.listTrials(study.id)).map((t) => t.number),
          [0, 1, 2],
        );
        await assert.rejects(storage.createTrial(study.id, { lambda: -1 }), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION' && /Got -1/.test(e.message));
        await assert.rejects(storage.createTrial(study.id, { lambda: 1, seed: Number.NaN }), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION' && /params\.seed/.test(e.message));
        await assert.rejects(storage.createTrial(999_999, { lambda: 1 }), (e: unknown) => e instanceof StorageError && /No study with id 999999/.test(e.message));
      }));

    it('records intermediate values of a running trial, overwriting a repeated step', () =>
      use(async ({ storage }) => {
        const { value: study } = await storage.createStudy('s', CONFIG);
        const { value: waiting } = await storage.createTrial(study.id, { lambda: 1e-4 });
        await assert.rejects(storage.reportIntermediate(waiting.id, 0, 1), (e: unknown) => e instanceof TrialNotOwnedError && /claim it/.test(e.message));
        const trial = (await storage.claimTrial(study.id))!;
        assert.equal(trial.id, waiting.id);
        await storage.reportIntermediate(trial.id, 0, 0.9, { trainLoss: 0.8, weightNorm: 3.5 });
        await storage.reportIntermediate(trial.id, 2, Number.POSITIVE_INFINITY);
        await storage.reportIntermediate(trial.id, 1, 0.7, null, { attempt: trial.attempt });
        await storage.reportIntermediate(trial.id, 1, 0.6, { note: 'rerun' });
        const got = (await storage.getTrial(trial.id))!;
        assert.deepEqual(got.intermediate, [
          { step: 0, value: 0.9, extra: { trainLoss: 0.8, weightNorm: 3.5 } },
          { step: 1, value: 0.6, extra: { note: 'rerun' } },
          { step: 2, value: Number.POSITIVE_INFINITY, extra: null },
        ]);
        assert.deepEqual((await storage.listTrials(study.id))[0].intermediate, got.intermediate);
        await assert.rejects(storage.reportIntermediate(trial.id, 3, Number.NaN), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION' && /FAIL/.test(e.message));
        await assert.rejects(storage.reportIntermediate(trial.id, -1, 1), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');
        await assert.rejects(storage.reportIntermediate(trial.id, 1.5, 1), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');
        await assert.rejects(storage.reportIntermediate(987_654, 0, 1), (e: unknown) => e instanceof StorageError && /No trial with id 987654/.test(e.message));
        await storage.heartbeat(trial.id, { attempt: trial.attempt });
      }));

    it('finishes trials as COMPLETE, PRUNED or FAIL with value, result and reason; lists them by state', () =>
      use(async ({ storage }) => {
        const { value: study } = await storage.createStudy('s', CONFIG);
        for (const lambda of [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]) await storage.createTrial(study.id, { lambda });
        const [a, b, c, d] = [(await storage.claimTrial(study.id))!, (await storage.claimTrial(study.id))!, (await storage.claimTrial(study.id))!, (await storage.claimTrial(study.id))!];
        assert.deepEqual([a.number, b.number, c.number, d.number], [0, 1, 2, 3]);
        const done = await storage.finishTrial(a.id, 'COMPLETE', { value: 0.25, result: { weightNorm: 4.5, folds: [0.2, 0.3] }, attempt: a.attempt });
        assert.equal(done.state, 'COMPLETE');
        assert.equal(done.value, 0.25);
        assert.deepEqual(done.result, { folds: [0.2, 0.3], weightNorm: 4.5 });
        assert.equal(done.reason, null);
        assert.ok(done.finishedAt !== null && done.finishedAt >= done.startedAt!);
        const pruned = await storage.finishTrial(b.id, 'PRUNED', { value: 0.9, reason: 'rung 1: 0.9 is not in the best half' });
        assert.equal(pruned.value, 0.9);
        assert.equal(pruned.reason, 'rung 1: 0.9 is not in the best half');
        const pruned2 = await storage.finishTrial(c.id, 'PRUNED');
        assert.equal(pruned2.value, null);
        assert.equal(pruned2.result, null);
        await assert.rejects(storage.finishTrial(d.id, 'COMPLETE'), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION' && /needs \{value\}/.test(e.message));
        await assert.rejects(storage.finishTrial(d.id, 'FAIL', { value: 1 }), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');
        await assert.rejects(storage.finishTrial(d.id, 'DONE' as 'FAIL'), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');
        const failed = await storage.finishTrial(d.id, 'FAIL', { reason: 'loss became NaN at epoch 3', result: { epoch: 3 } });
        assert.equal(failed.state, 'FAIL');
        assert.equal(failed.value, null);
        const states = (await storage.listTrials(study.id)).map((t) => t.state);
        assert.deepEqual(states, ['COMPLETE', 'PRUNED', 'PRUNED', 'FAIL', 'WAITING']);
        assert.deepEqual((await storage.listTrials(study.id, { state: 'PRUNED' })).map((t) => t.id), [b.id, c.id]);
        assert.deepEqual((await storage.listTrials(study.id, { state: ['WAITING', 'FAIL'] })).map((t) => t.number), [3, 4]);
        assert.deepEqual(await storage.listTrials(study.id, { state: [] }), []);
      }));

    it("refuses to finish a finished trial (Optuna's 'trial already finished')", () =>
      use(async ({ storage }) => {
        const { value: study } = await storage.createStudy('s', CONFIG);
        await storage.createTrial(study.id, { lambda: 1e-3 });
        const { value: waiting } = await storage.createTrial(study.id, { lambda: 1e-2 });
        const t = (await storage.claimTrial(study.id))!;
        await storage.finishTrial(t.id, 'COMPLETE', { value: 0.5 });
        for (const again of [() => storage.finishTrial(t.id, 'COMPLETE', { value: 0.4 }), () => storage.finishTrial(t.id, 'FAIL'), () => storage.reportIntermediate(t.id, 5, 1), () => storage.heartbeat(t.id)]) {
          await assert.rejects(again(), (e: unknown) => {
            assert.ok(e instanceof TrialAlreadyFinishedError, String(e));
            assert.equal(e.code, 'STORAGE');
            assert.match(e.message, /already finished as COMPLETE \(value 0\.5\)/);
            return true;
          });
        }
        assert.equal((await storage.getTrial(t.id))!.value, 0.5);
        await assert.rejects(storage.finishTrial(waiting.id, 'FAIL'), (e: unknown) => e instanceof TrialNotOwnedError && /WAITING/.test(e.message));
        // A finished trial is never claimed again.
        assert.equal(await storage.claimTrial(study.id, { trialId: t.id }), null);
      }));

    it('creates, reads, claims and finishes a pass of trials in one transaction each: all of a pass or none', () =>
      use(async ({ storage }) => {
        const { value: study } = await storage.createStudy('s', CONFIG);
        const first = await storage.createTrial(study.id, { lambda: 1 });
        const made = await storage.createTrials(study.id, [{ params: { lambda: 2 } }, { params: { lambda: 1 } }, { params: { lambda: 3 }, key: 'three' }]);
        assert.deepEqual(made.map((c) => [c.value.number, c.created]), [[1, true], [0, false], [2, true]]);
        assert.equal(made[1].value.id, first.value.id);
        assert.equal(made[2].value.key, 'three');
        // A key clash anywhere in the pass creates none of it.
        await assert.rejects(storage.createTrials(study.id, [{ params: { lambda: 4 } }, { params: { lambda: 5 }, key: 'three' }]), (e: unknown) => e instanceof StorageError && /already names a trial/.test(e.message));
        assert.equal((await storage.listTrials(study.id)).length, 3);
        assert.deepEqual(await storage.createTrials(study.id, []), []);

        const ids = made.map((c) => c.value.id);
        const read = await storage.getTrials([ids[2], 987_654, ids[0]]);
        assert.deepEqual(read.map((t) => t?.params.lambda ?? null), [3, null, 2]);

        // Claims in the given order, at most `max`, skipping what is not claimable.
        const one = await storage.claimTrials(study.id, [ids[2], ids[0]], { max: 1 });
        assert.deepEqual(one.map((t) => [t.id, t.state, t.attempt]), [[ids[2], 'RUNNING', 1]]);
        const rest = await storage.claimTrials(study.id, [ids[2], ids[1], ids[0]]);
        assert.deepEqual(rest.map((t) => t.id), [ids[1], ids[0]], 'the trial this live process holds is skipped');
        assert.deepEqual(await storage.claimTrials(study.id, ids), []);
        await assert.rejects(storage.claimTrials(study.id, ids, { max: -1 }), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION' && /'max'/.test(e.message));
        const [c, a, b] = [one[0], rest[1], rest[0]];

        // One of the pass taken over: nothing of the pass is finished, and the error names that trial.
        await assert.rejects(
          storage.finishTrials([
            { trialId: a.id, state: 'COMPLETE', outcome: { value: 0.1, attempt: a.attempt } },
            { trialId: b.id, state: 'COMPLETE', outcome: { value: 0.2, attempt: b.attempt + 1 } },
          ]),
          (e: unknown) => e instanceof TrialNotOwnedError && new RegExp(`id ${b.id}\\)`).test(e.message),
        );
        assert.deepEqual((await storage.getTrials([a.id, b.id])).map((t) => t!.state), ['RUNNING', 'RUNNING']);
        // Invalid input anywhere in the pass is refused before anything is written.
        await assert.rejects(storage.finishTrials([{ trialId: a.id, state: 'COMPLETE', outcome: { value: 0.1 } }, { trialId: b.id, state: 'COMPLETE' }]), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');
        assert.equal((await storage.getTrial(a.id))!.state, 'RUNNING');

        const done = await storage.finishTrials([
          { trialId: a.id, state: 'COMPLETE', outcome: { value: 0.1, result: { folds: [0.1] }, attempt: a.attempt } },
          { trialId: b.id, state: 'FAIL', outcome: { reason: 'diverged', attempt: b.attempt } },
          { trialId: c.id, state: 'PRUNED', outcome: { value: 0.5, reason: 'rung 0' } },
        ]);
        assert.deepEqual(done.map((t) => [t.id, t.state, t.value, t.reason]), [[a.id, 'COMPLETE', 0.1, null], [b.id, 'FAIL', null, 'diverged'], [c.id, 'PRUNED', 0.5, 'rung 0']]);
        assert.deepEqual((await storage.getTrial(a.id))!.result, { folds: [0.1] });
        // A finished trial in a pass: nothing of the pass changes.
        const { value: d } = await storage.createTrial(study.id, { lambda: 7 });
        const [dc] = await storage.claimTrials(study.id, [d.id]);
        await assert.rejects(
          storage.finishTrials([{ trialId: dc.id, state: 'COMPLETE', outcome: { value: 1 } }, { trialId: a.id, state: 'COMPLETE', outcome: { value: 2 } }]),
          (e: unknown) => e instanceof TrialAlreadyFinishedError,
        );
        assert.equal((await storage.getTrial(dc.id))!.state, 'RUNNING');
        assert.equal((await storage.getTrial(a.id))!.value, 0.1);
        assert.deepEqual(await storage.finishTrials([]), []);
      }));

    shared(
      'a process SIGKILLed in the middle of many finishTrials passes leaves every committed pass complete and none half-finished',
      async (fx) => {
        const { storage, spec } = fx;
        const { value: study } = await storage.createStudy('crash-passes', CONFIG);
        const w = startWorker(['finish-passes-forever', spec, String(study.id)]);
        const reported: number[][] = [];
        await w.line((l) => {
          if (l.startsWith('done ')) reported.push(l.slice(5).split(',').map(Number));
          return reported.length >= 15;
        });
        w.child.kill('SIGKILL');
        assert.equal((await w.exited).signal, 'SIGKILL');
        await fx.checkIntegrity?.();
        const trials = await storage.listTrials(study.id);
        const byId = new Map(trials.map((t) => [t.id, t]));
        for (const pass of reported) assert.ok(pass.every((id) => byId.get(id)?.state === 'COMPLETE'), `pass ${pass.join(',')} was committed before the kill but is not COMPLETE`);
        for (const t of trials.filter((t) => t.state === 'COMPLETE')) {
          const p = t.result as unknown as Payload;
          assert.equal(p.sum, checksum(p.blob), `trial ${t.id}: result damaged`);
        }
        // Trials are created and finished 4 at a time: a pass is finished whole or not at all.
        const passes = new Map<number, string[]>();
        for (const t of trials) passes.set(Math.floor(t.params.lambda), [...(passes.get(Math.floor(t.params.lambda)) ?? []), t.state]);
        for (const [pass, states] of passes) {
          assert.equal(states.length, 4, `pass ${pass} was created whole`);
          assert.ok(states.every((s) => s === states[0]), `pass ${pass} is half-finished: ${states.join(', ')}`);
        }
      },
      30_000,
    );

    it('claims WAITING trials in number order, a named one on request, and none that a live process holds', () =>
      use(async ({ storage }) => {
        const { value: study } = await storage.createStudy('s', CONFIG);
        const ids = [];
        for (const lambda of [1, 2, 3]) ids.push((await storage.createTrial(study.id, { lambda })).value.id);
        const third = (await storage.claimTrial(study.id, { trialId: ids[2] }))!;
        assert.equal(third.id, ids[2]);
        assert.equal(third.state, 'RUNNING');
        assert.equal(third.attempt, 1);
        assert.deepEqual(third.owner, { pid: process.pid, hostname: hostname() });
        assert.ok(third.heartbeatAt !== null && third.startedAt !== null);
        assert.equal(await storage.claimTrial(study.id, { trialId: ids[2] }), null, 'held by this live process');
        assert.equal((await storage.claimTrial(study.id))!.id, ids[0]);
        assert.equal((await storage.claimTrial(study.id))!.id, ids[1]);
        assert.equal(await storage.claimTrial(study.id), null);
        await assert.rejects(storage.claimTrial(424_242), (e: unknown) => e instanceof StorageError && /No study/.test(e.message));
        // Concurrent claims in one process get different trials.
        for (const lambda of [4, 5, 6, 7, 8, 9]) await storage.createTrial(study.id, { lambda });
        const got = await Promise.all(Array.from({ length: 8 }, () => storage.claimTrial(study.id)));
        const claimed = got.filter((t): t is Trial => t !== null).map((t) => t.id);
        assert.equal(claimed.length, 6);
        assert.equal(new Set(claimed).size, 6);
      }));

    it('reclaims a trial whose heartbeat went stale, clearing its intermediate values; the old owner can no longer write', () =>
      use(async ({ storage }) => {
        const { value: study } = await storage.createStudy('s', CONFIG);
        await storage.createTrial(study.id, { lambda: 0.01 });
        const elsewhere = { pid: process.pid, hostname: 'another-machine.invalid' };
        const first = (await storage.claimTrial(study.id, { owner: elsewhere }))!;
        assert.deepEqual(first.owner, elsewhere);
        await storage.reportIntermediate(first.id, 0, 0.8);
        assert.equal(await storage.claimTrial(study.id, { staleAfterMs: 60_000 }), null, 'fresh heartbeat: not reclaimable');
        await new Promise((r) => setTimeout(r, 60));
        const second = (await storage.claimTrial(study.id, { staleAfterMs: 20 }))!;
        assert.equal(second.id, first.id);
        assert.equal(second.attempt, 2);
        assert.deepEqual(second.owner, { pid: process.pid, hostname: hostname() });
        assert.deepEqual(second.intermediate, []);
        assert.deepEqual((await storage.getTrial(first.id))!.intermediate, []);
        await assert.rejects(storage.reportIntermediate(first.id, 1, 0.7, null, { attempt: first.attempt }), (e: unknown) => e instanceof TrialNotOwnedError && /reclaimed/.test(e.message));
        await assert.rejects(storage.finishTrial(first.id, 'COMPLETE', { value: 0.7, attempt: first.attempt }), TrialNotOwnedError);
        await assert.rejects(storage.heartbeat(first.id, { attempt: first.attempt }), TrialNotOwnedError);
        const done = await storage.finishTrial(second.id, 'COMPLETE', { value: 0.6, attempt: second.attempt });
        assert.equal(done.attempt, 2);
      }));

    it('reclaims at once a trial whose owner on this host is dead (pid gone), but not one of another host', () =>
      use(async ({ storage }) => {
        const dead = await deadPid();
        const { value: study } = await storage.createStudy('s', CONFIG);
        await storage.createTrial(study.id, { lambda: 0.1 });
        const { value: second } = await storage.createTrial(study.id, { lambda: 0.2 });
        const here = (await storage.claimTrial(study.id, { owner: { pid: dead, hostname: hostname() } }))!;
        const there = (await storage.claimTrial(study.id, { trialId: second.id, owner: { pid: dead, hostname: 'another-machine.invalid' } }))!;
        assert.equal(there.id, second.id);
        await storage.reportIntermediate(here.id, 0, 3);
        const again = (await storage.claimTrial(study.id))!; // default 5-minute heartbeat timeout: only the dead pid makes it claimable
        assert.equal(again.id, here.id);
        assert.equal(again.attempt, 2);
        assert.deepEqual(again.intermediate, []);
        assert.equal(await storage.claimTrial(study.id), null, `trial ${there.id} runs on another host: its pid says nothing here`);
      }));

    shared('reclaims a trial left RUNNING by a child process that exited without finishing it', async ({ storage, spec }) => {
      const { value: study } = await storage.createStudy('s', CONFIG);
      await storage.createTrial(study.id, { lambda: 1e-4 });
      await storage.createTrial(study.id, { lambda: 1e-3 });
      const out = await runWorker(['claim-and-exit', spec, String(study.id)]);
      const child = JSON.parse(out.trim().split('\n').at(-1)!) as { id: number; attempt: number; pid: number };
      const left = (await storage.getTrial(child.id))!;
      assert.equal(left.state, 'RUNNING');
      assert.deepEqual(left.owner, { pid: child.pid, hostname: hostname() });
      assert.deepEqual(left.intermediate, [{ step: 0, value: 1.5, extra: { from: 'child' } }]);
      const resumed = (await storage.claimTrial(study.id))!;
      assert.equal(resumed.id, child.id, 'the dead worker’s trial is re-run (it has the lowest number)');
      assert.equal(resumed.attempt, 2);
      assert.deepEqual(resumed.intermediate, []);
      assert.equal(resumed.owner!.pid, process.pid);
    });

    shared('two processes claiming concurrently never get the same trial', async ({ storage, spec }) => {
      const { value: study } = await storage.createStudy('s', CONFIG);
      const n = 40;
      for (let i = 0; i < n; i++) await storage.createTrial(study.id, { lambda: i / 1000 });
      const workers = [startWorker(['claim-all', spec, String(study.id)]), startWorker(['claim-all', spec, String(study.id)])];
      await Promise.all(workers.map((w) => w.line((l) => l === 'ready')));
      for (const w of workers) w.child.stdin.write('go\n');
      const results = await Promise.all(workers.map(async (w) => JSON.parse(await w.line((l) => l.startsWith('{'))) as { claimed: number[] }));
      await Promise.all(workers.map((w) => w.exited));
      const all = results.flatMap((r) => r.claimed);
      assert.equal(all.length, n, `claims: ${JSON.stringify(results)}`);
      assert.equal(new Set(all).size, n, 'a trial was given to both processes');
      assert.ok(results.every((r) => r.claimed.length > 0), `both processes claimed (split ${results.map((r) => r.claimed.length).join('/')})`);
      const trials = await storage.listTrials(study.id);
      assert.ok(trials.every((t) => t.state === 'COMPLETE' && t.attempt === 1));
      const summary = (await storage.listStudies())[0];
      assert.equal(summary.trialCounts.COMPLETE, n);
    });

    shared(
      'a process SIGKILLed in the middle of many finishTrial calls leaves every finished trial complete and readable',
      async (fx) => {
        const { storage, spec } = fx;
        const { value: study } = await storage.createStudy('crash', CONFIG);
        const w = startWorker(['finish-forever', spec, String(study.id)]);
        const reported = new Set<number>();
        await w.line((l) => {
          if (l.startsWith('done ')) reported.add(Number(l.slice(5)));
          return reported.size >= 60;
        });
        w.child.kill('SIGKILL');
        const exit = await w.exited;
        assert.equal(exit.signal, 'SIGKILL');
        await fx.checkIntegrity?.();
        const trials = await storage.listTrials(study.id);
        const complete = trials.filter((t) => t.state === 'COMPLETE');
        for (const id of reported) assert.ok(complete.some((t) => t.id === id), `trial ${id} was committed before the kill but is not COMPLETE`);
        for (const t of complete) {
          const p = t.result as unknown as Payload;
          assert.equal(p.i, t.number);
          assert.equal(p.sum, checksum(p.blob), `trial ${t.id}: result damaged`);
          assert.equal(t.value, 1);
          assert.equal(t.attempt, 1);
          assert.ok(t.finishedAt !== null);
          assert.deepEqual(t.intermediate.map((v) => v.step), [0, 1]);
        }
        const unfinished = trials.filter((t) => t.state !== 'COMPLETE');
        assert.ok(unfinished.length <= 1, `at most the trial in flight is unfinished: ${JSON.stringify(unfinished.map((t) => t.state))}`);
        assert.ok(unfinished.every((t) => t.state === 'WAITING' || t.state === 'RUNNING'));
        // The trial in flight is resumed by the next process.
        if (unfinished.length === 1) {
          const resumed = (await storage.claimTrial(study.id))!;
          assert.equal(resumed.id, unfinished[0].id);
          await storage.finishTrial(resumed.id, 'COMPLETE', { value: 1, attempt: resumed.attempt });
        }
        const summary = (await storage.listStudies()).find((s) => s.id === study.id)!;
        assert.equal(summary.trialCounts.COMPLETE, trials.length);
      },
      30_000,
    );

    it('lists studies with trial counts by state and the best value under each direction', () =>
      use(async ({ storage }) => {
        assert.deepEqual(await storage.listStudies(), []);
        const { value: loss } = await storage.createStudy('loss', CONFIG);
        const { value: acc } = await storage.createStudy('acc', CONFIG, { direction: 'maximize' });
        await storage.createStudy('empty', CONFIG);
        const values = [0.5, 0.2, 0.9, 0.2];
        for (const [i, v] of values.entries()) {
          for (const s of [loss, acc]) {
            await storage.createTrial(s.id, { lambda: i });
            const t = (await storage.claimTrial(s.id))!;
            await storage.finishTrial(t.id, 'COMPLETE', { value: v });
          }
        }
        for (const s of [loss, acc]) {
          await storage.createTrial(s.id, { lambda: 10 });
          await storage.finishTrial((await storage.claimTrial(s.id))!.id, 'PRUNED', { value: -100 }); // pruned values never win
          await storage.createTrial(s.id, { lambda: 11 });
          await storage.finishTrial((await storage.claimTrial(s.id))!.id, 'FAIL');
          await storage.createTrial(s.id, { lambda: 12 });
          await storage.claimTrial(s.id);
          await storage.createTrial(s.id, { lambda: 13 });
        }
        const list = await storage.listStudies();
        assert.deepEqual(
          list.map((s) => s.name),
          ['loss', 'acc', 'empty'],
        );
        const [l, a, e] = list;
        assert.deepEqual(l.trialCounts, { WAITING: 1, RUNNING: 1, COMPLETE: 4, PRUNED: 1, FAIL: 1 });
        assert.equal(l.bestValue, 0.2);
        const lossTrials = await storage.listTrials(loss.id);
        assert.equal(l.bestTrialId, lossTrials[1].id, 'a tie goes to the lower number');
        assert.equal(a.bestValue, 0.9);
        assert.equal(a.bestTrialId, (await storage.listTrials(acc.id))[2].id);
        assert.deepEqual(e.trialCounts, { WAITING: 0, RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0 });
        assert.equal(e.bestValue, null);
        assert.equal(e.bestTrialId, null);
        assert.deepEqual(a.config, CONFIG);
      }));

    it('round-trips study attributes (strategy state) and deletes a study with everything in it', () =>
      use(async ({ storage }) => {
        const { value: s } = await storage.createStudy('s', CONFIG);
        const { value: other } = await storage.createStudy('other', CONFIG);
        assert.deepEqual(await storage.getStudyAttrs(s.id), {});
        const rungs = { eta: 3, rungs: [{ budget: 1, trials: [1, 2, 3], promoted: [2] }, { budget: 3, trials: [2], promoted: [] }], note: 'λ ∈ [1e-6, 1]', done: false, x: null };
        await storage.setStudyAttr(s.id, 'successive-halving', rungs);
        await storage.setStudyAttr(s.id, 'seed', 7);
        await storage.setStudyAttr(other.id, 'seed', 8);
        assert.deepEqual(await storage.getStudyAttrs(s.id), { 'successive-halving': rungs, seed: 7 });
        await storage.setStudyAttr(s.id, 'seed', [1, 'two']);
        assert.deepEqual((await storage.getStudyAttrs(s.id)).seed, [1, 'two']);
        assert.deepEqual(await storage.getStudyAttrs(other.id), { seed: 8 });
        await assert.rejects(storage.setStudyAttr(s.id, 'bad', { v: Number.POSITIVE_INFINITY }), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');

        const { value: t } = await storage.createTrial(s.id, { lambda: 1 });
        const claimed = (await storage.claimTrial(s.id))!;
        await storage.reportIntermediate(claimed.id, 0, 1);
        await storage.deleteStudy(s.id);
        assert.equal(await storage.getStudy('s'), null);
        assert.equal(await storage.getTrial(t.id), null);
        await assert.rejects(storage.getStudyAttrs(s.id), (e: unknown) => e instanceof StorageError && /No study with id/.test(e.message));
        await assert.rejects(storage.listTrials(s.id), StorageError);
        await assert.rejects(storage.deleteStudy(s.id), StorageError);
        assert.deepEqual((await storage.listStudies()).map((x) => x.name), ['other']);
        // The name is free again, for a new config.
        const again = await storage.createStudy('s', { ...CONFIG, options: { seed: 1 } });
        assert.equal(again.created, true);
      }));

    it('swaps a study attribute only from the value it holds (absent, or equal as key-sorted JSON)', () =>
      use(async ({ storage }) => {
        const { value: s } = await storage.createStudy('s', CONFIG);
        assert.equal(await storage.swapStudyAttr(s.id, 'lease', { beat: 0 }, { beat: 1 }), false, 'absent, not {beat: 0}');
        assert.equal(await storage.swapStudyAttr(s.id, 'lease', undefined, { owner: 'a', beat: 0 }), true);
        assert.equal(await storage.swapStudyAttr(s.id, 'lease', undefined, { owner: 'b', beat: 0 }), false, 'taken already');
        assert.equal(await storage.swapStudyAttr(s.id, 'lease', { beat: 0, owner: 'a' }, { owner: 'a', beat: 1 }), true, 'key order does not matter');
        // Concurrent swaps from one value: exactly one wins.
        const wins = await Promise.all(['c', 'd', 'e', 'f'].map((owner) => storage.swapStudyAttr(s.id, 'lease', { owner: 'a', beat: 1 }, { owner, beat: 0 })));
        assert.equal(wins.filter(Boolean).length, 1);
        const fresh = await Promise.all(['c', 'd', 'e'].map((owner) => storage.swapStudyAttr(s.id, 'other', undefined, { owner })));
        assert.equal(fresh.filter(Boolean).length, 1, 'one creator of an absent attribute');
        await assert.rejects(storage.swapStudyAttr(424_242, 'lease', undefined, 1), StorageError);
      }));

    it('lists the workers alive on a study: owners of trials whose heartbeat or finish is recent, less the dead here', () =>
      use(async ({ storage }) => {
        const dead = await deadPid();
        const { value: study } = await storage.createStudy('s', CONFIG);
        const { value: other } = await storage.createStudy('other', CONFIG);
        await storage.createTrials(study.id, [1, 2, 3, 4].map((lambda) => ({ params: { lambda } })));
        await storage.createTrial(other.id, { lambda: 1 });
        assert.deepEqual(await storage.liveWorkers(study.id), [], 'nothing claimed yet');
        const far = { pid: 7, hostname: 'b-machine.invalid' };
        await storage.claimTrial(study.id, { owner: far });
        const done = (await storage.claimTrial(study.id, { owner: { pid: 8, hostname: 'a-machine.invalid' } }))!;
        await storage.finishTrial(done.id, 'COMPLETE', { value: 1 });
        await storage.claimTrial(study.id, { owner: { pid: dead, hostname: hostname() } });
        await storage.claimTrial(other.id, { owner: { pid: 9, hostname: 'c-machine.invalid' } });
        assert.deepEqual(await storage.liveWorkers(study.id), [{ pid: 8, hostname: 'a-machine.invalid' }, far], 'a finished trial counts, a dead pid here and another study do not');
        await new Promise((r) => setTimeout(r, 60));
        assert.deepEqual(await storage.liveWorkers(study.id, { staleAfterMs: 20 }), [], 'silent for longer than staleAfterMs');
        await assert.rejects(storage.liveWorkers(study.id, { staleAfterMs: -1 }), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');
      }));

    it('records epochs per trial member, re-reads only what changed since a seq, and clears them on reclaim', () =>
      use(async ({ storage }) => {
        const { value: s } = await storage.createStudy('s', CONFIG);
        const { value: other } = await storage.createStudy('other', CONFIG);
        const { value: a } = await storage.createTrial(s.id, { lambda: 0.1 });
        const { value: b } = await storage.createTrial(s.id, { lambda: 1 });
        const { value: elsewhere } = await storage.createTrial(other.id, { lambda: 1 });
        await assert.rejects(storage.reportEpochs([{ trialId: a.id, member: 0, epoch: 0, trainLoss: 1, valLoss: 1, valAccuracy: null, penalty: 0, sumSquares: 2 }]), (e: unknown) => e instanceof TrialNotOwnedError && /claim it/.test(e.message));
        const ca = (await storage.claimTrial(s.id, { trialId: a.id, owner: { pid: process.pid, hostname: 'another-machine.invalid' } }))!;
        await storage.claimTrial(s.id, { trialId: b.id });
        await storage.claimTrial(other.id);
        const rec = (trialId: number, member: number, epoch: number, trainLoss: number) => ({ trialId, member, epoch, trainLoss, valLoss: trainLoss + 0.5, valAccuracy: 0.75, penalty: 0.01 * epoch, sumSquares: 3 + epoch });
        // Two members (folds) of a, one of b, in one call; a diverged value is stored as null.
        await storage.reportEpochs([rec(a.id, 0, 0, 2), rec(a.id, 1, 0, 2.5), rec(b.id, 0, 0, Number.POSITIVE_INFINITY)]);
        await storage.reportEpochs([rec(elsewhere.id, 0, 0, 9)]);
        const first = await storage.listEpochs(s.id);
        assert.deepEqual(
          first.map((e) => [e.trialId, e.member, e.epoch, e.trainLoss, e.valLoss, e.valAccuracy, e.penalty, e.sumSquares]),
          [
            [a.id, 0, 0, 2, 2.5, 0.75, 0, 3],
            [a.id, 1, 0, 2.5, 3, 0.75, 0, 3],
            [b.id, 0, 0, null, null, 0.75, 0, 3],
          ],
        );
        assert.ok(first.every((e) => Number.isInteger(e.seq) && e.at > 0));
        const cursor = Math.max(...first.map((e) => e.seq));
        assert.deepEqual(await storage.listEpochs(s.id, { after: cursor }), []);
        // A new epoch and a rewritten one are what changed; the rewrite carries a larger seq.
        await storage.reportEpochs([rec(a.id, 0, 1, 1.5), rec(a.id, 1, 0, 2.4)]);
        const changed = await storage.listEpochs(s.id, { after: cursor });
        assert.deepEqual(changed.map((e) => [e.member, e.epoch, e.trainLoss]), [[0, 1, 1.5], [1, 0, 2.4]]);
        assert.ok(changed.every((e) => e.seq > cursor));
        assert.equal((await storage.listEpochs(s.id)).length, 4, 'the rewrite replaced its epoch');
        await assert.rejects(storage.reportEpochs([{ ...rec(a.id, 0, 1, 1), epoch: -1 }]), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION' && /epoch/.test(e.message));
        await assert.rejects(storage.listEpochs(s.id, { after: -1 }), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION');
        await assert.rejects(storage.listEpochs(999_999), StorageError);
        // Reclaimed: a restarts from epoch 0 with no records.
        await new Promise((r) => setTimeout(r, 30));
        const again = (await storage.claimTrial(s.id, { trialId: a.id, staleAfterMs: 10 }))!;
        assert.equal(again.attempt, ca.attempt + 1);
        assert.deepEqual((await storage.listEpochs(s.id)).map((e) => e.trialId), [b.id]);
        await storage.finishTrial(b.id, 'COMPLETE', { value: 1 });
        await assert.rejects(storage.reportEpochs([rec(b.id, 0, 1, 1)]), TrialAlreadyFinishedError);
        await storage.deleteStudy(s.id);
        assert.equal((await storage.listEpochs(other.id)).length, 1);
      }));

    it('closes idempotently and refuses calls afterwards', async () => {
      const fx = await factory();
      try {
        await fx.storage.close();
        await fx.storage.close();
        await assert.rejects(fx.storage.listStudies(), (e: unknown) => e instanceof StorageError && /closed/.test(e.message));
      } finally {
        await fx.dispose?.();
      }
    });
  });
}

/** A pid that certainly belonged to a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line (from now on) for which `match` is true. */
  line(match: (line: string) => boolean): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: ROOT, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].match(l)) {
        waiters[i].resolve(l);
        waiters.splice(i, 1);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    line: (match) =>
      new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`worker ${args[0]} exited (${code ?? signal}) first:\n${stderr}`)));
      }),
  };
}

async function runWorker(args: string[]): Promise<string> {
  const w = startWorker(args);
  let out = '';
  w.child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const { code } = await w.exited;
  if (code !== 0) throw new Error(`worker ${args.join(' ')} exited with ${code}`);
  return out;
}
