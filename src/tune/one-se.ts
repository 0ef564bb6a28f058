/** The one-standard-error rule: the largest λ whose validation loss is within one standard error of the best (glmnet's lambda.1se). */

import { InvalidOptionError, L2labError } from '../errors.js';

/** Validation loss at one λ, averaged over folds or seeds (lower is better). */
export interface OneSePoint {
  /** The λ value, in [0, ∞). */
  lambda: number;
  /** Mean validation loss; a non-finite mean marks a failed or diverged trial, which is ignored. */
  mean: number;
  /** Standard error of that mean (see {@link standardError}); a non-finite se counts as 0. */
  se: number;
}

/** What {@link oneStandardError} chooses; indices point into the array it was given. */
export interface OneSeChoice {
  /** λ with the smallest mean validation loss (the largest such λ on ties, as glmnet; see `tieTolerance`). */
  lambdaMin: number;
  /** The largest λ whose mean is ≤ mean(λ_min) + se(λ_min): the simplest model statistically tied with the best. */
  lambda1se: number;
  indexMin: number;
  index1se: number;
}

/**
 * Standard error of the mean of `values`: the sample standard deviation (divisor k − 1) over √k.
 * NaN for a single value (one fold says nothing about spread). Throws on an empty array.
 *
 * @example
 * standardError([1, 2, 3]); // 1/√3 ≈ 0.577
 */
export function standardError(values: readonly number[]): number {
  return meanAndSe(values).se;
}

/**
 * Mean and standard error of the mean (see {@link standardError}) of `values`, e.g. one λ's
 * validation losses over k folds. Any non-finite value makes both NaN: a λ with a diverged fold
 * is a failed trial.
 */
export function meanAndSe(values: readonly number[]): { mean: number; se: number } {
  const k = values.length;
  if (k === 0) throw new InvalidOptionError('meanAndSe needs at least one value (one per fold or seed). Got an empty array instead.');
  let mean = 0;
  for (const v of values) mean += v;
  mean /= k;
  if (k === 1) return { mean, se: NaN };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, se: Math.sqrt(ss / (k - 1) / k) };
}

/**
 * The one-standard-error rule (Hastie, Tibshirani & Friedman, *The Elements of Statistical
 * Learning*, 2nd ed., §7.10; glmnet's `cv.glmnet` `lambda.min` / `lambda.1se`):
 *
 *     λ_min = argmin_λ mean(λ)
 *     λ_1se = max { λ : mean(λ) ≤ mean(λ_min) + se(λ_min) }
 *
 * A larger λ is a simpler (more shrunk) model, so λ_1se is the most regularized model whose
 * validation loss cannot be told apart from the best's. Points may come in any order; points with a
 * non-finite mean (failed or diverged trials) are skipped. On equal means λ_min is the largest
 * such λ, as in glmnet; with `tieTolerance` t, every mean ≤ min·(1 + t) (for min ≥ 0) counts as equal.
 *
 * @throws InvalidOptionError for an empty array or a λ that is not a number in [0, ∞).
 * @throws L2labError (code `DIVERGED`) when every point has a non-finite mean.
 *
 * @example
 * oneStandardError([
 *   { lambda: 0.01, mean: 0.30, se: 0.02 },
 *   { lambda: 0.1, mean: 0.28, se: 0.02 },
 *   { lambda: 1, mean: 0.295, se: 0.02 },
 *   { lambda: 10, mean: 0.40, se: 0.02 },
 * ]); // { lambdaMin: 0.1, lambda1se: 1, indexMin: 1, index1se: 2 }
 */
export function oneStandardError(points: readonly OneSePoint[], options: { tieTolerance?: number } = {}): OneSeChoice {
  const tol = options.tieTolerance ?? 0;
  if (!Array.isArray(points) || points.length === 0) {
    throw new InvalidOptionError('oneStandardError needs at least one {lambda, mean, se} point. Got an empty array instead.');
  }
  let indexMin = -1;
  for (let i = 0; i < points.length; i++) {
    const { lambda, mean } = points[i];
    if (!(typeof lambda === 'number' && Number.isFinite(lambda) && lambda >= 0)) {
      throw new InvalidOptionError(`The 'lambda' of point ${i} given to oneStandardError must be a number in [0, ∞). Got ${String(lambda)} instead.`);
    }
    if (!Number.isFinite(mean)) continue;
    if (indexMin < 0 || mean < points[indexMin].mean || (mean === points[indexMin].mean && lambda > points[indexMin].lambda)) indexMin = i;
  }
  // Means within the tolerance of the smallest are ties: the largest such λ wins.
  if (indexMin >= 0 && tol > 0) {
    const lowest = points[indexMin].mean;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (Number.isFinite(p.mean) && p.mean - lowest <= tol * Math.abs(lowest) && p.lambda > points[indexMin].lambda) indexMin = i;
    }
  }
  if (indexMin < 0) {
    throw new L2labError('DIVERGED', `oneStandardError: all ${points.length} λ values have a non-finite validation loss (every trial failed or diverged). Lower the learning rate or check the data, then rerun.`);
  }
  const seMin = points[indexMin].se;
  const threshold = points[indexMin].mean + (Number.isFinite(seMin) ? seMin : 0);
  let index1se = indexMin;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (Number.isFinite(p.mean) && p.mean <= threshold && p.lambda > points[index1se].lambda) index1se = i;
  }
  return { lambdaMin: points[indexMin].lambda, lambda1se: points[index1se].lambda, indexMin, index1se };
}
