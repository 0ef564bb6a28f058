/**
 * The measure of bench:tune's Optuna section (issue 22), as pure functions: epochs to a bar, the
 * grid's loss at λ, the noise bar, test regret, interval coverage and medians over seeds.
 */

/** One tool's trials in the order they ran: the value a finished trial offers (null if pruned or failed) and its epochs. */
export interface Run {
  value: (number | null)[];
  epochs: number[];
  /** Sizes of the populations trained together at the start, in order (the epochs of a population all count before any of its values); the trials after them ran one at a time. */
  blocks: number[];
}

/** Epochs until the best-so-far value is within `tolerance` (1%) of `best`, or null when it never is. */
export function epochsToWithin(run: Run, best: number, tolerance = 0.01): number | null {
  // end[i]: the index one past the population trial i trained in (i + 1 for a trial that ran alone).
  const end = run.value.map((_, i) => i + 1);
  let start = 0;
  for (const size of run.blocks) {
    for (let i = start; i < start + size && i < end.length; i++) end[i] = Math.min(start + size, end.length);
    start += size;
  }
  let sofar = Infinity;
  for (let i = 0; i < run.value.length; i++) {
    if (run.value[i] !== null) sofar = Math.min(sofar, run.value[i]!);
    if (sofar <= best * (1 + tolerance)) return run.epochs.slice(0, end[i]).reduce((a, b) => a + b, 0);
  }
  return null;
}

/** A grid's validation loss at λ, interpolated linearly in log λ between its points (flat beyond its ends). */
export function gridLossAt(trials: readonly { lambda: number; cv_mean: number | null }[], lambda: number): number {
  const pts = trials.filter((t) => t.cv_mean !== null).sort((a, b) => a.lambda - b.lambda);
  if (lambda <= pts[0].lambda) return pts[0].cv_mean!;
  for (let i = 1; i < pts.length; i++) {
    if (lambda <= pts[i].lambda) {
      const f = Math.log(lambda / pts[i - 1].lambda) / Math.log(pts[i].lambda / pts[i - 1].lambda);
      return pts[i - 1].cv_mean! * (1 - f) + pts[i].cv_mean! * f;
    }
  }
  return pts[pts.length - 1].cv_mean!;
}

/** The median; null entries (a run that never reached a bar) count as +∞, and an infinite median is null. */
export function median(xs: readonly (number | null)[]): number | null {
  const s = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return Number.isFinite(m) ? m : null;
}

/**
 * The noise bar of "within 1%": the median gap, to the grid's best loss, of its best λ retrained at
 * ×0.95 … ×1.05 (×1 left out), at least 1%. A search that comes within it has matched the grid as
 * closely as the grid matches itself a few percent of λ away.
 */
export function noiseBar(neighbours: readonly { factor: number; value: number | null }[], best: number): number {
  const gaps = neighbours.filter((n) => n.factor !== 1).map((n) => (n.value === null ? null : n.value / best - 1));
  return Math.max(0.01, median(gaps) ?? Infinity);
}

/** Test regret: the test loss of the refit at a tool's λ against the refit at the full hold-out grid's λ (relative; ≤ 0: as good as the grid). */
export function testRegret(testLoss: number, gridTestLoss: number): number {
  return testLoss / gridTestLoss - 1;
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Test regret over refit seeds: the mean test loss of the refits at a tool's λ against the mean at the grid's λ. */
export function meanRegret(tool: readonly number[], grid: readonly number[]): number {
  return testRegret(mean(tool), mean(grid));
}

/** A λ interval as tune reports it (issue 22: the λ range the data cannot separate from λ_min), in the seed's units. */
export interface LambdaInterval {
  low: number;
  high: number;
  basis: string;
}

/** How many seeds' intervals contain that seed's grid λ, out of how many seeds; null (n/a) when no seed has an interval. */
export function intervalCoverage(intervals: readonly (LambdaInterval | undefined)[], gridLambdas: readonly number[]): { covered: number; of: number } | null {
  if (intervals.every((i) => i === undefined)) return null;
  // λ values travel through JSON and float conversions: a grid point on an interval's end counts as inside.
  const inside = (i: LambdaInterval | undefined, l: number) => i !== undefined && l >= i.low * (1 - 1e-9) && l <= i.high * (1 + 1e-9);
  return { covered: gridLambdas.filter((l, k) => inside(intervals[k], l)).length, of: gridLambdas.length };
}

/** Epochs as a share of the grid's; null stays null (never reached). */
export function share(epochs: number | null, gridEpochs: number): number | null {
  return epochs === null ? null : epochs / gridEpochs;
}
