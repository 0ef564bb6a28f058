/**
 * λ* across model size: the least-squares slope of log λ* on log P at fixed (dataset, m), by width
 * (one hidden layer) and along each depth, with the depths' offsets at matched P, each with a
 * two-stage bootstrap interval over settings and seeds; the same for the test-loss-optimal λ read
 * off each cell's test curve; τ/T at λ* for every cell; and the penalty against the data loss at
 * initialization (the seed's "the cost starts at 50").
 */
import { initPenalty } from '../init-measure.js';
import { bootstrap, type BootstrapOptions } from './bootstrap.js';
import { leastSquares } from './least-squares.js';
import type { LambdaPoint } from './points.js';

/** The seed's λ: "λ = 0.01, and the cost starts near 50". */
export const SEED_LAMBDA = 0.01;
/** From this many parameters a cell's initial penalty is reported on its own (the seed's net has 3.5·10⁷). */
export const LARGE_PARAMS = 1e6;
/**
 * Fewest settings a slope gets an interval from: resampling two or three settings mostly redraws the
 * same few (with two, every resample that can fit a slope holds both, so the "interval" is the estimate).
 */
export const MIN_INTERVAL_SETTINGS = 4;

/** One cell as the scale analysis reads it: the point's identity, size and λ* (grid-CV's, seed convention), with what the analysis derives from it. */
export interface ScaleCell extends Pick<LambdaPoint, 'cell' | 'setting' | 'dataset' | 'model' | 'm' | 'seed' | 'params' | 'depth' | 'width' | 'lambda' | 'tauOverT' | 'edge'> {
  /** The λ of the lowest test loss on the cell's test curve (null without one). */
  testOptimal: number | null;
  /** At initialization, at λ*: the penalty λ*·Σθ²/(2m), its ratio to the data loss, and their sum; at the seed's λ = 0.01 the ratio. Null when not measured. */
  init: { dataLoss: number; penalty: number; ratio: number; cost: number; seedRatio: number } | null;
}

/** A slope with its bootstrap interval. */
export interface SlopeEstimate {
  slope: number;
  /** 95% (or the chosen level) percentile interval; null with fewer than {@link MIN_INTERVAL_SETTINGS} settings. */
  interval: [number, number] | null;
  /** Cells in the fit. */
  cells: number;
}

/** One family of cells (a dataset or all, one depth or all) and its slopes. */
export interface SlopeRow {
  /** A dataset name, or 'all' (one intercept per dataset and m). */
  dataset: string;
  /** 'width' (one hidden layer), 'depth 2', …, or 'all depths' (with an offset per depth at matched P). */
  family: string;
  settings: number;
  /** log10 of the largest over the smallest P. */
  decades: number;
  cv: SlopeEstimate | null;
  testOptimal: SlopeEstimate | null;
  /** 'all depths' only: per depth beyond the shallowest, λ* at matched P as a factor of the shallowest's, with its interval. */
  depthFactors: { depth: number; factor: number; interval: [number, number] | null }[];
}

export interface ScaleAnalysis {
  cells: ScaleCell[];
  slopes: SlopeRow[];
  /** Cells reporting τ/T at λ*, and those where λ did not act (τ/T > 1: its timescale longer than the training). */
  acted: { cells: number; notActed: number };
  /** Cells whose λ* sat on the edge of the range tried (a censored value). */
  edges: number;
  /** The cells with at least {@link LARGE_PARAMS} parameters and a measured initialization. */
  large: ScaleCell[];
  bootstrap: Required<BootstrapOptions>;
}

/** The λ of the lowest finite test loss on a curve; null when it has none. */
export function testOptimalLambda(curve: LambdaPoint['testCurve']): number | null {
  let best: { lambda: number; loss: number } | null = null;
  for (const p of curve ?? []) if (p.test_loss !== null && Number.isFinite(p.test_loss) && (best === null || p.test_loss < best.loss)) best = { lambda: p.lambda, loss: p.test_loss };
  return best?.lambda ?? null;
}

export function scaleCell(p: LambdaPoint): ScaleCell {
  const at = p.init ? initPenalty(p.init, p.lambda) : null;
  const init = p.init && at ? { dataLoss: p.init.data_loss, penalty: at.penalty, ratio: at.ratio, cost: at.cost, seedRatio: initPenalty(p.init, SEED_LAMBDA).ratio } : null;
  const { cell, setting, dataset, model, m, seed, params, depth, width, lambda, tauOverT, edge } = p;
  return { cell, setting, dataset, model, m, seed, params, depth, width, lambda, testOptimal: testOptimalLambda(p.testCurve), tauOverT, edge, init };
}

/** One observation of a size fit: the λ to explain, where it was measured, and its setting (the bootstrap's unit). */
export interface SizeObservation {
  setting: string;
  dataset: string;
  m: number;
  params: number;
  depth: number;
  lambda: number;
}

/**
 * Least squares of log10 λ on log10 P with an intercept per (dataset, m), so the slope compares
 * sizes at a fixed dataset and m, plus an offset per depth in `depths` (log10 of λ* at that depth
 * over the other depths' at matched P). Returns [slope, …offsets], or null when the observations
 * cannot identify them (a single P, a depth absent).
 */
export function fitSizeSlope(obs: readonly SizeObservation[], depths: readonly number[] = []): number[] | null {
  const groups = [...new Set(obs.map((o) => `${o.dataset}|${o.m}`))];
  const x = obs.map((o) => [...groups.map((g) => (g === `${o.dataset}|${o.m}` ? 1 : 0)), Math.log10(o.params), ...depths.map((d) => (o.depth === d ? 1 : 0))]);
  if (obs.length < groups.length + 1 + depths.length) return null;
  const fit = leastSquares(x, obs.map((o) => Math.log10(o.lambda)));
  if (fit.dropped.some((j) => j >= groups.length)) return null;
  return fit.coefficients.slice(groups.length);
}

function bySetting(obs: readonly SizeObservation[]): SizeObservation[][] {
  const map = new Map<string, SizeObservation[]>();
  for (const o of obs) map.set(o.setting, [...(map.get(o.setting) ?? []), o]);
  return [...map.values()];
}

/** The slope (and the depth offsets) of these cells' λ, with bootstrap intervals; null with fewer than two sizes. */
function estimate(cells: readonly ScaleCell[], y: (c: ScaleCell) => number | null, depths: readonly number[], options: Required<BootstrapOptions>): { slope: SlopeEstimate; offsets: { value: number; interval: [number, number] | null }[] } | null {
  const obs = cells.flatMap((c) => {
    const lambda = y(c);
    return lambda !== null && lambda > 0 ? [{ setting: c.setting, dataset: c.dataset, m: c.m, params: c.params, depth: c.depth, lambda }] : [];
  });
  if (new Set(obs.map((o) => o.params)).size < 2) return null;
  const groups = bySetting(obs);
  const b = bootstrap(groups, (s) => fitSizeSlope(s, depths), options);
  if (b.estimate === null) return null;
  const interval = (k: number) => (groups.length >= MIN_INTERVAL_SETTINGS ? b.intervals[k] : null);
  return {
    slope: { slope: b.estimate[0], interval: interval(0), cells: obs.length },
    offsets: depths.map((_, k) => ({ value: b.estimate![k + 1], interval: interval(k + 1) })),
  };
}

function slopeRow(dataset: string, family: string, cells: readonly ScaleCell[], pooled: boolean, options: Required<BootstrapOptions>): SlopeRow | null {
  const depths = pooled ? [...new Set(cells.map((c) => c.depth))].sort((a, b) => a - b).slice(1) : [];
  const cv = estimate(cells, (c) => c.lambda, depths, options);
  if (cv === null) return null;
  const testOptimal = estimate(cells, (c) => c.testOptimal, depths, options);
  const params = cells.map((c) => c.params);
  return {
    dataset,
    family,
    settings: new Set(cells.map((c) => c.setting)).size,
    decades: Math.log10(Math.max(...params) / Math.min(...params)),
    cv: cv.slope,
    testOptimal: testOptimal?.slope ?? null,
    depthFactors: depths.map((depth, k) => {
      const o = cv.offsets[k];
      return { depth, factor: 10 ** o.value, interval: o.interval ? [10 ** o.interval[0], 10 ** o.interval[1]] : null };
    }),
  };
}

/** The slope rows: per dataset (then all datasets), the width family, each deeper family, and all depths together. */
function slopeRows(cells: readonly ScaleCell[], options: Required<BootstrapOptions>): SlopeRow[] {
  const datasets = [...new Set(cells.map((c) => c.dataset))];
  const scopes = datasets.length > 1 ? [...datasets, 'all'] : datasets;
  return scopes.flatMap((dataset) => {
    const own = cells.filter((c) => dataset === 'all' || c.dataset === dataset);
    const depths = [...new Set(own.map((c) => c.depth))].sort((a, b) => a - b);
    const rows = depths.map((d) => slopeRow(dataset, d === 1 ? 'width' : `depth ${d}`, own.filter((c) => c.depth === d), false, options));
    if (depths.length > 1) rows.push(slopeRow(dataset, 'all depths', own, true, options));
    return rows.filter((r): r is SlopeRow => r !== null);
  });
}

/** The scale analysis of an atlas's SGD cells (those with at least one hidden layer). */
export function analyzeScale(points: readonly LambdaPoint[], options: BootstrapOptions = {}): ScaleAnalysis {
  const opts: Required<BootstrapOptions> = { resamples: options.resamples ?? 2000, seed: options.seed ?? 0, level: options.level ?? 0.95 };
  const cells = points.filter((p) => p.solver === 'sgd' && p.depth > 0).map(scaleCell);
  const taus = cells.filter((c) => c.tauOverT !== null);
  return {
    cells,
    slopes: slopeRows(cells, opts),
    acted: { cells: taus.length, notActed: taus.filter((c) => c.tauOverT! > 1).length },
    edges: cells.filter((c) => c.edge).length,
    large: cells.filter((c) => c.params >= LARGE_PARAMS && c.init !== null),
    bootstrap: opts,
  };
}
