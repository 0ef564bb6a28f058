/** The strategy registry: each strategy's name, label, whether it scores on validation data, how it runs, and (from the option registry) the options it accepts. */
import { optionsOf } from '../options/registry.js';
import type { RunStrategy, StrategyName } from './strategy.js';
import { runBayes } from './strategy-bayes.js';
import { runEvidence } from './strategy-evidence.js';
import { runGrid } from './strategy-grid.js';
import { runPath } from './strategy-path.js';
import { runRidge } from './strategy-ridge.js';
import { runSuccessiveHalving } from './strategy-sh.js';

export interface StrategyEntry {
  name: StrategyName;
  /** Human-readable name (CLI help, dashboard). */
  label: string;
  /** One line for `--help`. */
  summary: string;
  /** Whether λ is scored on validation folds or a hold-out split (false: LOO or the evidence). */
  usesValidation: boolean;
  run: RunStrategy;
}

/** Every strategy, in the order `--help` lists them. */
export const STRATEGY_REGISTRY: Record<StrategyName, StrategyEntry> = {
  grid: { name: 'grid', label: 'grid search', summary: 'every λ of --lambdas or --log-range, scored by k-fold CV or --holdout', usesValidation: true, run: runGrid },
  sh: { name: 'sh', label: 'successive halving', summary: 'halving over λ on epochs: the best 1/η of each rung train η× longer', usesValidation: true, run: runSuccessiveHalving },
  bayes: { name: 'bayes', label: 'Bayesian optimization', summary: 'Gaussian-process expected improvement over log λ', usesValidation: true, run: runBayes },
  ridge: { name: 'ridge', label: 'ridge (exact LOO)', summary: 'exact leave-one-out for every λ from one decomposition (--model linear)', usesValidation: false, run: runRidge },
  path: { name: 'path', label: 'warm-started path', summary: 'from large λ down, each fit starting at the last, k-fold CV (logistic, softmax, linear)', usesValidation: true, run: runPath },
  evidence: {
    name: 'evidence',
    label: 'Bayesian evidence',
    summary: 'λ maximizing the evidence in one run, no validation data (linear exact; logistic, softmax Laplace; MLP online Laplace)',
    usesValidation: false,
    run: runEvidence,
  },
};

export const STRATEGIES: readonly StrategyName[] = Object.keys(STRATEGY_REGISTRY) as StrategyName[];

/** The CLI flags a strategy accepts besides the shared ones (declared per option in the registry). */
export function strategyFlags(name: StrategyName): string[] {
  return optionsOf('tune')
    .filter((o) => o.strategies?.includes(name) && o.strategies.length < STRATEGIES.length - 1)
    .map((o) => `--${o.flag}`);
}
