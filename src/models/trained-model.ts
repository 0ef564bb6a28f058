/** A trained model: architecture, parameters and what is needed to use it on raw features (what fit() returns and export.ts writes). */
import type { ConventionId } from '../options/names.js';
import type { Dataset, Standardizer } from '../data/index.js';
import type { Architecture } from './architecture.js';

export interface TrainedModel {
  arch: Architecture;
  params: Float64Array[];
  standardizer: Standardizer;
  featureNames: string[];
  task: Dataset['task'];
  classes?: string[];
  targetName: string;
  convention: ConventionId;
  lambda: number;
  /** How the training rows were drawn from the data, so `l2lab evaluate` can score the held-out rows. */
  split?: TrainingSplit;
}

/** The split a model was trained under: `splitIndices(data, { validation, test, seed })` of the data whose {@link datasetHash} is `data_hash`. */
export interface TrainingSplit {
  seed: number;
  validation: number;
  test: number;
  /** Rows of the whole dataset. */
  n: number;
  /** datasetHash of the dataset as loaded (src/data/content-hash.ts). */
  data_hash: string;
}
