/**
 * The proposer contract: a strategy's next λ from the study's stored trials, without training them.
 * tune's grid, sh and bayes runners and the ask/tell service (src/ask/) decide with the same
 * functions; the registry (strategies.ts) names each strategy's proposer.
 */
import type { Trial } from '../study/index.js';
import type { RunPlan } from '../plan/run-plan.js';

/** What a proposer reads: the study's trials and the search it was created with. λ are in the study's convention. */
export interface ProposalInput {
  /** Every trial of the study, by number (any state). */
  trials: readonly Trial[];
  /** The log range: bayes's interval; the values grid and sh serve when `lambdas` is absent. */
  range: { lo: number; hi: number; n: number };
  /** An explicit list instead of the range (grid, sh). */
  lambdas: readonly number[] | null;
  /** grid: evaluations of each value. */
  repeats: number;
  /** bayes: most trials. */
  maxTrials: number;
  /** The training loop's run plan: τ at a λ and the epochs T each trial trains (bayes's first guess; sh judges a rung only on the λ that acted), and the λ limit a grid's extension stops short of. */
  plan: RunPlan;
}

/** One trial to create: its λ, and for sh its rung and the epochs that rung trains; `repeat` numbers a λ listed again. */
export interface ProposedTrial {
  lambda: number;
  epochs: number;
  rung?: number;
  repeat?: number;
}

/** A proposer's answer: trials to create (one batch, trained together where they can be), or why none now (`wait`: trials still running decide) or ever (`done`). */
export type Proposal = { trials: ProposedTrial[] } | { wait: string } | { done: string };

/** How a strategy proposes. */
export type ProposeLambdas = (input: ProposalInput) => Proposal;

/** Trials that are finished, by number. */
export function finishedTrials(trials: readonly Trial[]): Trial[] {
  return trials.filter((t) => t.state === 'COMPLETE' || t.state === 'PRUNED' || t.state === 'FAIL').sort((a, b) => a.number - b.number);
}

/** Trials handed out or queued and not yet finished. */
export function pendingTrials(trials: readonly Trial[]): Trial[] {
  return trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING');
}

/** Each value `repeats` times, a pass over all values at a time; a value's evaluations after its first are numbered (`repeat` 1, 2, …), each a trial of its own. */
export function withRepeats(values: readonly number[], repeats = 1): { lambda: number; repeat?: number }[] {
  return Array.from({ length: repeats }, (_, r) => values.map((lambda) => (r === 0 ? { lambda } : { lambda, repeat: r }))).flat();
}
