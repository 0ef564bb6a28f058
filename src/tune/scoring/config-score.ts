/** What scoring a (λ, dropout) configuration yields: each fold's score, their mean and SE, and what it cost. */
import type { Refit } from '../trials/trial-result.js';

export interface Config {
  lambda: number;
  dropout: number;
}

export interface FoldScore {
  /** Validation loss at the scored epoch (the best one under early stopping, else the last). */
  valLoss: number;
  /** Training-rows data loss at that epoch. */
  trainLoss: number;
  valAccuracy?: number;
  epoch: number;
  /** Per-epoch validation loss, epoch 0 = initialization. */
  curve: number[];
}

export interface ConfigScore {
  config: Config;
  folds: FoldScore[];
  /** Mean and standard error of the folds' validation losses (NaN when a fold diverged). */
  mean: number;
  se: number;
  trainMean: number;
  diverged?: string;
  /** Mean over folds of the penalty's decay timescale τ in epochs (MemberResult.lambdaTimescaleEpochs); absent for closed-form scores. */
  lambdaTimescaleEpochs?: number;
  /** Every fold's member met the convergence rule at its last epoch; absent for closed-form scores. */
  converged?: boolean;
  /** Most epochs a fold trained (its history's last epoch); absent for closed-form scores. */
  epochsTrained?: number;
  /** Why the pruner stopped the config before its budget (see {@link ConfigPruner}). */
  pruned?: string;
  /** Why the config failed without diverging (the exact solver did not converge), with its iterations and gradient norm. */
  failure?: string;
  /** Parameters of each fold's member at the scored epoch (warm starts for later rungs). */
  params: Float64Array[][];
  /** The refit at this config, trained in its population and scored on the test split (ScoreOptions.refits). */
  refit?: Refit;
}

export interface ScoreCost {
  sampleGrads: number;
  passes: number;
  seconds: number;
}
