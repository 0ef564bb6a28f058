/** Defaults that depend on other values, written once for fit, tune, inspect and the atlas. */
import type { OptimizerName } from '../train/optimizer.js';
import type { StrategyName } from '../tune/strategy.js';

/** Learning rate: 1e-3 for the Adam family, 0.1 for the SGD family. */
export function defaultLr(optimizer: OptimizerName): number {
  return optimizer === 'adam' || optimizer === 'adamw' ? 1e-3 : 0.1;
}

/** Minibatch size: 128, or all m rows when there are fewer. */
export function defaultBatchSize(m: number): number {
  return Math.min(128, m);
}

/** The optimizer when none is named: momentum when a momentum is given, else plain SGD. */
export function defaultOptimizer(momentum: number | undefined): OptimizerName {
  return momentum !== undefined ? 'momentum' : 'sgd';
}

/** λ range when none is given (tune's `--log-range`): 0.001…100 in the study's convention, 11 points for a grid, 27 for successive halving; bayes samples between the ends (n 0). */
export function defaultLogRange(strategy: StrategyName): { lo: number; hi: number; n: number } {
  return { lo: 1e-3, hi: 1e2, n: strategy === 'sh' ? 27 : strategy === 'bayes' ? 0 : 11 };
}

/** Most trials of Bayesian optimization (`--trials`'s default). */
export const DEFAULT_BAYES_TRIALS = 15;

/**
 * ask/tell: seconds without a report after which a handed-out trial goes back to the pool. Ten
 * minutes, not tune's 60 s: an external loop's only sign of life is its report at the end of each
 * epoch, and an epoch of a real model takes minutes.
 */
export const ASK_HEARTBEAT_TIMEOUT_S = 600;
