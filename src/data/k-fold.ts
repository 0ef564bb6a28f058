/** Seeded k-fold cross-validation folds, stratified by class for classification. */
import { invalidNumber } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { Dataset } from './dataset.js';
import { shuffledGroups } from './stratify.js';

export interface KFoldOptions {
  /** Seed for the shuffle. Default 0. */
  seed?: number;
  /** Keep each class's share in every fold (classification only). Default true. */
  stratify?: boolean;
}

/**
 * The k validation folds: each row is in exactly one, fold sizes differ by at most 1, and (stratified)
 * each class's count in a fold is ⌊c/k⌋ or ⌈c/k⌉. Fold i's training rows are `complement(folds[i], n)`.
 * @example for (const fold of kFold(data, 5)) train(subset(data, complement(fold, data.n)));
 */
export function kFold(data: Dataset, k: number, options: KFoldOptions = {}): Int32Array[] {
  if (!Number.isInteger(k) || k < 2 || k > data.n) {
    throw invalidNumber('k', 'kFold', `the integers [2, n] (n = ${data.n} samples here)`, k);
  }
  const rng = new Rng(options.seed ?? 0);
  const folds: number[][] = Array.from({ length: k }, () => []);
  // Dealing the class-ordered rows round-robin gives each class ⌊c/k⌋ or ⌈c/k⌉ per fold.
  let position = 0;
  for (const group of shuffledGroups(data, options.stratify ?? true, rng)) {
    for (const i of group) folds[position++ % k].push(i);
  }
  return folds.map((f) => {
    const p = rng.permutation(f.length);
    return Int32Array.from(p, (j) => f[j]);
  });
}
