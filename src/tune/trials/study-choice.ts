/** A stored study's λ choice: its trials as curve points and tune's rule over them, with the interval (for `show` and `studies`). */
import type { Trial } from '../../study/index.js';
import { chooseWithInterval, posteriorRange, unvalidatedInterval, type ChoiceWithInterval } from '../lambda-interval.js';
import { STRATEGIES, STRATEGY_REGISTRY } from '../strategies.js';
import type { StrategyName } from '../../options/names.js';
import { trialPoint, type TrialPoint } from './study-run.js';

export type StudyPoint = TrialPoint & { rung?: number };

const isStrategy = (k: string): k is StrategyName => (STRATEGIES as readonly string[]).includes(k);

/** bayes's search range from a stored study config ({strategy: {kind, logRange}}), undefined for another strategy. */
export function bayesRangeOf(config: Record<string, unknown>): { lo: number; hi: number } | undefined {
  const strategy = config.strategy as { kind?: string; logRange?: { lo: number; hi: number } | null } | undefined;
  return posteriorRange(strategy?.kind, strategy?.logRange);
}

/** The trials as points (with their rungs, in run order) and tune's choice over them (undefined when none completed); `config` is the study's, which says whether bayes's rule applies. */
export function studyChoice(trials: readonly Trial[], config: Record<string, unknown> = {}): { points: StudyPoint[]; choice?: ChoiceWithInterval<StudyPoint> } {
  const points = [...trials].sort((a, b) => a.number - b.number).map((t) => ({ ...trialPoint(t), rung: t.params.rung as number | undefined }));
  const choice = chooseWithInterval(points, { posterior: bayesRangeOf(config) }) ?? undefined;
  const kind = (config.strategy as { kind?: string } | undefined)?.kind;
  // As tune: a strategy without validation data (LOO, the evidence) reads no range.
  if (choice && kind !== undefined && isStrategy(kind) && !STRATEGY_REGISTRY[kind].usesValidation) return { points, choice: { ...choice, interval: unvalidatedInterval(choice.lambdaMin, kind) } };
  return { points, choice };
}
