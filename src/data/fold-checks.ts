/** A tuning run's validation scheme against its training part, in the user's option names (--folds, --holdout). */
import { InvalidOptionError } from '../errors.js';
import type { Dataset } from './dataset.js';

/**
 * Refuses `--folds k` when the training part (the rows left after the test split) has fewer than k
 * rows, naming the rows there and the most folds they allow.
 */
export function checkFoldsFit(k: number, trainRows: number, allRows: number, test: number): void {
  if (k <= trainRows) return;
  const fix = trainRows >= 2 ? `Use --folds ${trainRows} or fewer, or more data.` : 'Use more data.';
  throw new InvalidOptionError(`--folds ${k} needs at least ${k} rows in the training part, which has ${trainRows} (${allRows} rows less the test split, --test ${test}). ${fix}`);
}

/** The training and validation rows of one fold of the training part (a hold-out is one fold). */
interface FoldRows {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * The warning when some classes are missing from a fold's validation rows or from its training rows
 * (fewer rows of them in the training part than folds, or too few for the hold-out's share), naming
 * them with their rows there; undefined when every class is in both parts of every fold. λ is then
 * chosen on validation rows that lack them (and a class of a row or two is hardly learned at all).
 */
export function thinClassesWarning(train: Dataset, folds: readonly FoldRows[], scheme: { folds: number } | { holdout: number }): string | undefined {
  if (train.task !== 'classification') return undefined;
  const counts = new Array<number>(train.classes.length).fill(0);
  for (const c of train.y) counts[c]++;
  const classesIn = (rows: Int32Array) => new Set(Array.from(rows, (r) => train.y[r]));
  const thin = new Set<number>();
  for (const f of folds) {
    const [t, v] = [classesIn(f.train), classesIn(f.validation)];
    for (let c = 0; c < counts.length; c++) if (!t.has(c) || !v.has(c)) thin.add(c);
  }
  if (thin.size === 0) return undefined;
  const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
  const named = [...thin].sort((a, b) => a - b).map((c) => `${train.classes[c]} (${rows(counts[c])})`);
  const list = named.length > 5 ? `${named.slice(0, 5).join(', ')}, … and ${named.length - 5} more` : named.join(', ');
  const which = thin.size === 1 ? '1 class has' : `${thin.size} classes have`;
  const least = Math.min(...[...thin].map((c) => counts[c]));
  const more = 'Add rows of these classes, or drop them.';
  return 'folds' in scheme
    ? `${which} fewer rows in the training part than --folds ${scheme.folds} needs (one in each fold): ${list}. Folds that lack them choose λ without them. ${least >= 2 ? `Use --folds ${least}, or add rows of these classes.` : more}`
    : `${which} too few rows in the training part for --holdout ${scheme.holdout} (one held out, one to train on): ${list}. The hold-out chooses λ without them. ${more}`;
}
