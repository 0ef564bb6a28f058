/** Options shared by the file loaders and `loadDataset`. */
import type { Task } from './dataset.js';

export interface LoadOptions {
  /** CSV: name of the target column. Default `'target'`. */
  target?: string;
  /**
   * What the target means. Default: `'classification'` when any target is a string, else
   * `'regression'`. With `'classification'`, numeric targets must be integers; their sorted
   * distinct values become classes 0, 1, … (or they are kept as they are when `numClasses` is set).
   */
  task?: Task;
  /**
   * Classification with integer labels: the labels must lie in [0, numClasses), class i is named
   * `String(i)` and absent classes keep their index. Default: unset (distinct labels are renumbered).
   */
  numClasses?: number;
  /**
   * Classification against known classes (a trained model's), in index order: every target must
   * name one of them (a number matches its decimal text) and becomes that index. The data may hold
   * any of them, even a single one. Not with `numClasses`. Default: unset (classes come from the data).
   */
  classes?: readonly string[];
  /** IDX: path of the labels file. Default: the images path with `images`→`labels`, `idx3`→`idx1`. */
  labels?: string;
}
