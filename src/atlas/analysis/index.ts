/** The atlas analysis: best λ per cell in two conventions, spread across seeds, heuristics judged on held-out cells, strategies against grid-CV. */
import type { AtlasRun } from '../run.js';
import type { AtlasStrategyName } from '../spec.js';
import { compareStrategies, DEFAULT_TARGETS, type CompareTargets, type Comparison } from './compare.js';
import { evaluateHeuristics, type HeuristicSummary } from './heuristics.js';
import { lambdaPoints, type LambdaPoint } from './points.js';
import { median } from '../../util/median.js';
import { seedNoiseFloor, seedSpread, type SettingSpread } from './seed-spread.js';
import { REGRET_BAR, ruleRegret, seedRegretFloor, type RegretScore } from './regret.js';
import { analyzeScale, type ScaleAnalysis } from './scale.js';

export { leastSquares, type LeastSquaresFit } from './least-squares.js';
export { lambdaPoints, effectiveLr, toPytorch, type LambdaPoint } from './points.js';
export { seedSpread, seedNoiseFloor, type SettingSpread } from './seed-spread.js';
export { HEURISTICS, heuristic, fitHeuristic, predictLog10, heldOutScore, evaluateHeuristics, type Heuristic, type HeuristicId, type HeuristicFit, type HeldOutScore, type HeldOutPrediction, type HeuristicSummary, type HoldOut } from './heuristics.js';
export { REGRET_BAR, regretAt, ruleRegret, seedRegretFloor, type RegretScore } from './regret.js';
export { compareStrategies, DEFAULT_TARGETS, type Comparison, type ComparisonRow, type CompareTargets } from './compare.js';
export { bootstrap, quantile, type BootstrapOptions, type BootstrapResult } from './bootstrap.js';
export { analyzeScale, fitSizeSlope, scaleCell, testOptimalLambda, LARGE_PARAMS, MIN_INTERVAL_SETTINGS, SEED_LAMBDA, type ScaleAnalysis, type ScaleCell, type SlopeRow, type SlopeEstimate, type SizeObservation } from './scale.js';

/** How a regime's cells were fitted: convex models solved exactly, or MLPs trained by SGD. */
export type Regime = 'exact' | 'sgd';

/** The same measurements on one regime's cells alone. */
export interface RegimeAnalysis {
  regime: Regime;
  points: LambdaPoint[];
  noiseFloor: ReturnType<typeof seedNoiseFloor>;
  /** Seed B's λ* on seed A's test-loss curve: how often two seeds of one setting are within the regret bar. */
  regretFloor: RegretScore;
  /** Best first (held-out within-×2, leaving one setting out). */
  heuristics: HeuristicSummary[];
  /** By heuristic id: the test-loss regret of its leave-one-setting-out predictions. */
  regret: Record<string, RegretScore>;
  /** SGD: τ/T at λ* over the cells that report it (median, and the fraction below 1: λ acted), and the fraction whose λ* training converged. */
  acted: { cells: number; medianTauOverT: number | null; actedFraction: number | null; convergedFraction: number | null };
}

export interface AtlasAnalysis {
  reference: AtlasStrategyName;
  /** The test-loss regret a rule's λ may have and still count as good as grid-CV's (0.02). */
  regretBar: number;
  /** Per regime present (exact first). */
  regimes: RegimeAnalysis[];
  points: LambdaPoint[];
  settings: SettingSpread[];
  noiseFloor: ReturnType<typeof seedNoiseFloor>;
  /** Best first (held-out within-×2, leaving one setting out). */
  heuristics: HeuristicSummary[];
  /** Each other strategy against the reference. */
  comparisons: Comparison[];
  /** λ* against model size by width and depth, with bootstrap intervals; τ/T and the initial penalty per cell (SGD cells). */
  scale: ScaleAnalysis;
}

/** Everything the report shows, from a run (complete or partial). */
export function analyzeAtlas(run: Pick<AtlasRun, 'spec' | 'cells'>, targets: CompareTargets = DEFAULT_TARGETS): AtlasAnalysis {
  const reference = run.spec.reference;
  const points = lambdaPoints(run.cells, reference);
  return {
    reference,
    regretBar: REGRET_BAR,
    regimes: (['exact', 'sgd'] as const).map((r) => analyzeRegime(r, points.filter((p) => p.solver === r))).filter((r) => r.points.length > 0),
    points,
    settings: seedSpread(points),
    noiseFloor: seedNoiseFloor(points),
    heuristics: evaluateHeuristics(points),
    comparisons: run.spec.strategies.filter((s) => s.name !== reference).map((s) => compareStrategies(run.cells, s.name, reference, targets)),
    scale: analyzeScale(points),
  };
}

function analyzeRegime(regime: Regime, points: LambdaPoint[]): RegimeAnalysis {
  const heuristics = evaluateHeuristics(points);
  const taus = points.map((p) => p.tauOverT).filter((t): t is number => t !== null);
  return {
    regime,
    points,
    noiseFloor: seedNoiseFloor(points),
    regretFloor: seedRegretFloor(points),
    heuristics,
    regret: Object.fromEntries(heuristics.map((h) => [h.heuristic.id, ruleRegret(h.bySetting, points.filter((p) => h.heuristic.applies?.(p) ?? true))])),
    acted: {
      cells: taus.length,
      medianTauOverT: taus.length ? median(taus) : null,
      actedFraction: taus.length ? taus.filter((t) => t < 1).length / taus.length : null,
      convergedFraction: points.length ? points.filter((p) => p.converged).length / points.length : null,
    },
  };
}
