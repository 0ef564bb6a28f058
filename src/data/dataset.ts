/** The in-memory dataset every model trains on: row-major float32 features and typed targets. */

interface DatasetBase {
  /** Where it came from: a built-in name or a file path. */
  name: string;
  /** Number of samples (rows). */
  n: number;
  /** Number of features (columns of x). */
  d: number;
  /** Features, row-major [n, d]. */
  x: Float32Array;
  featureNames: string[];
  /** Image datasets (IDX): each row is one image, pixels row-major, channels last. Absent for tabular data. */
  image?: { height: number; width: number; channels: number };
}

export interface RegressionDataset extends DatasetBase {
  task: 'regression';
  /** Targets [n]. */
  y: Float32Array;
  targetName: string;
}

export interface ClassificationDataset extends DatasetBase {
  task: 'classification';
  /** Class indices in [0, classes.length). */
  y: Int32Array;
  /** Class names; index i is label i. Two classes make a binary problem. */
  classes: string[];
  targetName: string;
}

export type Dataset = RegressionDataset | ClassificationDataset;

/** What the targets mean: real values to regress, or class indices. */
export type Task = Dataset['task'];

/** Rows and targets a step graph trains on (features already standardized). */
export interface TrainingRows {
  n: number;
  d: number;
  x: Float32Array;
  /** Class labels (softmax_ce, logistic as 0/1) or regression targets. */
  y: Int32Array | Float32Array;
}
