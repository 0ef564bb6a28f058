/** The strategy contract: tune()'s options and result, what tune() gives a strategy and what a strategy hands back. */
import type { OnProgress } from '../train/progress.js';
import type { ConversionJson } from '../conventions/index.js';
import type { ConventionId, StrategyName } from '../options/names.js';
import type { TrainedModel } from '../models/trained-model.js';
import type { Study, StudyStorage, WaitEvent } from '../study/index.js';
import type { RunPlanJson } from '../plan/run-plan.js';
import type { TuneDataOptions, TuneSetup, TuneTrainOptions } from './setup.js';
import type { StudyRun, TrialPoint } from './trials/study-run.js';
import type { EvidenceReport, Refit } from './trials/trial-result.js';
import type { LambdaInterval } from './lambda-interval.js';

/** Options of tune(); each field's default, range and the strategies using it are declared in src/options/registry.ts. */
export interface TuneOptions extends TuneDataOptions, TuneTrainOptions {
  strategy: StrategyName;
  /** λ values to try (grid, sh, ridge, path): e.g. parseLambdas('0.01:0.4:0.01'). */
  lambdas?: number[];
  /** Log-spaced λ range [lo, hi] with n points (grid, sh, bayes bounds, path, ridge). */
  logRange?: { lo: number; hi: number; n: number };
  /** Dropout values to tune with λ (grid, mlp models). Default [0]. */
  dropouts?: number[];
  /** Which λ the refit uses: the CV minimum or the largest within one SE of it. Default 'min'. */
  select?: 'min' | '1se';
  /** Extend a log range while the best λ sits on its edge (grid). Default true. */
  extend?: boolean;
  /** sh: reduction factor η in (1, ∞). Default 3. */
  eta?: number;
  /** sh: epochs of the first rung. Default 1. */
  minEpochs?: number;
  /** bayes: maximum trials. Default 15. */
  trials?: number;
  /** bayes: stop losing trials early by the median rule once λ acted ('median'), or train every trial to its budget ('none'). Default 'median'. */
  pruner?: 'median' | 'none';
  /** path: epochs per λ on the warm-started path. Default 5. */
  pathEpochs?: number;
  /** grid: most configurations per engine pass (each trains with all its folds as one population); finished passes are saved. Default: this worker's share of the unclaimed trials (see runTrials), all of them on a private `:memory:` storage. */
  populationSize?: number;
  /**
   * grid: processes on this machine that train its trials together, this one included, each with its
   * share of the cores' threads: a number, or 'auto' (the default): one per core for a model that
   * trains one member at a time, with a study file or URL they share (see planWorkers).
   */
  workers?: number | 'auto';
  /** Called once when this run starts worker processes beside itself (`workers`), with the processes in all, this one included, and the threads each. */
  onWorkers?: (processes: number, threads: number | undefined) => void;
  /** Called when one of those worker processes fails (its error, or how it died); the run goes on and the others, this one included, train its trials. */
  onWorkerFailed?: (message: string) => void;
  /** Workers started on the study together with this one, this one included (set for the worker processes a run starts; see StudyRunOptions.team). Default: `workers`. */
  team?: number;
  /** Study storage: a SQLite path or a postgres:// URL, or an open storage. Default ./l2lab.db. */
  storage?: string | StudyStorage;
  /** Study name. Default: strategy, data and model with a hash of the whole configuration. */
  study?: string;
  /** Seconds without a heartbeat after which another worker's RUNNING trial is run here instead (with a `storage` path or URL). Default 60. */
  heartbeatTimeout?: number;
  /** Called when this worker waits on trials other workers run on the same study. */
  onWait?: (e: WaitEvent) => void;
  /** Called when `study` named a study stored under another config that held no result, so it was replaced. */
  onReplace?: (stored: Study) => void;
  /** Receives progress: trials read from the store, each epoch, each finished trial (see {@link ProgressEvent}). Default: none. */
  onProgress?: OnProgress;
  /** Refit at the chosen λ and return the model as `TuneResult.model` (to save with saveModel), even when the study already holds the refit's metrics (the grid then trains no refit members: see refitsInPopulation). Default false. */
  keepModel?: boolean;
}

export interface TrialSummary {
  lambda: number;
  dropout: number;
  cv_mean: number | null;
  cv_se: number | null;
  train_mean: number | null;
  state: string;
  rung?: number;
  reason?: string;
  /** A PRUNED trial's best validation loss when it stopped (its cv_mean is null: it is no candidate). */
  pruned_value?: number;
  /** τ, the penalty's decay timescale in epochs (mean over folds); null without a penalty or when unknown. Trained trials only. */
  lambda_timescale_epochs?: number | null;
  /** Every fold met the convergence rule (hasConverged) at its last epoch. Trained trials only. */
  converged?: boolean;
  /** Epochs the trial trained (under --epochs auto: until converged or the cap). */
  epochs_trained?: number;
}

export interface TuneResult {
  strategy: StrategyName;
  study: string;
  scheme: string;
  best_lambda: number;
  lambda_1se: number;
  best_dropout: number;
  select: 'min' | '1se';
  convention: string;
  /** Rows of the training part the refit trains on: the m in the conversions. */
  m: number;
  /** The minibatch size B of training (sklearn-mlp's conversion needs it). */
  batch_size: number;
  /** The run every trial shared, as resolved on the smallest fold's training rows (its `m`). */
  plan: RunPlanJson;
  /** λ_min in every convention, keyed by convention id, as `l2lab convert --to all --json` gives each row (m, B, learning rate and, for gradient descent, the optimizer filled in). */
  conversions: Partial<Record<ConventionId, ConversionJson>>;
  /** λ_1se the same way (strategies that score on validation data only). */
  conversions_1se?: Partial<Record<ConventionId, ConversionJson>>;
  /**
   * The λ range the validation data cannot separate from λ_min (in `convention`, like best_lambda), and
   * the rule that drew it (`basis`): the one-SE band where λ_min has a standard error (k folds), the
   * Gaussian process's posterior band otherwise (one hold-out split; bayes, whose λ_min is where the
   * process's curve is lowest).
   */
  lambda_interval: LambdaInterval;
  /** The interval's ends in every convention, as `conversions`. */
  conversions_interval: { low: Partial<Record<ConventionId, ConversionJson>>; high: Partial<Record<ConventionId, ConversionJson>> };
  /** The conventions a user of this model most likely trains with (PyTorch, Keras and the scikit-learn estimator), printed after λ_min and λ_1se. */
  user_conventions: ConventionId[];
  /** Trials sorted by rung, dropout and λ. */
  trials: TrialSummary[];
  refit: Refit;
  /** The refit model, with `keepModel` (absent for JSON output: save it with saveModel). */
  model?: TrainedModel;
  cost: { sample_grads: number; epochs: number; seconds: number; passes: number };
  range_extended: boolean;
  /** Trials that were already finished in the study store (a resumed run) and were not trained again. */
  trials_from_store: number;
  /** Trials this call trained (the rest of the trials were finished by other workers). */
  trials_trained: number;
  /** Trials other workers on the study finished while this run waited (its own --workers, or others); `cost` counts this process's training only. */
  trials_by_others: number;
  /** "λ below X had no time to act in N epochs" when most trained λ had τ > epochs (see noTimeToAct). */
  acted_warning?: string;
  /** Under --patience: λ_min's trial trained ≥ 1.5× the median epochs of its neighbours within half a decade, which stopped before the budget, so it may have won by training longer (see longerTrainingWarning). */
  patience_warning?: string;
  /** That X, and on which side of it λ had no time to act (the plot shades it). */
  no_time_to_act?: { threshold: number; side: 'below' | 'above'; epochs: number };
  /** Set when the chosen λ lies on the edge of the range tried. */
  edge_warning?: string;
  /** Set when some classes are missing from a fold's validation or training rows (too few rows for --folds or --holdout), naming them. */
  class_warning?: string;
  /**
   * bayes: the noise its Gaussian process reads in the validation loss (`relative_std`, e.g. 0.026 for
   * ±2.6% from run to run), the λ where the process's curve is lowest, and the λ range around it
   * predicted within that noise of the best; `warning` when that range spans a factor of 10 or more.
   */
  noise?: { relative_std: number; lambda: number; lambda_lo: number; lambda_hi: number; warning?: string };
  /** Points of the validation curve at the best dropout (for plots). */
  curve: { lambda: number; valMean: number; valSe: number; trainMean?: number }[];
  /** The evidence strategy's γ, log evidence curve and online re-estimates. */
  evidence?: EvidenceReport;
}

/** What a strategy hands back to tune(). */
export interface StrategyOutcome {
  scheme: string;
  points: (TrialPoint & { rung?: number })[];
  /** Points the choice is made on (e.g. the last rung of SH); default all COMPLETE points. */
  candidates?: TrialPoint[];
  rangeExtended: boolean;
  edgeWarning?: string;
  /** bayes: the Gaussian process's reading of the noise (see TuneResult.noise). */
  noise?: NonNullable<TuneResult['noise']>;
  /** Strategies with their own refit (ridge, evidence) give the test metrics directly. */
  refit?: Refit;
  evidence?: EvidenceReport;
}

/** What tune() gives a strategy: the data and training setup, the study, the options and a cost counter. */
export interface StrategyContext {
  setup: TuneSetup;
  run: StudyRun;
  options: TuneOptions;
  cost: { sampleGrads: number; passes: number; seconds: number };
  /**
   * Exact solver: each fold's solution of the configs this process solved (keyed by configKey; kept by
   * scoreInRun), so the refit at the chosen λ starts from their mean instead of zero.
   */
  foldSolutions: Map<string, Float64Array[][]>;
}

/** How a strategy runs. */
export type RunStrategy = (ctx: StrategyContext) => Promise<StrategyOutcome>;
