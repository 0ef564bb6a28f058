/** What train() takes and gives: the members, the options of a run, each epoch's record and each member's result. */
import type { FloatDType } from '../graph/graph.js';
import type { Architecture } from '../models/architecture.js';
import type { Initializer } from '../options/names.js';
import type { OptimizerSpec } from '../plan/optimizer.js';

/** Per-weight penalty coefficients: gradient += coupled·θ; θ ← θ − lr·decoupled·θ. Seed: coupled = λ/m. */
export interface PenaltyCoefficients {
  coupled: number;
  decoupled: number;
}

/** constant; step: × gamma every `every` epochs; cosine: from lr to 0 over the run (per step). */
export type LrSchedule = { kind: 'constant' } | { kind: 'step'; every: number; gamma: number } | { kind: 'cosine' };

export interface EarlyStopping {
  /** Epochs without an improvement of the validation loss by more than minDelta before stopping. */
  patience: number;
  /** Default 0. */
  minDelta?: number;
  /** Restore the parameters of the best epoch at the end. Default true. */
  restoreBest?: boolean;
}

export interface MemberSpec {
  penalty: PenaltyCoefficients;
  /** Learning rate of this member. */
  lr: number;
  /** Rows of `train` this member learns from (default all): k-fold members leave their fold out. */
  trainRows?: Int32Array;
  /** Rows of `train` this member is validated on (its fold), instead of the shared validation set. */
  valRows?: Int32Array;
  /** Warm start: parameters in paramShapes order (default: the seeded initializer). */
  init?: Float64Array[];
  /**
   * Seed of this member's dropout masks (default: seed + 2 + its index). Tuning sets it from the
   * trial's identity so a member's result does not depend on which population it trained in.
   */
  dropoutSeed?: number;
}

export interface TrainOptions {
  arch: Architecture;
  members: MemberSpec[];
  /** Epochs to train, or 'auto': until every member has converged (see hasConverged), at most `maxEpochs`. */
  epochs: number | 'auto';
  /** Cap of `epochs: 'auto'`. Default 200 (the registry's --max-epochs). */
  maxEpochs?: number;
  batchSize: number;
  /** Default { name: 'sgd' }. */
  optimizer?: OptimizerSpec;
  /** Default constant. */
  schedule?: LrSchedule;
  /** Default false: the seed's cost penalizes weights only. */
  penalizeBiases?: boolean;
  /** What the penalty pulls the weights toward: 'zero' (‖θ‖², the default) or 'init', each member's starting parameters (‖θ − θ₀‖², L2-SP). */
  decayTo?: 'zero' | 'init';
  /** Default: the file's weights for an imported graph, 'he' for ReLU/GELU, 'glorot' otherwise (defaultInitializer). */
  init?: Initializer;
  /** Seeds initialization, shuffling and dropout. Default 0. */
  seed?: number;
  /** Default float32. */
  dtype?: FloatDType;
  threads?: number;
  earlyStopping?: EarlyStopping;
  /** Evaluate the data loss on the whole training set each epoch (exact) instead of the running minibatch mean. Default true. */
  exactTrainLoss?: boolean;
  /** Run members as one population graph (K-leading tensors) rather than one after another. Default: K > 1. */
  population?: boolean;
  /**
   * A member trained alone (not in a population) steps on its own `trainRows` only, in full minibatches.
   * Default false: it steps on minibatches of every row with the others weighted zero, as in a
   * population, so its result does not depend on whether it trained alone or stacked.
   */
  stepOnOwnRows?: boolean;
  /**
   * After each epoch: `records[i]` is member `first + i`. A population reports every member at once
   * (first = 0); members trained one after another report one at a time, each with its own index.
   */
  onEpoch?: (epoch: number, records: EpochRecord[], first: number) => void;
  /**
   * Called after each epoch's records (before onEpoch) with which members still train; a reason at
   * index k stops member k there (a pruned tuning trial): it keeps the parameters it has and takes no
   * more steps, so it costs no more sample gradients.
   */
  prune?: (epoch: number, records: EpochRecord[], active: readonly boolean[]) => (string | undefined)[];
  /**
   * Called after each epoch's evaluation with the current parameters ([member][param]); returning
   * coefficients replaces the members' penalties from then on (how the evidence strategy re-estimates
   * λ during one run). Their `penalty` in later records uses the new coefficients.
   */
  adjustPenalty?: (epoch: number, params: Float64Array[][]) => Promise<PenaltyCoefficients[] | undefined>;
  /** Checked after every engine pass: once aborted, training stops and `train` throws the signal's reason (a tuning worker that lost its trial). */
  signal?: AbortSignal;
}

export interface EpochRecord {
  /** 0 = at initialization. */
  epoch: number;
  /** (1/m)Σ loss over the member's training rows. */
  data_loss: number;
  /** The penalty term: (coupled + decoupled)/2·Σθ² (the seed's λ/(2m)·Σθ²). */
  penalty: number;
  cost: number;
  /** Σθ² of the penalized parameters (Σ(θ − θ₀)² with decayTo 'init'). */
  sum_sq: number;
  train_accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
  val_rmse?: number;
}

export interface Divergence {
  epoch: number;
  step: number;
  message: string;
}

export interface MemberResult {
  history: EpochRecord[];
  /** Epoch whose parameters `params` holds (the best one under early stopping with restoreBest). */
  bestEpoch: number;
  params: Float64Array[];
  diverged?: Divergence;
  stoppedEarly: boolean;
  /**
   * τ, the penalty's decay timescale in epochs at the run's mean learning rate (lambdaTimescaleEpochs);
   * Adam with coupled L2 uses the median √v̂ + ε of the penalized weights at the end. Infinity without
   * a penalty; NaN when unknown.
   */
  lambdaTimescaleEpochs: number;
  /** The convergence rule (hasConverged) held at the last recorded epoch. Under epochs 'auto' the member stopped there. */
  converged: boolean;
  /** Set when TrainOptions.prune stopped the member: the epoch and the pruner's reason. */
  pruned?: { epoch: number; reason: string };
}

export interface TrainResult {
  members: MemberResult[];
  /** Sample-gradient evaluations spent (per member, summed): the compute measure tuning reports. */
  sampleGrads: number;
  /** Engine passes (session runs of the step graph). */
  passes: number;
  seconds: number;
}
