/** The one λ rule's tie tolerance: means within TIE_TOLERANCE (relative) of the lowest tie, and the largest such λ wins. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseLambda, TIE_TOLERANCE } from '../../src/tune/choose-lambda.js';
import { oneStandardError } from '../../src/tune/one-se.js';

const pt = (lambda: number, mean: number, se = 0.01) => ({ lambda, dropout: 0, mean, se });

test('a flat curve gives its largest flat λ: noise below the tolerance does not pick an arbitrary λ', () => {
  // 1e-5 holds the lowest mean, but only by float noise (relative 1e-9 below the others up to 0.01).
  const flat = [pt(1e-5, 0.5 - 5e-10), pt(1e-4, 0.5), pt(1e-3, 0.5 + 2e-10), pt(0.01, 0.5), pt(0.1, 0.6), pt(1, 0.9)];
  const c = chooseLambda(flat)!;
  assert.equal(c.lambdaMin, 0.01);
  // A real difference (relative 1e-4, above the tolerance) still decides.
  const real = [pt(1e-5, 0.5 - 5e-5), pt(1e-4, 0.5), pt(0.01, 0.5)];
  assert.equal(chooseLambda(real)!.lambdaMin, 1e-5);
  // The tolerance is relative: exactly at the bound ties, just beyond it does not.
  assert.equal(oneStandardError([pt(1, 1), pt(2, 1 + TIE_TOLERANCE)], { tieTolerance: TIE_TOLERANCE }).lambdaMin, 2);
  assert.equal(oneStandardError([pt(1, 1), pt(2, 1 + 3 * TIE_TOLERANCE)], { tieTolerance: TIE_TOLERANCE }).lambdaMin, 1);
  // Without a tolerance, oneStandardError keeps glmnet's exact-tie rule.
  assert.equal(oneStandardError([pt(1, 1 - 1e-12), pt(2, 1)]).lambdaMin, 1);
});

test('λ_1se is measured from the tied λ_min and stays the largest λ within one SE', () => {
  const c = chooseLambda([pt(0.1, 0.3), pt(1, 0.3 + 1e-9, 0.02), pt(10, 0.315), pt(100, 0.5)])!;
  assert.equal(c.lambdaMin, 1);
  assert.equal(c.lambda1se, 10);
});
