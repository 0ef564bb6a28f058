/** The atlas analysis: best λ per cell in two conventions, spread across seeds, heuristics judged on held-out cells, strategies against grid-CV. */
import type { AtlasRun } from '../run.js';
import type { AtlasStrategyName } from '../spec.js';
import { compareStrategies, DEFAULT_TARGETS, type CompareTargets, type Comparison } from './compare.js';
import { evaluateHeuristics, type HeuristicSummary } from './heuristics.js';
import { lambdaPoints, type LambdaPoint } from './points.js';
import { seedNoiseFloor, seedSpread, type SettingSpread } from './seed-spread.js';

export { leastSquares, type LeastSquaresFit } from './least-squares.js';
export { lambdaPoints, effectiveLr, toPytorch, type LambdaPoint } from './points.js';
export { seedSpread, seedNoiseFloor, median, type SettingSpread } from './seed-spread.js';
export { HEURISTICS, heuristic, fitHeuristic, predictLog10, heldOutScore, evaluateHeuristics, type Heuristic, type HeuristicId, type HeuristicFit, type HeldOutScore, type HeldOutPrediction, type HeuristicSummary, type HoldOut } from './heuristics.js';
export { compareStrategies, DEFAULT_TARGETS, type Comparison, type ComparisonRow, type CompareTargets } from './compare.js';

export interface AtlasAnalysis {
  reference: AtlasStrategyName;
  points: LambdaPoint[];
  settings: SettingSpread[];
  noiseFloor: ReturnType<typeof seedNoiseFloor>;
  /** Best first (held-out within-×2, leaving one setting out). */
  heuristics: HeuristicSummary[];
  /** Each other strategy against the reference. */
  comparisons: Comparison[];
}

/** Everything the report shows, from a run (complete or partial). */
export function analyzeAtlas(run: Pick<AtlasRun, 'spec' | 'cells'>, targets: CompareTargets = DEFAULT_TARGETS): AtlasAnalysis {
  const reference = run.spec.reference;
  const points = lambdaPoints(run.cells, reference);
  return {
    reference,
    points,
    settings: seedSpread(points),
    noiseFloor: seedNoiseFloor(points),
    heuristics: evaluateHeuristics(points),
    comparisons: run.spec.strategies.filter((s) => s.name !== reference).map((s) => compareStrategies(run.cells, s.name, reference, targets)),
  };
}
