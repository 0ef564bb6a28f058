/**
 * Rules of thumb judged by what their λ costs on test data: a held-out cell's regret is the test
 * loss at the rule's λ over the test loss at grid-CV's λ*, minus 1, both read off the cell's stored
 * test-loss curve (a refit at every grid λ, interpolated in log λ). Two seeds of one setting judged
 * the same way (seed B's λ* on seed A's curve) give the noise floor.
 */
import type { HeldOutScore } from './heuristics.js';
import type { LambdaPoint } from './points.js';
import { median } from '../../util/median.js';
import { testLossAt } from '../test-curve.js';

/** A rule's λ is as good as grid-CV's when its test loss is at most 2% higher. */
export const REGRET_BAR = 0.02;

export interface RegretScore {
  /** Held-out predictions (or seed pairs) whose regret could be read: both λ on the cell's curve. */
  cells: number;
  /** Fraction of those with regret ≤ REGRET_BAR; null when none could be read. */
  within: number | null;
  /** Median regret (a fraction: 0.05 is 5% more test loss); null when none could be read. */
  medianRegret: number | null;
  /** Predictions whose λ fell outside the cell's curve (or next to a point without a loss): not judged. */
  unjudged: number;
}

/** Regret of λ on a point's curve against its own λ*; null when the curve cannot say. */
export function regretAt(p: LambdaPoint, lambda: number): number | null {
  if (!p.testCurve) return null;
  const best = testLossAt(p.testCurve, p.lambda);
  const at = testLossAt(p.testCurve, lambda);
  if (best === null || at === null || !(best > 0)) return null;
  return at / best - 1;
}

function score(regrets: (number | null)[]): RegretScore {
  const read = regrets.filter((r): r is number => r !== null);
  return {
    cells: read.length,
    within: read.length ? read.filter((r) => r <= REGRET_BAR + 1e-12).length / read.length : null,
    medianRegret: read.length ? median(read) : null,
    unjudged: regrets.length - read.length,
  };
}

/** The test-loss regret of a rule's held-out predictions (from heldOutScore on the same points). */
export function ruleRegret(held: HeldOutScore, points: readonly LambdaPoint[]): RegretScore {
  const byCell = new Map(points.map((p) => [p.cell, p]));
  return score(held.predictions.map((q) => (byCell.has(q.cell) ? regretAt(byCell.get(q.cell)!, q.predicted) : null)));
}

/** The noise floor: for every ordered pair of seeds of one setting, seed B's λ* on seed A's curve. */
export function seedRegretFloor(points: readonly LambdaPoint[]): RegretScore {
  const groups = new Map<string, LambdaPoint[]>();
  for (const p of points) groups.set(p.setting, [...(groups.get(p.setting) ?? []), p]);
  const regrets: (number | null)[] = [];
  for (const g of groups.values()) for (const a of g) for (const b of g) if (a !== b) regrets.push(regretAt(a, b.lambda));
  return score(regrets);
}
