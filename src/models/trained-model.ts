/** A trained model: architecture, parameters and what is needed to use it on raw features (what fit() returns and export.ts writes). */
import type { ConventionId } from '../conventions/index.js';
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
}
