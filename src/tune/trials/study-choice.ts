/** A stored study's λ choice: its trials as curve points and the one λ rule over the COMPLETE ones (for `show` and `studies`). */
import type { Trial } from '../../study/index.js';
import { chooseLambda, type LambdaChoice } from '../choose-lambda.js';
import { trialPoint, type TrialPoint } from './study-run.js';

export type StudyPoint = TrialPoint & { rung?: number };

/** The trials as points (with their rungs) and the choice over the COMPLETE ones (undefined when none completed). */
export function studyChoice(trials: readonly Trial[]): { points: StudyPoint[]; choice?: LambdaChoice<StudyPoint> } {
  const points = trials.map((t) => ({ ...trialPoint(t), rung: t.params.rung as number | undefined }));
  return { points, choice: chooseLambda(points.filter((p) => p.state === 'COMPLETE')) ?? undefined };
}
