/** Tests of successive halving: rung budgets, and promotion with ties and divergence. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidOptionError } from '../../src/errors.js';
import { promote, rungSchedule } from '../../src/tune/successive-halving.js';

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
