/** Defaults that depend on other values, written once for fit, tune, inspect and the atlas. */
import type { OptimizerName } from './names.js';

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
