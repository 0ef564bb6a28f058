/** Tests of the one-standard-error rule against hand-worked cases and glmnet's tie and ordering conventions. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidOptionError, L2labError } from '../../src/errors.js';
import { meanAndSe, oneStandardError, standardError } from '../../src/tune/one-se.js';

test('standardError is the sample std (k − 1 divisor) over √k', () => {
  // values 1, 2, 3: mean 2, sample variance 1, se = 1/√3.
  assert.ok(Math.abs(standardError([1, 2, 3]) - 1 / Math.sqrt(3)) < 1e-15);
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(v − 5)² = 32, sample variance 32/7, se = √(32/7/8).
  assert.ok(Math.abs(standardError([2, 4, 4, 4, 5, 5, 7, 9]) - Math.sqrt(32 / 7 / 8)) < 1e-15);
  assert.deepEqual(meanAndSe([3, 3, 3]), { mean: 3, se: 0 });
  const one = meanAndSe([0.7]);
  assert.equal(one.mean, 0.7);
  assert.ok(Number.isNaN(one.se));
  assert.ok(Number.isNaN(meanAndSe([1, NaN]).mean));
  assert.throws(() => meanAndSe([]), InvalidOptionError);
});

test('λ_min minimizes the mean; λ_1se is the largest λ within one se of it', () => {
  const pts = [
    { lambda: 0.01, mean: 0.30, se: 0.02 },
    { lambda: 0.1, mean: 0.28, se: 0.02 },
    { lambda: 1, mean: 0.295, se: 0.02 }, // ≤ 0.28 + 0.02
    { lambda: 3, mean: 0.301, se: 0.001 }, // > 0.30: out, although its own se would cover it
    { lambda: 10, mean: 0.40, se: 0.02 },
  ];
  assert.deepEqual(oneStandardError(pts), { lambdaMin: 0.1, lambda1se: 1, indexMin: 1, index1se: 2 });
});

test('points may come unsorted; indices refer to the array given', () => {
  const pts = [
    { lambda: 10, mean: 0.40, se: 0.02 },
    { lambda: 1, mean: 0.295, se: 0.02 },
    { lambda: 0.01, mean: 0.30, se: 0.02 },
    { lambda: 0.1, mean: 0.28, se: 0.02 },
  ];
  assert.deepEqual(oneStandardError(pts), { lambdaMin: 0.1, lambda1se: 1, indexMin: 3, index1se: 1 });
});

test('exactly mean + se counts (≤), failed trials are skipped, a NaN se counts as 0', () => {
  const pts = [
    { lambda: 0, mean: 0.5, se: 0.1 },
    { lambda: 0.5, mean: 0.25, se: 0.25 },
    { lambda: 2, mean: 0.5, se: 0.1 }, // = 0.25 + 0.25
    { lambda: 50, mean: NaN, se: NaN }, // diverged
    { lambda: 100, mean: Infinity, se: 0 },
  ];
  assert.deepEqual(oneStandardError(pts), { lambdaMin: 0.5, lambda1se: 2, indexMin: 1, index1se: 2 });
  const single = [
    { lambda: 0.1, mean: 0.2, se: NaN },
    { lambda: 1, mean: 0.2000001, se: NaN },
  ];
  assert.deepEqual(oneStandardError(single), { lambdaMin: 0.1, lambda1se: 0.1, indexMin: 0, index1se: 0 });
});

test('equal means: λ_min is the largest such λ, as glmnet', () => {
  const pts = [
    { lambda: 0.1, mean: 0.2, se: 0 },
    { lambda: 1, mean: 0.2, se: 0 },
    { lambda: 0.01, mean: 0.2, se: 0 },
  ];
  assert.deepEqual(oneStandardError(pts), { lambdaMin: 1, lambda1se: 1, indexMin: 1, index1se: 1 });
});

test('errors: empty input, a bad λ, every trial failed', () => {
  assert.throws(() => oneStandardError([]), InvalidOptionError);
  assert.throws(() => oneStandardError([{ lambda: -1, mean: 0, se: 0 }]), /'lambda' of point 0 .* \[0, ∞\)\. Got -1/);
  assert.throws(
    () => oneStandardError([{ lambda: 1, mean: NaN, se: 0 }, { lambda: 2, mean: Infinity, se: 0 }]),
    (e: unknown) => e instanceof L2labError && e.code === 'DIVERGED' && /all 2 λ values/.test(e.message),
  );
});
