/**
 * The run plan: every default and range of the training options resolved once, from the options and
 * the rows the run trains on. `fit`, tune's setup, `inspect`, the atlas and an external loop's ask/tell
 * read the plan; none of them resolves a default of its own.
 */
import { penaltyCoefficients, type PenaltyCoefficients } from '../conventions/index.js';
import { InvalidOptionError } from '../errors.js';
import type { Architecture } from '../models/architecture.js';
import { defaultInitializer } from '../models/init.js';
import { DEFAULTS, defaultBatchSize, defaultLr, defaultOptimizer } from '../options/defaults.js';
import type { ConventionId, DecayTarget, Initializer, OptimizerName, ScheduleKind, SolverName } from '../options/names.js';
import { momentumOf, type PlannedOptimizer } from './optimizer.js';
import { safeLambdaLimit, type LambdaLimit } from './penalty-limits.js';
import { chooseSolver } from './solver-choice.js';
import { lambdaTimescaleEpochs } from './timescale.js';

/** The training options a plan is made from, under the names fit, tune and inspect take them; each one optional. */
export interface PlanOptions {
  /** Default 'seed'. */
  convention?: ConventionId;
  /** Default 'sgd', or 'momentum' when `momentum` is given. */
  optimizer?: OptimizerName;
  /** μ of momentum and nesterov. Default 0.9 for them. */
  momentum?: number;
  /** Default 0.1 (SGD family) or 1e-3 (Adam family). */
  lr?: number;
  /** A count, or 'auto': until the regularized training cost converged, at most `maxEpochs`. Default 20. */
  epochs?: number | 'auto';
  /** Cap of `epochs: 'auto'`. Default 200. */
  maxEpochs?: number;
  /** Default min(128, m). */
  batchSize?: number;
  /** Default: the file's weights for an imported .onnx, he for relu/gelu, glorot otherwise (with a model). */
  init?: Initializer;
  /** Default false. */
  penalizeBiases?: boolean;
  /** 'init': the penalty pulls toward the starting weights (L2-SP), which only gradient descent applies (see `solver`). Default 'zero'. */
  decayTo?: DecayTarget;
  /** Default 'exact' for linear, logistic and softmax unless a gradient-descent option is given; 'sgd' for MLPs and without a model. */
  solver?: SolverName;
  /** Early stopping's patience: given, it asks for gradient descent (see `solver`). */
  patience?: number;
  /** The learning-rate schedule: other than 'constant', it asks for gradient descent (see `solver`). */
  schedule?: ScheduleKind;
}

/** The rows a plan is made for, and where its errors come from. */
export interface PlanRows {
  /** Training rows m: the m of the penalty's coefficients and the largest batch size (tune: the smallest fold's training rows). */
  m: number;
  /** Rows one epoch steps through, when they are not the m rows (tune's folds step through the whole training part, each weighting its own rows). Default m. */
  epochRows?: number;
  /** What m is, in the batch-size error. Default 'the training split'. */
  rowsName?: string;
  /** The model, when known: it decides the solver and the initializer. Absent for a training loop l2lab does not run (ask/tell). */
  arch?: Architecture;
  /** The entry point named in errors: 'train', 'tune', 'inspect'. */
  owner: string;
}

/** A resolved run; see {@link resolveRunPlan}. */
export interface RunPlan {
  /** Training rows the coefficients, the λ limit and the batch size are for. */
  m: number;
  convention: ConventionId;
  solver: SolverName;
  optimizer: PlannedOptimizer;
  lr: number;
  batchSize: number;
  /** Optimizer steps per epoch, ⌊rows/B⌋: the engine drops a partial last batch. */
  stepsPerEpoch: number;
  /** The epochs asked for: a count, or 'auto'. */
  epochs: number | 'auto';
  /** The most epochs the run trains: `epochs`, or the cap of 'auto'. The T of "λ acted when τ ≤ T". */
  epochBudget: number;
  /** The initializer; undefined without a model (a loop l2lab does not run initializes its own weights). */
  init: Initializer | undefined;
  penalizeBiases: boolean;
  decayTo: DecayTarget;
  /** Where λ makes gradient descent's penalty step unstable (undefined: no λ does, or the exact solver, which takes no steps). */
  lambdaLimit: LambdaLimit | undefined;
  /** The engine's per-weight coefficients for λ (in the plan's convention) on m rows (default the plan's). */
  coefficients(lambda: number, m?: number): PenaltyCoefficients;
  /**
   * τ, the penalty's decay timescale in epochs at λ, as the trainer computes it at a constant learning
   * rate (lambdaTimescaleEpochs, docs/timescale.md), with the coefficients of m rows (default the
   * plan's). Infinity without a penalty; NaN when unstable or unknown (Adam with coupled L2).
   */
  timescale(lambda: number, m?: number): number;
}

/** The one batch-size check: B must fit in the m rows a step draws from. */
export function checkBatchSize(batchSize: number, m: number, rowsName = 'the training split'): void {
  if (batchSize > m) throw new InvalidOptionError(`--batch-size ${batchSize} is larger than ${rowsName} (m = ${m} samples). Use --batch-size ${defaultBatchSize(m)} or less.`);
}

/** The optimizer and its hyperparameters: momentum is named when a μ is given, and μ defaults for momentum and nesterov. */
export function resolveOptimizer(o: Pick<PlanOptions, 'optimizer' | 'momentum' | 'lr'>): { optimizer: PlannedOptimizer; lr: number } {
  const name = o.optimizer ?? defaultOptimizer(o.momentum);
  const optimizer: PlannedOptimizer = name === 'momentum' || name === 'nesterov' ? { name, momentum: o.momentum ?? DEFAULTS.momentum } : { name };
  return { optimizer, lr: o.lr ?? defaultLr(name) };
}

/** The epochs as asked and the most a run trains: the count, or the cap of 'auto'. */
export function resolveEpochs(o: Pick<PlanOptions, 'epochs' | 'maxEpochs'>): { epochs: number | 'auto'; epochBudget: number } {
  const epochs = o.epochs ?? DEFAULTS.epochs;
  return { epochs, epochBudget: epochs === 'auto' ? (o.maxEpochs ?? DEFAULTS.maxEpochs) : epochs };
}

/** The options given that only gradient descent uses, as flags (a constant schedule is the default, so not counted). */
function gradientDescentFlags(o: PlanOptions): Record<string, unknown> {
  return {
    optimizer: o.optimizer,
    lr: o.lr,
    momentum: o.momentum,
    schedule: o.schedule === 'constant' ? undefined : o.schedule,
    epochs: o.epochs,
    'batch-size': o.batchSize,
    patience: o.patience,
    'penalize-biases': o.penalizeBiases,
    'decay-to': o.decayTo === 'init' ? o.decayTo : undefined,
    init: o.init,
  };
}

/** The solver: chosen by the model's rule, or gradient descent for a loop l2lab does not run. */
function resolveSolver(o: PlanOptions, rows: PlanRows): SolverName {
  if (rows.arch) return chooseSolver(o.solver, rows.arch, gradientDescentFlags(o), rows.owner);
  if (o.solver === 'exact') throw new InvalidOptionError(`--solver exact needs the model: ${rows.owner} has none. Leave --solver out (a training loop l2lab does not run takes gradient steps).`);
  return 'sgd';
}

/**
 * Resolves a run: the convention, the solver, the optimizer with its hyperparameters, the learning
 * rate, the batch size (checked against m), the epochs and the cap of 'auto', the initializer, the
 * safe λ bound and τ at any λ. Works from the rows alone (`{ m, owner }`), as an external loop
 * asks, or with the model, as `fit`, tune and `inspect` do. Ranges are the option registry's; this
 * checks what needs m.
 *
 * @throws InvalidOptionError for a batch size above m, and for `solver: 'exact'` with hidden layers,
 *   with gradient-descent options, or without a model.
 * @example
 * const plan = resolveRunPlan({ momentum: 0.9, lr: 0.05, epochs: 30 }, { m: 8000, owner: 'tune' });
 * plan.optimizer; // { name: 'momentum', momentum: 0.9 }
 * plan.timescale(5); // τ ≈ (1 − μ)·B/(η·λ) = 0.1·128/(0.05·5) ≈ 51 epochs
 * plan.lambdaLimit; // { value: …, side: 'max' }: the largest λ whose penalty step is stable
 */
export function resolveRunPlan(o: PlanOptions, rows: PlanRows & { arch: Architecture }): RunPlan & { init: Initializer };
export function resolveRunPlan(o: PlanOptions, rows: PlanRows): RunPlan;
export function resolveRunPlan(o: PlanOptions, rows: PlanRows): RunPlan {
  const { m } = rows;
  const convention = o.convention ?? DEFAULTS.convention;
  const { optimizer, lr } = resolveOptimizer(o);
  const batchSize = o.batchSize ?? defaultBatchSize(m);
  checkBatchSize(batchSize, m, rows.rowsName);
  const solver = resolveSolver(o, rows);
  const stepsPerEpoch = Math.floor((rows.epochRows ?? m) / batchSize);
  const context = (rowsOf: number) => ({ m: rowsOf, batchSize, lr, optimizer: optimizer.name });
  const coefficients = (lambda: number, rowsOf = m) => penaltyCoefficients(convention, lambda, context(rowsOf));
  return {
    m,
    convention,
    solver,
    optimizer,
    lr,
    batchSize,
    stepsPerEpoch,
    ...resolveEpochs(o),
    init: o.init ?? (rows.arch ? defaultInitializer(rows.arch) : undefined),
    penalizeBiases: o.penalizeBiases ?? DEFAULTS.penalizeBiases,
    decayTo: o.decayTo ?? DEFAULTS.decayTo,
    lambdaLimit: solver === 'exact' ? undefined : safeLambdaLimit(convention, context(m), optimizer),
    coefficients,
    timescale: (lambda, rowsOf = m) => lambdaTimescaleEpochs({ optimizer, lr, ...coefficients(lambda, rowsOf) }, stepsPerEpoch),
  };
}

/** The plan as `train --json`, `tune --json` and `inspect --json` report it (`plan`). */
export interface RunPlanJson {
  m: number;
  convention: ConventionId;
  solver: SolverName;
  optimizer: OptimizerName;
  /** μ of momentum and nesterov; null for the others. */
  momentum: number | null;
  lr: number;
  batch_size: number;
  steps_per_epoch: number;
  epochs: number | 'auto';
  epoch_budget: number;
  /** null without a model. */
  init: Initializer | null;
  penalize_biases: boolean;
  decay_to: DecayTarget;
  /** The λ (convention's units) past which the penalty step is unstable: λ stays below a 'max', C above a 'min'; null when none. */
  lambda_limit: LambdaLimit | null;
}

/** A plan's reported form (no functions; snake_case as the CLI's JSON). */
export function runPlanJson(plan: RunPlan): RunPlanJson {
  return {
    m: plan.m,
    convention: plan.convention,
    solver: plan.solver,
    optimizer: plan.optimizer.name,
    momentum: momentumOf(plan.optimizer),
    lr: plan.lr,
    batch_size: plan.batchSize,
    steps_per_epoch: plan.stepsPerEpoch,
    epochs: plan.epochs,
    epoch_budget: plan.epochBudget,
    init: plan.init ?? null,
    penalize_biases: plan.penalizeBiases,
    decay_to: plan.decayTo,
    lambda_limit: plan.lambdaLimit ?? null,
  };
}
