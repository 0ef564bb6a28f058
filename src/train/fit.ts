/** The library's one-call training: dataset + model spec + λ in any convention → report and trained model. */
import type { OnProgress } from './progress.js';
import { loadForModel } from '../models/model-task.js';
import { getConvention } from '../conventions/index.js';
import type { Activation, ConventionId, Initializer, OptimizerName, SolverName } from '../options/names.js';
import { datasetHash, type Dataset, type Task } from '../data/index.js';
import { prepareSplits, type PreparedSplits, type Scaling } from './prepare.js';
import { invalidNumber, InvalidOptionError } from '../errors.js';
import type { TrainedModel } from '../models/trained-model.js';
import { countParams, parseModelSpec, type Architecture } from '../models/architecture.js';
import { Evaluator } from './evaluator.js';
import { memberTensors } from './member-tensors.js';
import type { Metrics } from '../models/metrics.js';
import { checkOptions } from '../options/check.js';
import { DEFAULTS } from '../options/defaults.js';
import { train, type Divergence, type EarlyStopping, type EpochRecord, type LrSchedule } from './trainer.js';
import { assertSafeLambda } from '../plan/penalty-limits.js';
import { resolveRunPlan, runPlanJson, type RunPlan, type RunPlanJson } from '../plan/run-plan.js';
import { fitExact } from './fit-exact.js';
import { solverReport, type SolverReport } from './solver-option.js';

export interface FitOptions {
  /** A built-in dataset name (`l2lab datasets`) or a .csv/.json/IDX path, or a loaded Dataset. */
  data: string | Dataset;
  /** CSV target column. Default 'target'. */
  target?: string;
  /** What a CSV/JSON target means. Default: classification for string labels, else regression. */
  task?: Task;
  /** `linear`, `logistic`, `softmax`, `mlp:W1,W2,…`, `cnn:…`, or a path to an .onnx file (your own network, imported). */
  model: string;
  /** An .onnx model: name patterns (`*`, `?`) of initializers to penalize besides the weights of rank ≥ 2, or to leave free. */
  penalize?: string[];
  exclude?: string[];
  /** 'init': penalize ‖θ − θ₀‖², the distance from the starting weights (L2-SP, for fine-tuning). Default 'zero'. */
  decayTo?: 'zero' | 'init';
  /** Default relu. */
  activation?: Activation;
  /** Dropout after each hidden layer (one value, or one per layer). Default 0. */
  dropout?: number | number[];
  /** The L2 constant, in `convention`'s units. Must be in [0, ∞). */
  lambda: number;
  /** Default 'seed': cost = (1/m)Σloss + (λ/2m)Σθ². */
  convention?: ConventionId;
  /** Default 'sgd' (momentum when `momentum` is given). */
  optimizer?: OptimizerName;
  /** Momentum μ for momentum/nesterov. Default 0.9. */
  momentum?: number;
  /** Learning rate. Default 0.1 for SGD-family optimizers, 1e-3 for Adam. */
  lr?: number;
  /** Default constant. */
  schedule?: LrSchedule;
  /** Epochs, or 'auto': until the regularized training cost converged (hasConverged), at most `maxEpochs`. Default 20. */
  epochs?: number | 'auto';
  /** Cap of `epochs: 'auto'`, an integer ≥ 1. Default 200. */
  maxEpochs?: number;
  /** Default 128 (or m when m < 128). */
  batchSize?: number;
  /** Seeds split, initialization, shuffling and dropout. Default 0. */
  seed?: number;
  init?: Initializer;
  /** Default false. */
  penalizeBiases?: boolean;
  /** Fractions held out for validation and test. Defaults 0.1 and 0.2. */
  validation?: number;
  test?: number;
  /** Feature scaling fitted on the training split. Default 'auto' (z-score unless all values lie in [0, 1]). */
  scaling?: Scaling;
  earlyStopping?: EarlyStopping;
  threads?: number;
  /**
   * After each epoch of gradient descent, from initialization (epoch 0) on, with the solver. The
   * exact solver takes no epochs: it reports its start (θ = 0) and its solution, whose `epoch` is
   * the iteration count.
   */
  onEpoch?: (record: EpochRecord, solver: SolverName) => void;
  /** Receives an `epoch` {@link ProgressEvent} after each epoch (fold 0; `epochs` the budget or cap). Default: none. */
  onProgress?: OnProgress;
  /**
   * 'exact' (default for linear, logistic, softmax unless an SGD-only option such as lr, optimizer,
   * epochs is given): Newton / L-BFGS to ‖∇cost‖∞ ≤ 1e-10·max(1, ‖∇cost(0)‖∞). 'sgd': the training loop (MLPs).
   */
  solver?: SolverName;
}

export type { TrainedModel } from '../models/trained-model.js';

/** The `train --json` object (field names are part of the CLI's contract). */
export interface FitReport {
  params: number;
  weights: number;
  m: number;
  lambda: number;
  convention: ConventionId;
  /** The per-weight coefficients the engine applied. */
  coefficients: { coupled: number; decoupled: number };
  init: { data_loss: number; penalty: number };
  epochs: EpochRecord[];
  /**
   * τ, the penalty's decay timescale in epochs (docs/timescale.md): weights the data leave alone
   * shrink by e^(−1/τ) per epoch. null without a penalty (τ = ∞) or when unknown. λ had time to act
   * when τ is below the epochs trained.
   */
  lambda_timescale_epochs: number | null;
  /** The regularized training cost fell by less than 0.1% over the last 10 epochs (hasConverged). */
  converged: boolean;
  /** Metrics on the test split; null when `test` is 0 (no test split). */
  test: { loss: number; accuracy?: number; rmse?: number } | null;
  diverged: boolean;
  divergence?: Divergence;
  best_epoch: number;
  seconds: number;
  /** Which solver trained it; the exact one with its iterations, final ‖∇cost‖∞ and whether it converged. */
  solver: SolverReport;
  /** The run as resolved from the options and the training split (see resolveRunPlan). */
  plan: RunPlanJson;
  /** An imported .onnx model: how the file was read (a folded BatchNorm, tied weights, a set-aside Softmax). Absent otherwise. */
  notes?: string[];
}

/**
 * Trains one model at one λ — what `l2lab train` runs — and scores it on the held-out test split.
 *
 * The cost is the seed's, (1/m)·Σ loss + (λ/2m)·Σ W² over the weights (biases free), with λ given in
 * `convention`'s units (default `'seed'`). Defaults: a seeded split of 70% train, 10% validation
 * (`validation`), 20% test (`test`), `seed` 0; linear, logistic and softmax models are solved exactly
 * (Newton / L-BFGS, `solver: 'exact'`) unless an SGD option is given; MLPs train by SGD with `lr` 0.1,
 * `batchSize` 128 (or m when smaller) and 20 `epochs`. Options are checked against the option registry
 * before any data loads: an invalid one throws {@link InvalidOptionError}. A run whose loss becomes NaN or
 * infinite stops and says so in `report.diverged` and `report.divergence`.
 *
 * @returns `report`, the `train --json` object (per-epoch data loss and penalty, test metrics, τ, solver),
 *   and `model`, the trained parameters, which `saveModel` exports as ONNX.
 * @example
 * import { fit } from 'l2lab';
 * const { report } = await fit({ data: 'wine', model: 'softmax', lambda: 1 });
 * console.log(report.m, report.test?.accuracy);
 */
export async function fit(o: FitOptions): Promise<{ report: FitReport; model: TrainedModel }> {
  checkFitOptions(o);
  const run = prepareFit(o);
  const { plan, arch } = run;
  const coefficients = plan.coefficients(o.lambda);
  const t0 = performance.now();
  const onEpoch = epochHook(o, plan, t0);
  const trained = plan.solver === 'exact' ? await exactMember(arch, run.tr, run.va, coefficients.coupled + coefficients.decoupled, onEpoch) : undefined;
  if (plan.solver === 'sgd') assertSafeLambda(plan.convention, o.lambda, { m: plan.m, batchSize: plan.batchSize, lr: plan.lr, optimizer: plan.optimizer.name }, plan.optimizer, 'train');
  // --validation 0: no validation rows; the loop then records no val_* fields (instead of NaN) and
  // early stopping watches the training cost.
  const result = trained ?? await train(run.tr, run.va.n > 0 ? run.va : undefined, {
    arch,
    members: [{ penalty: coefficients, lr: plan.lr }],
    epochs: plan.epochs,
    maxEpochs: plan.epochBudget,
    batchSize: plan.batchSize,
    optimizer: plan.optimizer,
    schedule: o.schedule,
    penalizeBiases: plan.penalizeBiases,
    decayTo: plan.decayTo,
    init: plan.init,
    seed: run.seed,
    threads: o.threads,
    earlyStopping: o.earlyStopping,
    onEpoch: onEpoch ? (_, recs) => onEpoch(recs[0]) : undefined,
  });
  const member = result.members[0];
  const test = run.te.n > 0 ? await evaluateParams(arch, member.params, run.te, o.threads) : null;
  const counts = countParams(arch);
  const report: FitReport = {
    params: counts.total,
    weights: counts.weights,
    m: plan.m,
    lambda: o.lambda,
    convention: plan.convention,
    coefficients,
    init: { data_loss: member.history[0].data_loss, penalty: member.history[0].penalty },
    epochs: member.history.slice(1),
    lambda_timescale_epochs: Number.isFinite(member.lambdaTimescaleEpochs) ? member.lambdaTimescaleEpochs : null,
    converged: member.converged,
    test,
    diverged: member.diverged !== undefined,
    best_epoch: member.bestEpoch,
    seconds: result.seconds,
    solver: trained ? trained.report : { name: 'sgd' },
    plan: runPlanJson(plan),
  };
  if (member.diverged) report.divergence = member.diverged;
  if (arch.onnx && arch.onnx.notes.length > 0) report.notes = arch.onnx.notes;
  return { report, model: trainedModel(o, run, member.params) };
}

/** One set of checks for every entry point, from the option registry, before any data is loaded. */
function checkFitOptions(o: FitOptions): void {
  if (typeof o.lambda !== 'number') throw invalidNumber('lambda', 'train', '[0, ∞)', o.lambda);
  const { earlyStopping: es, schedule, ...rest } = o;
  checkOptions(
    'train',
    { ...rest, patience: es?.patience, minDelta: es?.minDelta, restoreBest: es?.restoreBest, schedule: schedule?.kind, ...(schedule?.kind === 'step' ? { stepEvery: schedule.every, gamma: schedule.gamma } : {}) },
    { model: o.model },
  );
}

/** What fit() runs on: the data and its seeded split, the model, and the run plan resolved from the options and the training rows. */
interface FitRun {
  data: Dataset;
  seed: number;
  validation: number;
  testFraction: number;
  tr: Dataset;
  va: Dataset;
  te: Dataset;
  standardizer: PreparedSplits['standardizer'];
  arch: Architecture;
  plan: RunPlan & { init: Initializer };
}

function prepareFit(o: FitOptions): FitRun {
  const data = typeof o.data === 'string' ? loadForModel(o.data, o.model, { target: o.target, task: o.task }) : o.data;
  const seed = o.seed ?? DEFAULTS.seed;
  const validation = o.validation ?? DEFAULTS.validation;
  const testFraction = o.test ?? DEFAULTS.test;
  const { train: tr, validation: va, test: te, standardizer } = prepareSplits(data, { validation, test: testFraction, seed, scaling: o.scaling });
  const arch = parseModelSpec(o.model, data.d, data.task === 'regression' ? { task: 'regression' } : { task: 'classification', classes: data.classes.length }, {
    activation: o.activation,
    dropout: o.dropout,
    image: data.image,
    penalize: o.penalize,
    exclude: o.exclude,
  });
  const plan = resolveRunPlan({ ...o, schedule: o.schedule?.kind, patience: o.earlyStopping?.patience }, { m: tr.n, arch, owner: 'train' });
  const conv = getConvention(plan.convention);
  // sklearn-logistic's C = 1/λ has no zero; say so in train's words (the table's own check says 'convert').
  if (conv.range === '(0, ∞)' && o.lambda === 0) {
    throw new InvalidOptionError(`The 'lambda' option of train must be a number in (0, ∞) under --convention ${plan.convention} (${conv.fromSeed}: ${conv.symbol} = 0 would be an infinite penalty). Got 0 instead. For no penalty use --convention seed --lambda 0.`);
  }
  return { data, seed, validation, testFraction, tr, va, te, standardizer, arch, plan };
}

/** The caller's epoch hook and the progress events share the trainer's one epoch callback. */
function epochHook(o: FitOptions, plan: FitRun['plan'], t0: number): ((r: EpochRecord) => void) | undefined {
  const onProgress = o.onProgress;
  if (!o.onEpoch && !onProgress) return undefined;
  return (r: EpochRecord) => {
    o.onEpoch?.(r, plan.solver);
    if (r.epoch > 0 && plan.solver === 'sgd') onProgress?.({ kind: 'epoch', lambda: o.lambda, dropout: typeof o.dropout === 'number' ? o.dropout : 0, fold: 0, epoch: r.epoch, epochs: plan.epochBudget, elapsed: (performance.now() - t0) / 1000 });
  };
}

/** The trained model as `saveModel` exports it: parameters, the split's standardizer, the data's names, λ and how the split was drawn. */
function trainedModel(o: FitOptions, run: FitRun, params: Float64Array[]): TrainedModel {
  const { data } = run;
  return {
    arch: run.arch,
    params,
    standardizer: run.standardizer,
    featureNames: data.featureNames,
    task: data.task,
    classes: data.task === 'classification' ? data.classes : undefined,
    targetName: data.targetName,
    convention: run.plan.convention,
    lambda: o.lambda,
    split: { seed: run.seed, validation: run.validation, test: run.testFraction, n: data.n, data_hash: datasetHash(data) },
  };
}

/** The exact solve in the training loop's result shape: the history holds θ = 0 and the solution. */
async function exactMember(arch: Architecture, tr: Dataset, va: Dataset, rate: number, onEpoch?: (r: EpochRecord) => void) {
  const f = await fitExact(arch, tr, va, rate);
  f.records.forEach((r) => onEpoch?.(r));
  // τ does not apply at an exact optimum (no steps: the penalty acted fully); converged is the solver's own test.
  const member = { history: f.records, bestEpoch: f.solve.iterations, params: f.params, diverged: undefined, stoppedEarly: false, lambdaTimescaleEpochs: NaN, converged: f.solve.converged };
  return { members: [member], seconds: f.seconds, report: solverReport(f.solve) };
}

/** Loss and accuracy / RMSE of one model's parameters on standardized rows. */
export async function evaluateParams(arch: Architecture, params: Float64Array[], rows: Dataset, threads?: number): Promise<Metrics> {
  const [m] = await evaluateMembers(arch, [params], rows, threads);
  return m;
}

/**
 * Loss and accuracy / RMSE of each member's parameters on standardized rows, in one session: several
 * members (of a model that stacks, see stacksMembers) are evaluated as one population.
 */
export async function evaluateMembers(arch: Architecture, members: Float64Array[][], rows: Dataset, threads?: number): Promise<Metrics[]> {
  // ONNX Runtime has no float64 Erf or Conv kernel, so GELU and convolutional models (cnn: specs, imported
  // graphs with Conv or pooling) are evaluated in float32, as they train (float64 convolutions fall back
  // to im2col: gigabytes at 4096 images per chunk).
  const dtype = (arch.activation === 'gelu' && arch.widths.length > 2) || arch.cnn || arch.onnx?.stacks === false ? 'float32' : 'float64';
  const population = members.length > 1 ? members.length : undefined;
  const evaluator = await Evaluator.create(arch, dtype, population, threads);
  const metrics = await evaluator.metrics(memberTensors(arch, dtype, members, population), rows);
  await evaluator.release();
  return metrics;
}
