/** Tests of successive halving: rung budgets, and promotion with ties and divergence. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidOptionError } from '../../src/errors.js';
import { promote, promoteActed, rungSchedule } from '../../src/tune/pruners/successive-halving.js';

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

test('promoteActed judges only the λ that acted by the rung budget; the rest go on unjudged, one for all that never act', () => {
  const r = [
    { id: 0, value: 0.3, tau: 0.5 }, // acted: judged
    { id: 1, value: 0.4, tau: 0.4 }, // acted: judged, loses
    { id: 2, value: 0.9, tau: 8 }, // acts before the full budget of 20: goes on although its loss is the worst
    { id: 3, value: 0.1, tau: 500 }, // never acts within 20 epochs: one of 3 and 4 goes on, the larger λ (smaller τ)
    { id: 4, value: 0.05, tau: 900 },
  ];
  assert.deepEqual(promoteActed(r, 1, 20, 2), [0, 2, 3]);
  // At the full budget every λ with τ ≤ 20 acted: ids 0–2 are judged together (keep ⌊3/2⌋ = 1), id 3 stands for the idle ones.
  assert.deepEqual(promoteActed(r, 20, 20, 2), [0, 3]);
  // Diverged trials never go on; with none acted only the unjudged do.
  assert.deepEqual(promoteActed([{ id: 'a', value: NaN, tau: 9 }, { id: 'b', value: 0.2, tau: Infinity }, { id: 'c', value: 0.2, tau: 50 }], 1, 20), ['c']);
});
