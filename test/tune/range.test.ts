/** Tests of range diagnosis: edges of the grid tried, log-spaced extensions past them, and the CLI's warning text. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidOptionError } from '../../src/errors.js';
import { parseLogRange } from '../../src/options/lambda-grid.js';
import { describeEdge, edgeOf, extendLogRange } from '../../src/tune/samplers/range.js';

const pts = (...ls: number[]) => ls.map((lambda) => ({ lambda }));

test('edgeOf: low, high, inside; a failed (diverged) trial bounds the range on its side', () => {
  assert.equal(edgeOf(pts(0.1, 0.01, 1), 0.01), 'low');
  assert.equal(edgeOf(pts(0.1, 0.01, 1), 1), 'high');
  assert.equal(edgeOf(pts(0.1, 0.01, 1), 0.1), undefined);
  assert.equal(edgeOf(pts(0, 0.01, 1), 0), 'low');
  // The largest λ diverged: it is worse than λ = 1, so 1 is not on the edge.
  assert.equal(edgeOf([{ lambda: 0.1, mean: 0.3 }, { lambda: 1, mean: 0.2 }, { lambda: 10, mean: NaN }], 1), undefined);
  assert.equal(edgeOf(pts(0.5), 0.5), undefined);
  assert.equal(edgeOf(pts(0.5, 0.5), 0.5), undefined);
});

test('extendLogRange continues a log grid by one decade by default', () => {
  const grid = parseLogRange('0.1:10:9'); // 4 per decade
  const up = extendLogRange(grid, 'high');
  assert.equal(up.length, 4);
  const want = [1.25, 1.5, 1.75, 2].map((e) => 10 ** e);
  up.forEach((v, i) => assert.ok(Math.abs(v / want[i] - 1) < 1e-11, `${v} vs ${want[i]}`));
  assert.equal(up[3], 100);
  const down = extendLogRange(grid, 'low');
  assert.deepEqual(down.length, 4);
  assert.equal(down[3], 0.01);
  assert.ok(down[0] < 0.1 && down[0] > down[1]);
  assert.deepEqual(extendLogRange([0.1, 1, 10], 'high', { factor: 100 }), [100, 1000]);
  // Unsorted input and λ = 0 are fine; 0 is not part of the log spacing.
  assert.deepEqual(extendLogRange([10, 0, 1, 0.1], 'low'), [0.01]);
});

test('extendLogRange: arithmetic grids use their mean log step; a single λ steps by a third of a decade', () => {
  const arith = Array.from({ length: 40 }, (_, i) => (i + 1) / 100); // 0.01…0.4: log10(40)/39 decades per step
  const up = extendLogRange(arith, 'high');
  assert.equal(up.length, Math.round(1 / (Math.log10(40) / 39)));
  assert.ok(Math.abs(up[up.length - 1] / 4 - 1) < 0.05);
  const one = extendLogRange([1], 'high');
  assert.equal(one.length, 3);
  assert.ok(Math.abs(one[2] - 10) < 1e-9);
});

test('extendLogRange stops at the limits', () => {
  assert.deepEqual(extendLogRange([1e6, 1e7, 1e8], 'high'), []);
  assert.deepEqual(extendLogRange([1e5, 1e6, 1e7], 'high'), [1e8]);
  assert.deepEqual(extendLogRange([1e-8, 1e-7], 'low'), []);
  assert.deepEqual(extendLogRange([0.01, 0.1, 1], 'low', { limits: [0.005, 10] }), []);
  assert.deepEqual(extendLogRange([0.1, 1, 10], 'high', { factor: 1000, limits: [1e-3, 1e2] }), [100]);
});

test('extendLogRange rejects bad options with the fix', () => {
  assert.throws(() => extendLogRange([1, 10], 'high', { factor: 1 }), (e: unknown) => e instanceof InvalidOptionError && /'factor'.*\(1, ∞\).*Got 1/.test(e.message));
  assert.throws(() => extendLogRange([1, 10], 'high', { limits: [0, 1] }), /'limits'.*0 < lo < hi/);
  assert.throws(() => extendLogRange([0], 'low'), /at least one λ > 0/);
  assert.throws(() => extendLogRange([1, 10], 'middle' as 'low'), /'low' or 'high'/);
});

test('describeEdge: the CLI warning with a range that puts λ_min inside', () => {
  assert.equal(describeEdge('high', 0.4), 'λ_min = 0.4 is the largest λ tried: the best λ may be larger. Extend the range, e.g. --log-range 0.1:10:9');
  assert.equal(describeEdge('high', 1), 'λ_min = 1 is the largest λ tried: the best λ may be larger. Extend the range, e.g. --log-range 1:100:9');
  assert.equal(describeEdge('low', 0.01), 'λ_min = 0.01 is the smallest λ tried: the best λ may be smaller. Extend the range, e.g. --log-range 0.0001:0.01:9');
  assert.equal(describeEdge('low', 0.004), 'λ_min = 0.004 is the smallest λ tried: the best λ may be smaller. Extend the range, e.g. --log-range 0.0001:0.01:9');
  const zero = describeEdge('low', 0, [0, 0.001, 0.01]);
  assert.match(zero, /^λ_min = 0 \(no penalty\) is the smallest λ tried/);
  assert.match(zero, /smallest positive λ tried \(0\.001\)/);
  assert.match(zero, /--log-range 1e-7:0\.001:17$/);
  // Every suggestion parses as a --log-range.
  for (const s of [describeEdge('high', 0.4), describeEdge('low', 3e-5), zero]) assert.ok(parseLogRange(s.split('--log-range ')[1]).length > 1);
});
