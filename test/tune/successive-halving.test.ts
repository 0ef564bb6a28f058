/** Tests of successive halving and ASHA: rung budgets, promotion with ties and divergence, a full synchronous run, ASHA's promotion order, and JSON resumption. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidDataError, InvalidOptionError } from '../../src/errors.js';
import { AshaScheduler, promote, rungSchedule, type AshaDecision } from '../../src/tune/successive-halving.js';

/** A JSON round trip, as through the study store. */
const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

test('rungSchedule: powers of η anchored at maxEpochs', () => {
  assert.deepEqual(rungSchedule(1, 27), [1, 3, 9, 27]);
  assert.deepEqual(rungSchedule(1, 27, 3), [1, 3, 9, 27]);
  assert.deepEqual(rungSchedule(1, 81, 3), [1, 3, 9, 27, 81]);
  assert.deepEqual(rungSchedule(1, 30), [1, 3, 10, 30]);
  assert.deepEqual(rungSchedule(2, 16, 2), [2, 4, 8, 16]);
  assert.deepEqual(rungSchedule(5, 5), [5]);
  assert.deepEqual(rungSchedule(1, 2), [2]);
  assert.deepEqual(rungSchedule(1, 4, 1.5), [1, 2, 3, 4]);
  assert.deepEqual(rungSchedule(1, 100, 4), [2, 6, 25, 100]);
  assert.throws(() => rungSchedule(0, 10), /'minEpochs'.*integer in \[1, ∞\)\. Got 0/);
  assert.throws(() => rungSchedule(10, 5), /'maxEpochs'.*≥ minEpochs = 10\. Got 5/);
  assert.throws(() => rungSchedule(1, 10, 1), (e: unknown) => e instanceof InvalidOptionError && /'eta'.*\(1, ∞\).*Got 1/.test(e.message));
});

test('promote: top ⌊n/η⌋, at least one, ties by id, diverged trials never', () => {
  const r = (...vs: number[]) => vs.map((value, id) => ({ id, value }));
  assert.deepEqual(promote(r(0.5, 0.2, 0.9, 0.1, 0.3, 0.4, 0.8, 0.7, 0.6), 3), [3, 1, 4]);
  assert.deepEqual(promote(r(0.5, 0.2), 3), [1]);
  assert.deepEqual(promote(r(0.5, 0.5, 0.5, 0.1, 0.5, 0.5), 3), [3, 0]);
  assert.deepEqual(promote(r(NaN, Infinity, 0.9, -Infinity, 0.95, 1), 3), [2, 4]);
  assert.deepEqual(promote(r(NaN, NaN), 3), []);
  assert.deepEqual(promote([], 3), []);
  assert.deepEqual(promote([{ id: 'b', value: 1 }, { id: 'a', value: 1 }, { id: 'c', value: 2 }], 2), ['a']);
  assert.deepEqual(promote([{ id: 10, value: 1 }, { id: 9, value: 1 }], 2), [9]);
  // Order of the input does not matter.
  assert.deepEqual(promote(r(0.3, 0.1, 0.2).reverse(), 1.5), [1, 2]);
});

/** A deterministic "training curve": the loss after e epochs of config c. */
const loss = (c: { lambda: number }, e: number) => (Math.log10(c.lambda) + 1) ** 2 + 1 / e;

/** Runs ASHA with one job at a time (a single worker), reporting each job before asking for the next. */
function runSerial(asha: AshaScheduler, value: (id: number, epochs: number) => number): Exclude<AshaDecision, { kind: 'wait' } | { kind: 'done' }>[] {
  const log: Exclude<AshaDecision, { kind: 'wait' } | { kind: 'done' }>[] = [];
  for (;;) {
    const d = asha.nextJob();
    if (d.kind === 'done') return log;
    assert.notEqual(d.kind, 'wait', 'a serial run never waits');
    if (d.kind === 'wait') return log;
    log.push(d);
    asha.report(d.id, d.rung, value(d.id, d.epochs));
  }
}


test('AshaScheduler: promotes as soon as a trial is in the top 1/η of its rung (Li et al. 2020, Algorithm 2)', () => {
  const asha = new AshaScheduler({ minEpochs: 1, maxEpochs: 9, maxTrials: 6 });
  // Trial quality: lower id is better, except trial 2, the best of all.
  const q = (id: number) => (id === 2 ? -1 : id);
  const log = runSerial(asha, (id, e) => q(id) + 1 / e);
  const text = log.map((d) => `${d.kind === 'start' ? 'S' : 'P'}${d.id}@${d.rung}`);
  assert.deepEqual(text, [
    'S0@0', 'S1@0', 'S2@0', // 3 results: top ⌊3/3⌋ = 1 → trial 2
    'P2@1',
    'S3@0', 'S4@0', 'S5@0',
    // All 6 started, so each rung now promotes at least its best, highest rung first: rung 1 holds
    // only trial 2; then rung 0's top ⌊6/3⌋ = {2, 0} less the promoted 2 gives 0.
    'P2@2',
    'P0@1',
  ]);
  assert.deepEqual(log.find((d) => d.id === 2 && d.rung === 2), { kind: 'promote', id: 2, rung: 2, epochs: 9, fromEpochs: 3 });
  assert.deepEqual(asha.best(), { id: 2, rung: 2, epochs: 9, value: -1 + 1 / 9 });
  assert.deepEqual(asha.nextJob(), { kind: 'done' });
});

test('AshaScheduler: waits while jobs run, never promotes diverged trials, resumes from JSON', () => {
  const asha = new AshaScheduler({ minEpochs: 1, maxEpochs: 4, eta: 2, maxTrials: 3 });
  const a = asha.nextJob();
  const b = asha.nextJob();
  const c = asha.nextJob();
  assert.deepEqual([a.kind, b.kind, c.kind], ['start', 'start', 'start']);
  assert.deepEqual(asha.nextJob(), { kind: 'wait' });
  asha.report(0, 0, NaN);
  asha.report(1, 0, Infinity);
  assert.throws(() => asha.report(1, 0, 0.5), /no running job at rung 0 .*\[2@0\]/);
  // Both finished trials diverged: nothing to promote, and trial 2 still runs.
  assert.deepEqual(asha.nextJob(), { kind: 'wait' });

  const resumed = AshaScheduler.fromJSON(viaJson(asha.toJSON()));
  assert.deepEqual(resumed.toJSON(), asha.toJSON());
  resumed.report(2, 0, 0.7);
  assert.deepEqual(resumed.nextJob(), { kind: 'promote', id: 2, rung: 1, epochs: 2, fromEpochs: 1 });
  resumed.report(2, 1, 0.6);
  assert.deepEqual(resumed.nextJob(), { kind: 'promote', id: 2, rung: 2, epochs: 4, fromEpochs: 2 });
  resumed.report(2, 2, 0.5);
  assert.deepEqual(resumed.nextJob(), { kind: 'done' });
  assert.deepEqual(resumed.best(), { id: 2, rung: 2, epochs: 4, value: 0.5 });
  assert.equal(resumed.resultsAt(0).length, 3);

  assert.throws(() => new AshaScheduler({ minEpochs: 1, maxEpochs: 4, maxTrials: 0 }), /'maxTrials'.*Got 0/);
  assert.throws(() => AshaScheduler.fromJSON({ kind: 'sh' } as never), /kind 'asha'/);
});

test('AshaScheduler: a larger serial run keeps every rung within its quota and ends with the best trial at maxEpochs', () => {
  const maxTrials = 40;
  const asha = new AshaScheduler({ minEpochs: 1, maxEpochs: 27, maxTrials });
  const quality = (id: number) => ((id * 7919) % 101) / 101; // a fixed permutation of qualities
  const log = runSerial(asha, (id, e) => quality(id) + 1 / e);
  assert.equal(log.filter((d) => d.kind === 'start').length, maxTrials);
  const counts = [0, 1, 2, 3].map((k) => asha.resultsAt(k).length);
  assert.equal(counts[0], maxTrials);
  for (let k = 1; k < 4; k++) assert.ok(counts[k] >= 1 && counts[k] <= Math.max(1, Math.ceil(counts[k - 1] / 3)), `rung ${k}: ${counts}`);
  const ids = Array.from({ length: maxTrials }, (_, i) => i);
  const bestId = ids.reduce((a, b) => (quality(b) < quality(a) ? b : a));
  assert.equal(asha.best()?.id, bestId);
  assert.equal(asha.best()?.epochs, 27);
});
