/** The run an inspect report describes, shared by `inspect` on l2lab's models and on an imported .onnx (`--json` field names are part of the CLI contract). */
import type { ConventionId, Initializer, OptimizerName } from '../options/names.js';
import type { LambdaFactFields } from './lambda-facts.js';

export interface InspectRunFields extends LambdaFactFields {
  dataset: string;
  model: string;
  task: 'classification' | 'regression';
  classes: number | null;
  /** Training rows. */
  m: number;
  batch_size: number;
  lr: number;
  optimizer: OptimizerName;
  momentum: number | null;
  epochs: number;
  /** `file` for an imported .onnx: the weights stored in it; otherwise the initializer training starts from. */
  init: Initializer;
  seed: number;
  convention: ConventionId;
  lambda: number;
  /** The same λ in the seed's units: m × the per-weight coefficient. */
  lambda_seed: number;
  /** Total parameters (weights + biases). */
  params: number;
  penalize_biases: boolean;
}
