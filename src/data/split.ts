/** Seeded train/validation/test split, stratified by class for classification. */
import { invalidNumber, InvalidOptionError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { Dataset } from './dataset.js';
import { allocate, shuffledGroups, take } from './stratify.js';

export interface SplitOptions {
  /** Fraction of samples for validation, in [0, 1). Default 0.2. */
  validation?: number;
  /** Fraction of samples for test, in [0, 1). Default 0.2; validation + test must be < 1. */
  test?: number;
  /** Seed for the shuffle. Default 0. */
  seed?: number;
  /** Keep each class's share in every split (classification only). Default true. */
  stratify?: boolean;
}

/** Row indices of each split: disjoint, together every row once, each in shuffled order. */
export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits the rows into train, validation and test. Split sizes are round(n × fraction) (train takes
 * the rest); stratified, each class's count in a split is within 1 of its proportional share.
 * @example const { train, validation, test } = splitIndices(data, { validation: 0.1, test: 0.1, seed: 7 });
 */
export function splitIndices(data: Dataset, options: SplitOptions = {}): SplitIndices {
  const validation = options.validation ?? 0.2;
  const test = options.test ?? 0.2;
  for (const [name, f] of [['validation', validation], ['test', test]] as const) {
    if (!(f >= 0 && f < 1)) throw invalidNumber(name, 'splitIndices', '[0, 1)', f);
  }
  if (validation + test >= 1) {
    throw new InvalidOptionError(
      `The 'validation' (${validation}) and 'test' (${test}) fractions of splitIndices add up to ${validation + test}, leaving no training samples. Make their sum less than 1.`,
    );
  }
  const n = data.n;
  const nTest = Math.round(n * test);
  const nValidation = Math.round(n * validation);
  const sizes = `train ${n - nTest - nValidation}, validation ${nValidation}, test ${nTest} of ${n} samples`;
  for (const [name, f, count] of [['validation', validation, nValidation], ['test', test, nTest]] as const) {
    if (f > 0 && count === 0) {
      throw new InvalidOptionError(
        `The ${name} split is empty: a '${name}' fraction of ${f} leaves no samples (${sizes}). Raise '${name}' to at least ${(0.5 / n).toPrecision(2)}, set it to 0 to skip that split, or use more data.`,
      );
    }
  }
  if (n - nTest - nValidation === 0) {
    throw new InvalidOptionError(`The train split is empty (${sizes}). Lower 'validation' or 'test', or use more data.`);
  }
  const rng = new Rng(options.seed ?? 0);
  const groups = shuffledGroups(data, options.stratify ?? true, rng);
  const sizesOf = groups.map((g) => g.length);
  const testShare = allocate(nTest, sizesOf, sizesOf);
  const validationShare = allocate(nValidation, sizesOf, sizesOf.map((s, g) => s - testShare[g]));
  const used = testShare.map((t, g) => t + validationShare[g]);
  return {
    train: take(groups, used, sizesOf.map((s, g) => s - used[g]), rng),
    validation: take(groups, testShare, validationShare, rng),
    test: take(groups, sizesOf.map(() => 0), testShare, rng),
  };
}
