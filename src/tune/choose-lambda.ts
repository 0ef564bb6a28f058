/** The one rule that chooses λ from scored trials: used by tune, the grid's range extension, `l2lab show`, the dashboard and (through tune) the atlas. */
import { oneStandardError } from './one-se.js';

/** A scored configuration: λ, dropout, mean validation loss and its standard error; `rung` for successive halving. */
export interface ScoredPoint {
  lambda: number;
  dropout: number;
  mean: number;
  se: number;
  rung?: number | null;
}

/**
 * Relative tolerance within which two mean losses are a tie, and the larger λ (the simpler model)
 * wins: 1e-6, about the resolution of a float32 loss summed over a fold, so differences the engine's
 * arithmetic cannot resolve never pick a λ. A flat curve thus gives its largest flat λ, not an
 * arbitrary one.
 */
export const TIE_TOLERANCE = 1e-6;

export interface LambdaChoice<P extends ScoredPoint> {
  /** The λ with the lowest mean at the best dropout (ties within {@link TIE_TOLERANCE} to the larger λ), and the largest within one SE of it. */
  lambdaMin: number;
  lambda1se: number;
  /** The dropout of the best point; the curve is the points at it, sorted by λ. */
  dropout: number;
  curve: P[];
  /** The best point and the one-SE point. */
  best: P;
  oneSe: P;
  /** The highest rung the choice was made on (successive halving), else null. */
  rung: number | null;
  /** How many points the choice considered. */
  candidates: number;
}

/**
 * Chooses λ: among the points with a finite mean (of the highest rung, when points carry rungs),
 * the best point fixes the dropout; on that dropout's curve the one-standard-error rule gives λ_min
 * and λ_1se (see {@link oneStandardError}); means within {@link TIE_TOLERANCE} (relative) of the lowest
 * tie, and the largest tied λ is λ_min. Null when no point has a finite mean.
 */
export function chooseLambda<P extends ScoredPoint>(points: readonly P[]): LambdaChoice<P> | null {
  let done = points.filter((p) => Number.isFinite(p.mean) && Number.isFinite(p.lambda) && p.lambda >= 0);
  if (done.length === 0) return null;
  const rungs = done.map((p) => p.rung).filter((r): r is number => typeof r === 'number');
  const rung = rungs.length > 0 ? Math.max(...rungs) : null;
  if (rung !== null) done = done.filter((p) => p.rung === rung);
  const best = done.reduce((a, b) => (b.mean < a.mean ? b : a));
  const curve = done.filter((p) => p.dropout === best.dropout).sort((a, b) => a.lambda - b.lambda);
  const c = oneStandardError(curve, { tieTolerance: TIE_TOLERANCE });
  return { lambdaMin: c.lambdaMin, lambda1se: c.lambda1se, dropout: best.dropout, curve, best: curve[c.indexMin], oneSe: curve[c.index1se], rung, candidates: done.length };
}
