/**
 * What every tuning strategy shares: the data split into a training part (where λ is chosen, by
 * k-fold CV or a hold-out split) and a test part (scored once, by the refit), the architecture per
 * dropout value, and the training options every trial uses.
 */
import { loadForModel } from '../models/model-task.js';
import { penaltyCoefficients } from '../conventions/index.js';
import type { Activation, ConventionId, Initializer, OptimizerName, SolverName } from '../options/names.js';
import { complement, datasetHash, kFold, loadDataset, splitIndices, type Dataset, type Task } from '../data/index.js';
import type { TrainedModel } from '../models/trained-model.js';
import { InvalidOptionError } from '../errors.js';
import { defaultBatchSize, defaultLr, defaultOptimizer } from '../options/defaults.js';
import { DEFAULT_MAX_EPOCHS } from '../train/convergence.js';
import { safeLambdaLimit, type LambdaLimit } from '../plan/penalty-limits.js';
import { parseModelSpec, type Architecture } from '../models/architecture.js';
import { type OptimizerSpec } from '../plan/optimizer.js';
import { prepareSplits, type Scaling } from '../train/prepare.js';
import type { PenaltyCoefficients, TrainOptions } from '../train/trainer.js';
import { chooseSolver } from '../train/solver-option.js';

export interface TuneDataOptions {
  /** Built-in name or path, or a loaded dataset. */
  data: string | Dataset;
  target?: string;
  /** What a CSV/JSON target means. Default: classification for string labels, else regression. */
  task?: Task;
  model: string;
  activation?: Activation;
  /** Fraction held out as the test split, scored only by the refit. Default 0.2. */
  test?: number;
  /** k for stratified k-fold CV. Default 5 (ignored with `holdout`). */
  folds?: number;
  /** Score each λ on one hold-out split of this fraction of the training part instead of k-fold CV. */
  holdout?: number;
  /** Default 0. */
  seed?: number;
  scaling?: Scaling;
}

export interface TuneTrainOptions {
  /** Default 'seed'. */
  convention?: ConventionId;
  /** Default 'sgd', or 'momentum' when `momentum` is given. */
  optimizer?: OptimizerName;
  momentum?: number;
  /** Default 0.1 (SGD family) or 1e-3 (Adam). */
  lr?: number;
  /** Epochs of a trial, or 'auto': until converged (hasConverged), at most `maxEpochs`. Default 20. */
  epochs?: number | 'auto';
  /** Cap of `epochs: 'auto'`. Default 200. */
  maxEpochs?: number;
  /** Default min(128, m). */
  batchSize?: number;
  /** Early stopping on each fold's validation loss (the seed's "hold-out + early stopping"). */
  patience?: number;
  init?: Initializer;
  penalizeBiases?: boolean;
  threads?: number;
  /** Train a config's folds (and several configs) as one population: 'auto' by model size (default), or 'never'. */
  stacking?: 'auto' | 'never';
  /** As `fit`'s: exact (Newton / L-BFGS) by default for linear, logistic, softmax unless an SGD-only option is given; sgd for MLPs. */
  solver?: SolverName;
}

/** A validation scheme: the training rows and validation rows of each fold (hold-out: one fold). */
export interface Fold {
  train: Int32Array;
  validation: Int32Array;
}

export interface TuneSetup {
  /** The data λ is chosen on (standardized with its own statistics) and the held-out test split. */
  train: Dataset;
  test: Dataset;
  folds: Fold[];
  scheme: 'cv' | 'holdout';
  architecture(dropout: number): Architecture;
  optimizer: OptimizerSpec;
  lr: number;
  /** The epoch budget: the fixed epochs, or the cap under 'auto'. */
  epochs: number;
  /** What a full-budget training runs: `epochs`, or 'auto' (until converged, at most `epochs`). */
  trainEpochs: number | 'auto';
  batchSize: number;
  patience?: number;
  threads?: number;
  stacking: 'auto' | 'never';
  convention: ConventionId;
  /** exact: every trial is the minimizer of its fold's cost (epochs, lr, optimizer unused). */
  solver: SolverName;
  /** The training options every trial shares (members and epochs are the caller's). */
  trainOptions(arch: Architecture): Omit<TrainOptions, 'members'>;
  /** The engine's per-weight coefficients for λ on a training set of m rows. */
  coefficients(lambda: number, m: number): PenaltyCoefficients;
  seed: number;
  /** Where λ makes the penalty step unstable on the smallest fold (undefined: nowhere); tune refuses λ past it. */
  lambdaLimit?: LambdaLimit;
  /** The model trained with `params` at `lambda`, ready to save: raw features in, the training part's standardization and the split recorded. */
  modelOf(arch: Architecture, params: Float64Array[], lambda: number): TrainedModel;
  /** Description of the study's identity (stored with it: a different setup is a different study). */
  identity: Record<string, string | number | boolean | null>;
}

export function createSetup(d: TuneDataOptions, t: TuneTrainOptions): TuneSetup {
  const data = typeof d.data === 'string' ? loadForModel(d.data, d.model, { target: d.target, task: d.task }) : d.data;
  const seed = d.seed ?? 0;
  const test = d.test ?? 0.2;
  // Validation comes from the folds, so the first split only separates train and test.
  const prepared = prepareSplits(data, { validation: 0, test, seed, scaling: d.scaling });
  const train = prepared.train;
  let folds: Fold[];
  let scheme: 'cv' | 'holdout';
  if (d.holdout !== undefined) {
    const s = splitIndices(train, { validation: d.holdout, test: 0, seed: seed + 1 });
    if (s.validation.length === 0) throw new InvalidOptionError(`--holdout ${d.holdout} leaves no validation rows out of ${train.n}. Use a larger fraction.`);
    folds = [{ train: s.train, validation: s.validation }];
    scheme = 'holdout';
  } else {
    const k = d.folds ?? 5;
    folds = kFold(train, k, { seed: seed + 1 }).map((v) => ({ train: complement(v, train.n), validation: v }));
    scheme = 'cv';
  }
  const task = data.task === 'regression' ? ({ task: 'regression' } as const) : ({ task: 'classification', classes: data.classes.length } as const);
  // Validates the spec once, up front.
  const solver = chooseSolver(t.solver, parseModelSpec(d.model, data.d, task, { activation: d.activation, image: data.image }), {
    optimizer: t.optimizer,
    lr: t.lr,
    momentum: t.momentum,
    epochs: t.epochs,
    'batch-size': t.batchSize,
    patience: t.patience,
    'penalize-biases': t.penalizeBiases,
    init: t.init,
  }, 'tune');
  const optimizerName = t.optimizer ?? defaultOptimizer(t.momentum);
  const lr = t.lr ?? defaultLr(optimizerName);
  const minTrain = Math.min(...folds.map((f) => f.train.length));
  const batchSize = t.batchSize ?? defaultBatchSize(minTrain);
  if (batchSize > minTrain) throw new InvalidOptionError(`--batch-size ${batchSize} is larger than a fold's training rows (${minTrain}). Use --batch-size ${defaultBatchSize(minTrain)} or less.`);
  const convention = t.convention ?? 'seed';
  const coefficients = (lambda: number, m: number) => penaltyCoefficients(convention, lambda, { m, batchSize, lr, optimizer: optimizerName });
  coefficients(1, minTrain); // fails early when the convention needs something missing
  const optimizer: OptimizerSpec = { name: optimizerName, momentum: t.momentum };
  const trainEpochs = t.epochs ?? 20;
  const epochs = trainEpochs === 'auto' ? (t.maxEpochs ?? DEFAULT_MAX_EPOCHS) : trainEpochs;
  return {
    train,
    test: prepared.test,
    folds,
    scheme,
    architecture: (dropout) => parseModelSpec(d.model, data.d, task, { activation: d.activation, dropout, image: data.image }),
    optimizer,
    lr,
    epochs,
    trainEpochs,
    batchSize,
    patience: t.patience,
    threads: t.threads,
    stacking: t.stacking ?? 'auto',
    convention,
    solver,
    coefficients,
    seed,
    // The exact solver takes no steps, so no λ is unstable for it.
    lambdaLimit: solver === 'exact' ? undefined : safeLambdaLimit(convention, { m: minTrain, batchSize, lr, optimizer: optimizerName }, optimizer),
    // Under 'auto' the convergence rule reads the exact training cost; a fixed budget keeps the cheaper running mean.
    trainOptions: (arch) => ({ arch, epochs: trainEpochs, maxEpochs: epochs, batchSize, optimizer, penalizeBiases: t.penalizeBiases, init: t.init, seed, threads: t.threads, exactTrainLoss: trainEpochs === 'auto' }),
    modelOf: (arch, params, lambda) => ({
      arch,
      params,
      standardizer: prepared.standardizer,
      featureNames: data.featureNames,
      task: data.task,
      classes: data.task === 'classification' ? data.classes : undefined,
      targetName: data.targetName,
      convention,
      lambda,
      split: { seed, validation: 0, test, n: data.n, data_hash: datasetHash(data) },
    }),
    identity: {
      data: typeof d.data === 'string' ? d.data : data.name,
      // The content, not only the name: a changed file is a different study, never a resumed one.
      dataHash: datasetHash(data),
      target: d.target ?? null,
      model: d.model,
      activation: d.activation ?? 'relu',
      test,
      scheme,
      folds: folds.length,
      holdout: d.holdout ?? null,
      seed,
      convention,
      optimizer: optimizerName,
      momentum: t.momentum ?? null,
      lr,
      epochs: trainEpochs,
      ...(trainEpochs === 'auto' ? { max_epochs: epochs } : {}),
      batchSize,
      patience: t.patience ?? null,
      init: t.init ?? null,
      penalizeBiases: t.penalizeBiases ?? false,
      scaling: d.scaling ?? 'auto',
      solver,
    },
  };
}
