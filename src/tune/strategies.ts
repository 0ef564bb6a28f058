/**
 * The strategy registry: each strategy's name, label, whether it scores on validation data, how it
 * runs, and (from the option registry) the options it accepts. Runners load on first use, so the
 * dashboard and the atlas spec read labels without loading the engine.
 */
import { strategyOptions } from '../options/registry.js';
import { type RunStrategy } from './strategy.js';
import { STRATEGY_NAMES, type StrategyName } from '../options/names.js';
import type { Proposal, ProposalInput } from './propose.js';

export interface StrategyEntry {
  name: StrategyName;
  /** Human-readable name (CLI help, dashboard). */
  label: string;
  /** One line for `--help`. */
  summary: string;
  /** Whether λ is scored on validation folds or a hold-out split (false: LOO or the evidence). */
  usesValidation: boolean;
  run: RunStrategy;
  /**
   * The next λ from the study's stored trials without training them (src/tune/propose.ts): what
   * the ask/tell service serves to a training loop l2lab does not run. Absent for the strategies
   * that need l2lab's own training or data (ridge, path, evidence).
   */
  propose?: (input: ProposalInput) => Promise<Proposal>;
}

/** Every strategy, in the order `--help` lists them. */
export const STRATEGY_REGISTRY: Record<StrategyName, StrategyEntry> = {
  grid: {
    name: 'grid',
    label: 'grid search',
    summary: 'every λ of --lambdas or --log-range, scored by k-fold CV or --holdout',
    usesValidation: true,
    run: async (ctx) => (await import('./strategies/grid.js')).runGrid(ctx),
    propose: async (input) => (await import('./strategies/grid.js')).proposeGrid(input),
  },
  sh: {
    name: 'sh',
    label: 'successive halving',
    summary: 'halving over λ on epochs: the best 1/η of each rung train η× longer',
    usesValidation: true,
    run: async (ctx) => (await import('./strategies/sh.js')).runSuccessiveHalving(ctx),
    propose: async (input) => (await import('./strategies/sh.js')).proposeSh(input),
  },
  bayes: {
    name: 'bayes',
    label: 'Bayesian optimization',
    summary: 'Gaussian-process expected improvement over log λ',
    usesValidation: true,
    run: async (ctx) => (await import('./strategies/bayes.js')).runBayes(ctx),
    propose: async (input) => (await import('./strategies/bayes.js')).proposeBayes(input),
  },
  ridge: { name: 'ridge', label: 'closed-form ridge (leave-one-out)', summary: 'exact leave-one-out for every λ from one decomposition (--model linear)', usesValidation: false, run: async (ctx) => (await import('./strategies/ridge.js')).runRidge(ctx) },
  path: { name: 'path', label: 'regularization path', summary: 'from large λ down, each fit starting at the last, k-fold CV (logistic, softmax, linear)', usesValidation: true, run: async (ctx) => (await import('./strategies/path.js')).runPath(ctx) },
  evidence: {
    name: 'evidence',
    label: 'evidence maximization',
    summary: 'λ maximizing the evidence in one run, no validation data (linear exact; logistic, softmax Laplace; MLP online Laplace)',
    usesValidation: false,
    run: async (ctx) => (await import('./strategies/evidence.js')).runEvidence(ctx),
  },
};

export const STRATEGIES = STRATEGY_NAMES;

/** The CLI flags a strategy accepts besides the shared ones. */
export function strategyFlags(name: StrategyName): string[] {
  return strategyOptions(name).map((o) => `--${o.flag}`);
}
