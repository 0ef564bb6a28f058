/**
 * What every tuning strategy shares: the data split into a training part (where λ is chosen, by
 * k-fold CV or a hold-out split) and a test part (scored once, by the refit), the architecture per
 * dropout value, and the training options every trial uses.
 */
import { loadForModel } from '../models/model-task.js';
import type { Activation, Initializer } from '../options/names.js';
import { complement, datasetHash, kFold, splitIndices, type Dataset, type Task } from '../data/index.js';
import type { TrainedModel } from '../models/trained-model.js';
import { checkFoldsFit } from '../data/fold-checks.js';
import { InvalidOptionError } from '../errors.js';
import { DEFAULTS } from '../options/defaults.js';
import { resolveRunPlan, type PlanOptions, type RunPlan } from '../plan/run-plan.js';
import { countParams, parseModelSpec, stacksMembers, type Architecture } from '../models/architecture.js';
import { prepareSplits, type Scaling } from '../train/prepare.js';
import type { TrainOptions } from '../train/trainer.js';

export interface TuneDataOptions {
  /** Built-in name or path, or a loaded dataset. */
  data: string | Dataset;
  target?: string;
  /** What a CSV/JSON target means. Default: classification for string labels, else regression. */
  task?: Task;
  model: string;
  activation?: Activation;
  /** An .onnx model: name patterns of initializers to penalize besides the weights of rank ≥ 2, or to leave free. */
  penalize?: string[];
  exclude?: string[];
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

/**
 * How each trial trains: the run plan's options (their defaults there; no learning-rate schedule in
 * tune), plus how trials share the machine.
 */
/**
 * Models up to this many parameters train as one population; larger ones one member after another.
 * Measured by `npm run bench` (bench/RESULTS.md, 1 thread, K = 8 stacked vs one model): ×3.3 at
 * 514 parameters, ×1.39 at 6k, ×1.03 at 25k, ×0.78 at 100k and ×0.99 at 270k (GEMM-bound).
 */
export const POPULATION_MAX_PARAMS = 25_000;

/** Whether configs × folds of `arch` train as one population graph: small enough to pay, and a layer stack that has a population form (no convolutions, pooling or BatchNorm). */
export function usePopulation(arch: Architecture): boolean {
  return stacksMembers(arch) && countParams(arch).total <= POPULATION_MAX_PARAMS;
}

/**
 * Trials are `brief` (see runTrials) below both limits: about a second of one core, so a worker
 * joining while they train would arrive after they end, and a lone worker trains them in one pass
 * instead of two. Both count, since a small model's step costs a session run's fixed part
 * (a fraction of a millisecond) whatever its flops.
 */
export const BRIEF_TRIALS = { flops: 1e10, steps: 2_000 };

/** Passes over the data counted for one exact solve: the order of a warm-started path's passes per λ (about 75 for softmax on 500 MNIST digits: 3,036 over 5 folds × 8 λ). */
const EXACT_SOLVE_PASSES = 100;

/**
 * The work of training `trials` configurations on every fold to the epoch budget: floating-point
 * operations, about 6 per parameter per sample gradient (the forward and backward matrix products)
 * on the rows each fold steps through per epoch; and optimizer steps, which a population's members
 * share (the exact solver takes none: its work is its flops).
 */
export function trialsWork(setup: TuneSetup, trials: number): { flops: number; steps: number } {
  const params = countParams(setup.architecture(0)).total;
  const exact = setup.plan.solver === 'exact';
  const passes = exact ? EXACT_SOLVE_PASSES : setup.plan.epochBudget;
  const rows = setup.folds.map((f) => (setup.stacks ? setup.train.n : f.train.length));
  const flops = 6 * params * passes * trials * rows.reduce((a, r) => a + r, 0);
  const members = setup.stacks ? 1 : trials * rows.length;
  const steps = exact ? 0 : passes * members * Math.max(...rows.map((r) => Math.floor(r / setup.plan.batchSize)));
  return { flops, steps };
}

/** Whether `trials` configurations are brief (see {@link BRIEF_TRIALS}). */
export function briefTrials(setup: TuneSetup, trials: number): boolean {
  const w = trialsWork(setup, trials);
  return w.flops < BRIEF_TRIALS.flops && w.steps < BRIEF_TRIALS.steps;
}

/** The setup with every trial on `threads` ONNX Runtime threads (a run that shares the machine with its own worker processes). */
export function withThreads(setup: TuneSetup, threads: number | undefined): TuneSetup {
  return { ...setup, threads, trainOptions: (arch) => ({ ...setup.trainOptions(arch), threads }) };
}

export interface TuneTrainOptions extends Omit<PlanOptions, 'schedule'> {
  threads?: number;
  /** Train a config's folds (and several configs) as one population: 'auto' by model size (default), or 'never'. */
  stacking?: 'auto' | 'never';
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
  /**
   * The run every trial shares, resolved once (convention, solver, optimizer, learning rate, batch
   * size, epochs, initializer, λ limit, τ), on the smallest fold's training rows; exact: every trial
   * is the minimizer of its fold's cost (epochs, lr, optimizer unused) and no λ is refused.
   */
  plan: RunPlan & { init: Initializer };
  patience?: number;
  threads?: number;
  /**
   * The trials' members (configs × folds) train as one population (usePopulation, unless stacking is
   * 'never'); otherwise one after another, each fold stepping on its own training rows.
   */
  stacks: boolean;
  /** The training options every trial shares (members and epochs are the caller's). */
  trainOptions(arch: Architecture): Omit<TrainOptions, 'members'>;
  seed: number;
  /** The model trained with `params` at `lambda`, ready to save: raw features in, the training part's standardization and the split recorded. */
  modelOf(arch: Architecture, params: Float64Array[], lambda: number): TrainedModel;
  /** Description of the study's identity (stored with it: a different setup is a different study). */
  identity: Record<string, string | number | boolean | null>;
}

/** The validation scheme on the training part: one hold-out fold (`holdout`), else k folds (seeded with seed + 1). */
function validationFolds(d: TuneDataOptions, train: Dataset, rows: number, seed: number, test: number): { folds: Fold[]; scheme: 'cv' | 'holdout' } {
  if (d.holdout !== undefined) {
    const s = splitIndices(train, { validation: d.holdout, test: 0, seed: seed + 1 });
    if (s.validation.length === 0) throw new InvalidOptionError(`--holdout ${d.holdout} leaves no validation rows out of ${train.n}. Use a larger fraction.`);
    return { folds: [{ train: s.train, validation: s.validation }], scheme: 'holdout' };
  }
  const k = d.folds ?? DEFAULTS.folds;
  checkFoldsFit(k, train.n, rows, test);
  return { folds: kFold(train, k, { seed: seed + 1 }).map((v) => ({ train: complement(v, train.n), validation: v })), scheme: 'cv' };
}

export function createSetup(d: TuneDataOptions, t: TuneTrainOptions): TuneSetup {
  const data = typeof d.data === 'string' ? loadForModel(d.data, d.model, { target: d.target, task: d.task }) : d.data;
  const seed = d.seed ?? DEFAULTS.seed;
  const test = d.test ?? DEFAULTS.test;
  // Validation comes from the folds, so the first split only separates train and test.
  const prepared = prepareSplits(data, { validation: 0, test, seed, scaling: d.scaling });
  const train = prepared.train;
  const { folds, scheme } = validationFolds(d, train, data.n, seed, test);
  const task = data.task === 'regression' ? ({ task: 'regression' } as const) : ({ task: 'classification', classes: data.classes.length } as const);
  const spec = { activation: d.activation, image: data.image, penalize: d.penalize, exclude: d.exclude };
  // The batch size and the λ limit must hold on the smallest fold.
  const minTrain = Math.min(...folds.map((f) => f.train.length));
  // Validates the spec once, up front.
  const arch = parseModelSpec(d.model, data.d, task, spec);
  const stacks = (t.stacking ?? 'auto') === 'auto' && usePopulation(arch);
  // A population's folds step through the whole training part (shared minibatches, each fold's own rows weighted); a fold trained alone through its own rows.
  const plan = resolveRunPlan(t, { m: minTrain, epochRows: stacks ? train.n : minTrain, rowsName: "a fold's training rows", arch, owner: 'tune' });
  plan.coefficients(1); // fails early when the convention needs something missing
  return {
    train,
    test: prepared.test,
    folds,
    scheme,
    architecture: (dropout) => parseModelSpec(d.model, data.d, task, { ...spec, dropout }),
    plan,
    patience: t.patience,
    threads: t.threads,
    stacks,
    seed,
    // Under 'auto' the convergence rule reads the exact training cost; a fixed budget keeps the cheaper running mean.
    trainOptions: (arch) => ({ arch, epochs: plan.epochs, maxEpochs: plan.epochBudget, batchSize: plan.batchSize, optimizer: plan.optimizer, penalizeBiases: plan.penalizeBiases, decayTo: plan.decayTo, init: plan.init, seed, threads: t.threads, exactTrainLoss: plan.epochs === 'auto' }),
    modelOf: (arch, params, lambda) => ({
      arch,
      params,
      standardizer: prepared.standardizer,
      featureNames: data.featureNames,
      task: data.task,
      classes: data.task === 'classification' ? data.classes : undefined,
      targetName: data.targetName,
      convention: plan.convention,
      lambda,
      split: { seed, validation: 0, test, n: data.n, data_hash: datasetHash(data) },
    }),
    identity: {
      data: typeof d.data === 'string' ? d.data : data.name,
      // The content, not only the name: a changed file is a different study, never a resumed one.
      dataHash: datasetHash(data),
      target: d.target ?? null,
      model: d.model,
      activation: d.activation ?? DEFAULTS.activation,
      test,
      scheme,
      folds: folds.length,
      holdout: d.holdout ?? null,
      seed,
      convention: plan.convention,
      optimizer: plan.optimizer.name,
      momentum: t.momentum ?? null,
      lr: plan.lr,
      epochs: plan.epochs,
      ...(plan.epochs === 'auto' ? { max_epochs: plan.epochBudget } : {}),
      batchSize: plan.batchSize,
      patience: t.patience ?? null,
      init: t.init ?? null,
      penalizeBiases: t.penalizeBiases ?? false,
      scaling: d.scaling ?? 'auto',
      solver: plan.solver,
      // Only when given, so the identities (and names) of studies without them stay as they were.
      ...(arch.onnx ? { modelHash: arch.onnx.hash } : {}),
      ...(d.penalize ? { penalize: d.penalize.join(',') } : {}),
      ...(d.exclude ? { exclude: d.exclude.join(',') } : {}),
      ...(t.decayTo === 'init' ? { decayTo: 'init' } : {}),
    },
  };
}
