/** A tuning run's validation scheme against its training part, in the user's option names (--folds, --holdout). */
import { InvalidOptionError } from '../errors.js';

/**
 * Refuses `--folds k` when the training part (the rows left after the test split) has fewer than k
 * rows, naming the rows there and the most folds they allow.
 */
export function checkFoldsFit(k: number, trainRows: number, allRows: number, test: number): void {
  if (k <= trainRows) return;
  const fix = trainRows >= 2 ? `Use --folds ${trainRows} or fewer, or more data.` : 'Use more data.';
  throw new InvalidOptionError(`--folds ${k} needs at least ${k} rows in the training part, which has ${trainRows} (${allRows} rows less the test split, --test ${test}). ${fix}`);
}
