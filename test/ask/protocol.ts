/** The ask/tell protocol's suite: every storage backend (SQLite, PostgreSQL) registers these cases with its own factory. Real storage, a simulated training curve. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openLambdaService, type LambdaStudies } from '../../src/ask/service.js';
import type { AskedTrial, NoTrial, StudyContext } from '../../src/ask/protocol.js';
import { convert } from '../../src/conventions/index.js';
import { L2labError } from '../../src/errors.js';

/** A fresh, empty store: what openLambdaService takes to reach it (a file path or URL), and how to remove it. */
export interface AskFixture {
  spec: string;
  dispose?: () => Promise<void>;
}

export const CONTEXT: StudyContext = { convention: 'pytorch', m: 6400, batch_size: 128, optimizer: 'momentum', lr: 0.1, momentum: 0.9, epochs: 12 };

/** A validation curve with its minimum at weight_decay 3e-3 (log-quadratic), falling over epochs. */
export function valLoss(wd: number, epoch: number): number {
  return 0.3 + 0.05 * (Math.log10(wd) - Math.log10(3e-3)) ** 2 + 0.5 * Math.exp(-epoch / 3);
}

/** The trial, asserting ask handed one out. */
export function handed(a: AskedTrial | NoTrial): AskedTrial {
  assert.notEqual(a.trial, null, `ask handed out no trial: ${JSON.stringify(a)}`);
  return a as AskedTrial;
}

/** Asserts `run` rejects with an L2labError of `code` whose message matches `re`. */
export async function refuses(run: () => Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(run, (e: unknown) => {
    assert.ok(e instanceof L2labError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

/** Everything stored about a study: its trials (with reports) and epoch records, to check that a refused call changed nothing. */
async function snapshot(s: LambdaStudies, name: string): Promise<string> {
  const study = (await s.storage.getStudy(name))!;
  const epochs = (await s.storage.listEpochs(study.id)).map(({ at: _at, ...e }) => e);
  return JSON.stringify({ trials: await s.storage.listTrials(study.id), epochs });
}

/** Trains a handed-out trial on the simulated curve, reporting each epoch; tells it pruned when report says so. Returns the epochs reported and whether it was pruned. */
export async function train(s: LambdaStudies, name: string, t: AskedTrial): Promise<{ pruned: boolean; epochs: number[]; pruneAt?: number }> {
  const epochs: number[] = [];
  for (let e = 1; e <= t.epochs; e++) {
    const v = valLoss(t.value, e);
    const a = await s.report(name, { trial: t.trial, epoch: e, val_loss: v, train_loss: 0.8 * v });
    epochs.push(e);
    if (a.prune) {
      await s.tell(name, { trial: t.trial, state: 'pruned', reason: a.reason ?? undefined });
      return { pruned: true, epochs, pruneAt: e };
    }
  }
  await s.tell(name, { trial: t.trial, val_loss: valLoss(t.value, t.epochs) });
  return { pruned: false, epochs };
}

/** Registers the suite under `describe(name)`. */
export function askConformance(name: string, factory: () => Promise<AskFixture>): void {
  const use = async (fn: (s: LambdaStudies, fx: AskFixture) => Promise<void>, heartbeatTimeout?: number): Promise<void> => {
    const fx = await factory();
    const s = await openLambdaService({ storage: fx.spec, heartbeatTimeout });
    try {
      await fn(s, fx);
    } finally {
      await s.close();
      await fx.dispose?.();
    }
  };

  describe(`ask/tell protocol: ${name}`, () => {
    it('the first ask creates the study and hands out the constant-timescale λ in both units; later asks need no context', () =>
      use(async (s) => {
        const t = handed(await s.ask('wd', { context: CONTEXT }));
        assert.equal(t.trial, 0);
        assert.equal(t.convention, 'pytorch');
        assert.ok(Math.abs(t.tau_epochs! / CONTEXT.epochs - 1) < 0.01, `τ ${t.tau_epochs} at the first guess`);
        assert.ok(Math.abs(convert(t.lambda, 'seed', 'pytorch', { m: 6400 }).value / t.value - 1) < 1e-9);
        assert.equal(t.epochs, CONTEXT.epochs);
        const u = handed(await s.ask('wd', {}));
        assert.notEqual(u.trial, t.trial);
        const study = (await s.storage.getStudy('wd'))!;
        assert.deepEqual(study.config.data, { source: 'external', m: 6400, epochs: 12, batchSize: 128, optimizer: 'momentum', momentum: 0.9, lr: 0.1 });
        assert.equal(study.config.convention, 'pytorch');
      }));

    it('an ask with another context, or none for a study that does not exist, is refused and creates nothing', () =>
      use(async (s) => {
        await refuses(() => s.ask('none', {}), 'STUDY_NOT_FOUND', /No study 'none'.*first ask of a study gives the context/);
        assert.equal(await s.storage.getStudy('none'), null);
        handed(await s.ask('wd', { context: CONTEXT }));
        const before = await snapshot(s, 'wd');
        await refuses(() => s.ask('wd', { context: { ...CONTEXT, lr: 0.05 } }), 'CONTEXT_MISMATCH', /lr 0\.1 there, 0\.05 in this ask.*leave it out/);
        await refuses(() => s.ask('wd', { context: { ...CONTEXT, lr: -1 } }), 'INVALID_OPTION', /'lr' option of ask must be a number in \(0, ∞\)\. Got -1/);
        assert.equal(await snapshot(s, 'wd'), before);
      }));

    it('faults: an unknown trial, an epoch going backwards, a NaN or negative loss, a second tell: each a clear error that changes nothing stored', () =>
      use(async (s) => {
        const t = handed(await s.ask('wd', { context: CONTEXT }));
        await s.report('wd', { trial: t.trial, epoch: 1, val_loss: 0.9, train_loss: 0.8 });
        await s.report('wd', { trial: t.trial, epoch: 2, val_loss: 0.8 });
        const before = await snapshot(s, 'wd');
        await refuses(() => s.report('wd', { trial: 42, epoch: 3, val_loss: 0.7 }), 'TRIAL_NOT_FOUND', /no trial 42 handed out \(handed out: 0\)/);
        await refuses(() => s.report('wd', { trial: t.trial, epoch: 1, val_loss: 0.7 }), 'EPOCH_BACKWARDS', /epoch 1 comes after epoch 2/);
        await refuses(() => s.report('wd', { trial: t.trial, epoch: 2, val_loss: 0.7 }), 'EPOCH_BACKWARDS', /epoch 2 was already reported/);
        await refuses(() => s.report('wd', { trial: t.trial, epoch: 3, val_loss: NaN }), 'INVALID_OPTION', /'val_loss' of report must be a finite number.*Got NaN.*tell the trial as failed/);
        await refuses(() => s.report('wd', { trial: t.trial, epoch: 3, val_loss: -0.1 }), 'INVALID_OPTION', /Got -0\.1/);
        await refuses(() => s.report('wd', { trial: t.trial, epoch: 3, val_loss: 0.7, weight_sq_norm: -1 }), 'INVALID_OPTION', /'weight_sq_norm'/);
        await refuses(() => s.report('other', { trial: 0, epoch: 3, val_loss: 0.7 }), 'STUDY_NOT_FOUND', /No study 'other'/);
        assert.equal(await snapshot(s, 'wd'), before);
        // The same report again (a retried request) is answered, not stored twice.
        assert.deepEqual(await s.report('wd', { trial: t.trial, epoch: 2, val_loss: 0.8 }), await s.report('wd', { trial: t.trial, epoch: 2, val_loss: 0.8 }));
        assert.equal(await snapshot(s, 'wd'), before);
        assert.deepEqual(await s.tell('wd', { trial: t.trial, val_loss: 0.75 }), { study: 'wd', trial: t.trial, state: 'COMPLETE', value: 0.75 });
        const told = await snapshot(s, 'wd');
        await refuses(() => s.tell('wd', { trial: t.trial, val_loss: 0.7 }), 'TRIAL_FINISHED', /already told: COMPLETE with 0\.75/);
        await refuses(() => s.report('wd', { trial: t.trial, epoch: 3, val_loss: 0.7 }), 'TRIAL_FINISHED', /already told/);
        await refuses(() => s.tell('wd', { trial: t.trial, state: 'done' } as never), 'INVALID_OPTION', /Unknown tell state "done"/);
        assert.equal(await snapshot(s, 'wd'), told);
      }));

    it('bayes: report prunes by the median rule only once λ acted (epoch ≥ τ); the study runs to done and best answers in both units', () =>
      use(async (s) => {
        const seen: { t: AskedTrial; pruneAt?: number }[] = [];
        for (let i = 0; i < 20; i++) {
          const a = await s.ask('wd', { context: { ...CONTEXT, trials: 8 } });
          if (a.trial === null) {
            assert.equal(a.status, 'done', a.reason);
            break;
          }
          const r = await train(s, 'wd', a);
          seen.push({ t: a, pruneAt: r.pruneAt });
        }
        assert.ok(seen.length >= 5 && seen.length <= 8, `${seen.length} trials`);
        for (const { t, pruneAt } of seen) {
          if (pruneAt === undefined) continue;
          assert.ok(t.prune_from_epoch !== null && pruneAt >= t.prune_from_epoch && pruneAt >= t.tau_epochs!, `trial ${t.trial} pruned at ${pruneAt}, τ ${t.tau_epochs}`);
        }
        assert.ok(seen.some((x) => x.pruneAt !== undefined), 'some trial was pruned');
        const b = await s.best('wd');
        assert.equal(b.convention, 'pytorch');
        assert.ok(Math.abs(Math.log10(b.value / 3e-3)) < 0.6, `λ_min ${b.value}`);
        assert.ok(Math.abs(convert(b.best_lambda, 'seed', 'pytorch', { m: 6400 }).value / b.value - 1) < 1e-9);
        assert.equal(b.lambda_1se, null);
        // The reading is bayes's: the stretch around its process's minimum predicted within the noise of the best.
        assert.ok(b.noise && b.noise.relative_std >= 0 && b.noise.value_lo <= b.noise.value_hi && b.noise.lambda_lo <= b.noise.lambda_hi, JSON.stringify(b.noise));
        assert.ok(Math.abs(convert(b.noise.lambda_lo, 'seed', 'pytorch', { m: 6400 }).value / b.noise.value_lo - 1) < 1e-9);
        assert.equal(b.trials.complete + b.trials.pruned, seen.length);
        // The interval around λ_min, by the process's band, in both units.
        assert.ok(b.lambda_interval.low <= b.best_lambda && b.best_lambda <= b.lambda_interval.high, JSON.stringify(b.lambda_interval));
        assert.match(b.lambda_interval.basis, /^GP posterior band/);
        assert.ok(Math.abs(convert(b.lambda_interval.high, 'seed', 'pytorch', { m: 6400 }).value / b.value_interval.high - 1) < 1e-9);
      }));

    it('a report before τ is never pruned, and says why', () =>
      use(async (s) => {
        const t = handed(await s.ask('wd', { context: { ...CONTEXT, epochs: 40 } }));
        const a = await s.report('wd', { trial: t.trial, epoch: 1, val_loss: 5 });
        assert.deepEqual(a.prune, false);
        assert.match(a.reason ?? '', /^not judged/);
      }));

    it('a client asking again gets its own unfinished trial back; once it reported, with its reports cleared', () =>
      use(async (s) => {
        const a = handed(await s.ask('wd', { context: CONTEXT, client_id: 'gpu-0' }));
        const again = handed(await s.ask('wd', { client_id: 'gpu-0' }));
        assert.equal(again.trial, a.trial);
        assert.equal(again.resumed, true);
        const other = handed(await s.ask('wd', { client_id: 'gpu-1' }));
        assert.notEqual(other.trial, a.trial);
        await s.report('wd', { trial: a.trial, epoch: 1, val_loss: 0.9 });
        await s.report('wd', { trial: a.trial, epoch: 2, val_loss: 0.8 });
        const restarted = handed(await s.ask('wd', { client_id: 'gpu-0' }));
        assert.equal(restarted.trial, a.trial);
        await s.report('wd', { trial: a.trial, epoch: 1, val_loss: 0.95 });
        const t = (await s.storage.listTrials((await s.storage.getStudy('wd'))!.id)).find((x) => x.number === a.trial)!;
        assert.deepEqual(t.intermediate.map((v) => v.step), [1]);
      }));

    it('a trial with no report for the heartbeat timeout goes back to the pool; a late report or tell for it is refused, telling the worker to stop', () =>
      use(async (s) => {
        const a = handed(await s.ask('wd', { context: CONTEXT, client_id: 'gpu-0' }));
        await s.report('wd', { trial: a.trial, epoch: 1, val_loss: 0.9 });
        await new Promise((r) => setTimeout(r, 400));
        await refuses(() => s.report('wd', { trial: a.trial, epoch: 2, val_loss: 0.8 }), 'LEASE_EXPIRED', /went without a report for longer than the heartbeat timeout \(0\.2 s\).*Stop training it/);
        const b = handed(await s.ask('wd', { client_id: 'gpu-1' }));
        assert.notEqual(b.trial, a.trial);
        assert.equal(b.value, a.value, 'the lapsed λ is handed out again first');
        await refuses(() => s.report('wd', { trial: a.trial, epoch: 2, val_loss: 0.8 }), 'LEASE_EXPIRED', /handed out again as trial/);
        await refuses(() => s.tell('wd', { trial: a.trial, val_loss: 0.8 }), 'LEASE_EXPIRED', /Stop training it/);
        const old = (await s.storage.listTrials((await s.storage.getStudy('wd'))!.id)).find((x) => x.number === a.trial)!;
        assert.equal(old.state, 'FAIL');
        // The new holder's reports are its own.
        await s.report('wd', { trial: b.trial, epoch: 1, val_loss: 0.9 });
        assert.equal((await s.tell('wd', { trial: b.trial, val_loss: 0.5 })).state, 'COMPLETE');
        const best = await s.best('wd');
        assert.equal(best.trials.failed, 0, 'the lapsed trial is bookkeeping, not a failure');
      }, 0.2));

    it('grid with repeats: every value each time, then done; best gives λ_1se from the repeats', () =>
      use(async (s) => {
        const context: StudyContext = { ...CONTEXT, strategy: 'grid', lambdas: [1e-4, 1e-3, 3e-3, 1e-2], repeats: 2 };
        const values: number[] = [];
        for (;;) {
          const a = await s.ask('grid', { context });
          if (a.trial === null) {
            assert.equal(a.status, 'done');
            break;
          }
          values.push(a.value);
          // Repeats scatter by ±0.02: a flat stretch around the minimum for the 1-SE rule.
          await s.tell('grid', { trial: a.trial, val_loss: valLoss(a.value, 100) + (a.repeat ? 0.02 : -0.02) });
        }
        assert.deepEqual(values, [1e-4, 1e-3, 3e-3, 1e-2, 1e-4, 1e-3, 3e-3, 1e-2]);
        const b = await s.best('grid');
        assert.equal(b.value, 3e-3);
        assert.ok(b.value_1se !== null && b.value_1se >= b.value, `λ_1se ${b.value_1se}`);
        assert.ok(b.lambda_1se !== null);
        // Repeats give λ_min a standard error: the one-SE band, up to λ_1se.
        assert.match(b.lambda_interval.basis, /^within one SE of λ_min/);
        assert.ok(b.value_interval.low <= b.value && b.value_interval.high === b.value_1se, JSON.stringify(b.value_interval));
      }));

    it('sh: rung 0 trains every value for its budget, the next rung the best of them for longer', () =>
      use(async (s) => {
        const context: StudyContext = { ...CONTEXT, strategy: 'sh', epochs: 9, log_range: { lo: 1e-5, hi: 1e-1, n: 9 } };
        const rungs: { rung: number; epochs: number }[] = [];
        for (let i = 0; i < 30; i++) {
          const a = await s.ask('sh', { context });
          if (a.trial === null) {
            assert.equal(a.status, 'done', a.reason);
            break;
          }
          rungs.push({ rung: a.rung!, epochs: a.epochs });
          assert.equal(a.prune_from_epoch, null);
          for (let e = 1; e <= a.epochs; e++) assert.equal((await s.report('sh', { trial: a.trial, epoch: e, val_loss: valLoss(a.value, e) })).prune, false);
          await s.tell('sh', { trial: a.trial, val_loss: valLoss(a.value, a.epochs) });
        }
        assert.equal(rungs.filter((r) => r.rung === 0).length, 9);
        assert.ok(rungs.every((r) => r.epochs === [1, 3, 9][r.rung]), JSON.stringify(rungs));
        assert.ok(rungs.some((r) => r.rung === 2));
        assert.ok((await s.best('sh')).value > 1e-4);
      }));

    it('several processes asking at once get distinct trials', () =>
      use(async (s, fx) => {
        handed(await s.ask('wd', { context: { ...CONTEXT, strategy: 'grid', lambdas: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2] } }));
        const others = await Promise.all(Array.from({ length: 4 }, () => openLambdaService({ storage: fx.spec })));
        try {
          const got = await Promise.all(others.map((o, i) => o.ask('wd', { client_id: `w${i}` })));
          const numbers = got.map((g) => handed(g).trial);
          assert.equal(new Set(numbers).size, 4, JSON.stringify(numbers));
        } finally {
          await Promise.all(others.map((o) => o.close()));
        }
      }));
  });
}
