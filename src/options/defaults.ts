/** Defaults written once for fit, tune, inspect, ask, the atlas and the run plan: each option's declared value, and those that depend on other values. */
import type { OptimizerName, StrategyName } from './names.js';
import type { LogRange } from './lambda-grid.js';
import type { OptionValues } from './option.js';
import { OPTIONS, type DefaultedKey } from './registry.js';

/**
 * The declared default of every option that has one value (`DEFAULTS.epochs` is 20, `DEFAULTS.eta`
 * 3), read from the registry, so a default is written once and `--help` shows the value the code uses.
 */
export const DEFAULTS = Object.freeze(
  Object.fromEntries(OPTIONS.flatMap((o) => (o.default === undefined ? [] : [[o.key, typeof o.default === 'object' ? Object.freeze(o.default) : o.default]]))),
  // fromEntries loses the keys' types; each value was checked against its key's type where it is declared.
) as { readonly [K in DefaultedKey]: OptionValues[K] };

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

/** λ range when none is given (`--log-range`'s): 0.001…100 in the study's convention, 11 points for a grid, 27 for successive halving; bayes samples between the ends (n 0). */
export function defaultLogRange(strategy: StrategyName): LogRange {
  return { ...DEFAULTS.logRange, n: strategy === 'sh' ? 27 : strategy === 'bayes' ? 0 : DEFAULTS.logRange.n };
}
