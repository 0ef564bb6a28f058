/**
 * The ask / report / tell protocol: how a training loop that l2lab does not run (PyTorch, Keras,
 * JAX, TensorFlow.js) chooses its L2 constant with l2lab. Written once here, as types; the
 * TypeScript API, the CLI (`l2lab ask|report|tell|best`), the HTTP API (`/api/v1/…`) and the
 * Python client are thin doors over {@link LambdaService}. Field names are the CLI's and the HTTP
 * bodies' JSON names: users' scripts depend on them.
 */
import type { ConventionId } from '../conventions/index.js';

/** The update rules an external loop may use (PyTorch's SGD with momentum, nesterov, Adam, AdamW). */
export type ExternalOptimizer = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw';

/** The strategies served without l2lab training: grid, Bayesian optimization, successive halving by rungs of epochs. */
export type ExternalStrategy = 'grid' | 'bayes' | 'sh';

/**
 * What l2lab needs to reason about λ in someone else's loop. Given with the first `ask` of a study
 * (it creates the study); later asks may omit it, and one that gives it must give the same.
 */
export interface StudyContext {
  /** The units the user's framework takes λ in (`pytorch`: `weight_decay`; `keras`: `l2`; any convention `convert` knows). */
  convention: ConventionId;
  /** Training rows (the m of the seed's cost). */
  m: number;
  batch_size: number;
  optimizer: ExternalOptimizer;
  lr: number;
  /** momentum / nesterov's μ. Default 0.9 for those, absent otherwise. */
  momentum?: number;
  /** Epochs each trial trains (the budget T of τ ≈ T). */
  epochs: number;
  /**
   * n log-spaced values from lo to hi, in `convention`'s units as `tune`'s `--log-range` (bayes: the
   * search interval; grid, sh: the values served). Default: tune's default range 0.001…100 read as
   * seed λ and converted to `convention`, its top kept below the λ whose penalty step is unstable;
   * n 11 (grid), 27 (sh).
   */
  log_range?: { lo: number; hi: number; n: number };
  /** An explicit list of values (in `convention`'s units, as `tune`'s `--lambdas`) instead of a range: the grid (or sh's first rung) to serve. */
  lambdas?: number[];
  /** grid: evaluate each value this many times (the loop varies its seed by the trial's `repeat`): the scatter gives a standard error, and so λ_1se. Default 1. */
  repeats?: number;
  /** Default 'bayes'. */
  strategy?: ExternalStrategy;
  /** bayes: most trials. Default 15. */
  trials?: number;
}

/** A trial handed out by `ask`. */
export interface AskedTrial {
  study: string;
  /** The trial's number within the study (0, 1, …): what report and tell name. */
  trial: number;
  /** λ in the seed convention. */
  lambda: number;
  /** The convention of `value` (the study's). */
  convention: ConventionId;
  /** λ in the framework's own units (e.g. PyTorch's `weight_decay` = λ/m): what the user's code sets. */
  value: number;
  /** τ, the penalty's decay timescale in epochs at this λ under the study's optimizer; null where it cannot be known from the context alone (coupled L2 under Adam: see `tau_note`). */
  tau_epochs: number | null;
  /** Why τ is null and what is done instead, when it is. */
  tau_note?: string;
  /** The first epoch at which `report` may answer prune: true (bayes, once λ has acted: epoch ≥ τ; under Adam with a coupled penalty, half the epochs); null when it never will (grid and sh prune nothing; a λ with τ beyond the epochs never acts). */
  prune_from_epoch: number | null;
  /** Epochs this trial should train (sh: its rung's budget; otherwise the study's epochs). */
  epochs: number;
  /** sh: the rung (0, 1, …) this trial belongs to. */
  rung?: number;
  /** grid with `repeats`: which evaluation of this λ it is (0, 1, …): seed your loop with it. */
  repeat?: number;
  /** True when this is the asking client's own unfinished trial handed back (a restarted script). */
  resumed?: boolean;
}

/**
 * What `ask` answers when it has no trial to hand out: `done` (the strategy has finished: call
 * `best`) or `wait` (every trial it can propose now is running elsewhere: ask again after
 * `retry_after` seconds, when one of them has finished or gone back to the pool).
 */
export interface NoTrial {
  study: string;
  trial: null;
  status: 'done' | 'wait';
  reason: string;
  /** wait: seconds after which asking again may give a trial. */
  retry_after?: number;
}

/** One epoch of a trial, as the user's loop measured it. */
export interface ReportRequest {
  trial: number;
  /** 1, 2, … (0: before training, optional); never backwards. */
  epoch: number;
  val_loss: number;
  train_loss?: number;
  /** Σθ² over the weights the decay applies to: checked against the shrinkage λ predicts. */
  weight_sq_norm?: number;
}

/** What `report` answers. The CLI exits 0 either way. */
export interface ReportAnswer {
  prune: boolean;
  /** Why it should stop, or why it may not be judged yet; null when nothing to say. */
  reason: string | null;
  /** The weight-norm check's finding, when the reported Σθ² does not shrink as λ predicts. */
  warning?: string;
}

/** How a trial ends: a final validation loss, or a state. */
export type TellRequest =
  | { trial: number; val_loss: number }
  | { trial: number; state: 'pruned' | 'failed'; reason?: string };

/** What `tell` answers: the trial as stored. */
export interface TellAnswer {
  study: string;
  trial: number;
  state: 'COMPLETE' | 'PRUNED' | 'FAIL';
  /** COMPLETE: the final validation loss; PRUNED: the best one it reported; FAIL: null. */
  value: number | null;
}

/** The study's answer so far. */
export interface BestAnswer {
  study: string;
  /** λ_min in the seed convention. */
  best_lambda: number;
  /** λ_1se (largest λ within one standard error of the best), where there are repeated evaluations; else null. */
  lambda_1se: number | null;
  /** λ_min in the study's convention. */
  value: number;
  /** λ_1se in the study's convention, or null. */
  value_1se: number | null;
  convention: ConventionId;
  /** The best validation loss. */
  val_loss: number;
  /**
   * The λ range the data cannot separate from λ_min, in the seed convention, and the rule that drew it
   * (`basis`): within one SE of λ_min where λ_min was evaluated more than once, else the Gaussian
   * process's posterior band over the λ tried (bayes's λ_min is where that process's curve is lowest
   * when it reads the noise as large against the curve's depth).
   */
  lambda_interval: { low: number; high: number; basis: string };
  /** The same range in the study's convention (for C = 1/λ conventions `low` is the smaller C, i.e. the larger λ). */
  value_interval: { low: number; high: number };
  /**
   * bayes's noise reading (its Gaussian process over log λ, from the finished trials; null with fewer
   * than 3): the relative scatter of the validation loss from run to run, and the λ range around the
   * process's minimum predicted within that scatter of the best, which these validation rows cannot
   * tell apart (seed convention and `value_*` in the study's); `warning` when it spans a decade.
   */
  noise: { relative_std: number; lambda_lo: number; lambda_hi: number; value_lo: number; value_hi: number; warning?: string } | null;
  trials: { complete: number; pruned: number; failed: number; running: number };
  /** The weight-norm check's finding over the study's trials, when a reported Σθ² did not shrink as λ predicts; the early-stopping check's, when λ_min's trial reported ≥ 1.5× the epochs of its neighbours within half a decade, which stopped before the budget. */
  warnings?: string[];
}

/** The protocol every door serves. Errors are {@link L2labError}s with a stable code; none changes what is stored. */
export interface LambdaService {
  /** A trial to train, or why there is none now; creates the study on its first call (which needs `context`). The same `client_id` gets its own unfinished trial back. */
  ask(study: string, request: { context?: StudyContext; client_id?: string }): Promise<AskedTrial | NoTrial>;
  report(study: string, request: ReportRequest): Promise<ReportAnswer>;
  tell(study: string, request: TellRequest): Promise<TellAnswer>;
  best(study: string): Promise<BestAnswer>;
}
