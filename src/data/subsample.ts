/** Seeded subsampling of m rows, stratified by class, e.g. for learning-curve studies. */
import { invalidNumber } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { Dataset } from './dataset.js';
import { allocate, shuffledGroups, take } from './stratify.js';

export interface SubsampleOptions {
  /** Seed for the draw. Default 0. */
  seed?: number;
  /** Keep each class's share (classification only): within 1 of proportional. Default true. */
  stratify?: boolean;
}

/**
 * The indices of m distinct rows drawn without replacement, in shuffled order.
 * @example const small = subset(data, subsample(data, 1000, { seed: 3 }));
 */
export function subsample(data: Dataset, m: number, options: SubsampleOptions = {}): Int32Array {
  if (!Number.isInteger(m) || m < 1 || m > data.n) {
    throw invalidNumber('m', 'subsample', `the integers [1, n] (n = ${data.n} samples here)`, m);
  }
  const rng = new Rng(options.seed ?? 0);
  const groups = shuffledGroups(data, options.stratify ?? true, rng);
  const sizes = groups.map((g) => g.length);
  return take(groups, sizes.map(() => 0), allocate(m, sizes, sizes), rng);
}
