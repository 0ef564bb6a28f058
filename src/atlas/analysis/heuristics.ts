/**
 * Rules of thumb for λ, each a linear model of log10 λ* (seed convention) fitted by least squares,
 * and judged by how well it predicts cells left out of the fit.
 *
 * - params-m:  log λ* = a + b·log P + c·log m        (P parameters, m training rows)
 * - units-m:   log λ* = a + b·log U + c·log m        (U = Σ fan_out: the penalty at He init is ≈ 2U)
 * - timescale: λ* = B/(η_eff·k·T)                    (Wang & Aitchison 2024: the weight-decay timescale
 *              τ = B/(η_eff·λ) epochs is a fixed multiple k of the T training epochs; a = −log k)
 * - constant:  log λ* = a                            (the seed's λ as a Bayesian prior precision: independent of m and P)
 * - per-m:     log λ* = a + log m                    (Nielsen: λ/m fixed — a constant PyTorch weight_decay)
 */
import { formatNumber } from '../../util/format-number.js';
import { InvalidOptionError, InvalidDataError } from '../../errors.js';
import { leastSquares } from './least-squares.js';
import type { LambdaPoint } from './points.js';
import { median } from '../../util/median.js';

export type HeuristicId = 'params-m' | 'units-m' | 'timescale' | 'constant' | 'per-m';

export interface Heuristic {
  id: HeuristicId;
  name: string;
  /** The rule as an equation in the seed's λ. */
  formula: string;
  /** Names of the fitted coefficients. */
  coefficients: string[];
  /** The fitted coefficients' regressors for one point (1 for an intercept). */
  design(p: LambdaPoint): number[];
  /** The fixed part of log10 λ (a slope the rule does not fit). */
  offset(p: LambdaPoint): number;
  /** Cells the rule can speak of (the timescale rule needs SGD's T and η); default all. */
  applies?(p: LambdaPoint): boolean;
}

const lg = Math.log10;

export const HEURISTICS: readonly Heuristic[] = [
  { id: 'params-m', name: 'parameters and m', formula: 'log λ* = a + b·log P + c·log m', coefficients: ['a', 'b', 'c'], design: (p) => [1, lg(p.params), lg(p.m)], offset: () => 0 },
  { id: 'units-m', name: 'units and m', formula: 'log λ* = a + b·log U + c·log m', coefficients: ['a', 'b', 'c'], design: (p) => [1, lg(p.units), lg(p.m)], offset: () => 0 },
  { id: 'timescale', name: 'constant timescale', formula: 'λ* = B/(η_eff·k·T), i.e. τ = B/(η_eff·λ) = k·T epochs', coefficients: ['a'], design: () => [1], offset: (p) => lg(p.batchSize / (p.lrEffective * p.epochs!)), applies: (p) => p.epochs !== null },
  { id: 'constant', name: 'constant λ (prior precision)', formula: 'λ* = 10^a', coefficients: ['a'], design: () => [1], offset: () => 0 },
  { id: 'per-m', name: 'constant λ/m (Nielsen)', formula: 'λ*/m = 10^a (PyTorch weight_decay fixed)', coefficients: ['a'], design: () => [1], offset: (p) => lg(p.m) },
];

export function heuristic(id: HeuristicId): Heuristic {
  const h = HEURISTICS.find((x) => x.id === id);
  if (!h) throw new InvalidOptionError(`Unknown heuristic '${id}'. Known: ${HEURISTICS.map((x) => x.id).join(', ')}.`);
  return h;
}

export interface HeuristicFit {
  id: HeuristicId;
  /** Fitted coefficients by name (0 for one the data cannot identify). */
  coefficients: Record<string, number>;
  /** Coefficients the points could not identify (e.g. c when every point has the same m). */
  notIdentifiable: string[];
  /** Points fitted. */
  n: number;
  /** Root-mean-square residual of log10 λ* on the fitted points. */
  rmsLog10: number;
}

/** Fits a heuristic to points by least squares on log10 λ*. Needs at least one point. */
export function fitHeuristic(h: Heuristic, points: readonly LambdaPoint[]): HeuristicFit {
  if (points.length === 0) throw new InvalidDataError(`fitHeuristic(${h.id}): no points to fit.`);
  const x = points.map((p) => h.design(p));
  const y = points.map((p) => lg(p.lambda) - h.offset(p));
  const f = leastSquares(x, y);
  return {
    id: h.id,
    coefficients: Object.fromEntries(h.coefficients.map((c, j) => [c, f.coefficients[j]])),
    notIdentifiable: f.dropped.map((j) => h.coefficients[j]),
    n: points.length,
    rmsLog10: Math.sqrt(f.residuals.reduce((s, r) => s + r * r, 0) / points.length),
  };
}

/** log10 λ predicted for a point. */
export function predictLog10(h: Heuristic, fit: HeuristicFit, p: LambdaPoint): number {
  const d = h.design(p);
  return h.offset(p) + h.coefficients.reduce((s, c, j) => s + fit.coefficients[c] * d[j], 0);
}

/** What is held out together: all seeds of one (dataset, model, m), or a whole dataset. */
export type HoldOut = 'setting' | 'dataset';

export interface HeldOutPrediction {
  cell: string;
  group: string;
  lambda: number;
  predicted: number;
  /** log10(predicted / actual). */
  log10Ratio: number;
}

export interface HeldOutScore {
  id: HeuristicId;
  holdOut: HoldOut;
  /** Groups left out one at a time (those with other points to fit on). */
  groups: number;
  /** Cells predicted. */
  cells: number;
  /** Fraction of held-out cells whose λ* the rule predicts within a factor 2; null when nothing could be held out. */
  within2: number | null;
  /** Median |log10(predicted/actual)|; null when nothing could be held out. */
  medianAbsLog10: number | null;
  predictions: HeldOutPrediction[];
}

/**
 * Leave-one-group-out: for each group (a setting, or a dataset), fits on the other groups' points
 * and predicts each of its cells. A group with nothing else to fit on is skipped.
 */
export function heldOutScore(h: Heuristic, points: readonly LambdaPoint[], holdOut: HoldOut): HeldOutScore {
  const groupOf = (p: LambdaPoint) => (holdOut === 'setting' ? p.setting : p.dataset);
  const groups = [...new Set(points.map(groupOf))];
  const predictions: HeldOutPrediction[] = [];
  let used = 0;
  for (const g of groups) {
    const train = points.filter((p) => groupOf(p) !== g);
    if (train.length === 0) continue;
    used++;
    const fit = fitHeuristic(h, train);
    for (const p of points.filter((q) => groupOf(q) === g)) {
      const pred = predictLog10(h, fit, p);
      predictions.push({ cell: p.cell, group: g, lambda: p.lambda, predicted: 10 ** pred, log10Ratio: pred - lg(p.lambda) });
    }
  }
  const abs = predictions.map((q) => Math.abs(q.log10Ratio));
  return {
    id: h.id,
    holdOut,
    groups: used,
    cells: predictions.length,
    within2: abs.length ? abs.filter((a) => a <= lg(2) + 1e-12).length / abs.length : null,
    medianAbsLog10: abs.length ? median(abs) : null,
    predictions,
  };
}

export interface HeuristicSummary {
  heuristic: Heuristic;
  /** Fitted on every point. */
  fit: HeuristicFit;
  bySetting: HeldOutScore;
  byDataset: HeldOutScore;
  /** What the fit says in words, e.g. "λ* ∝ P^-0.12 · m^0.95" or "τ = 3.2 × T". */
  reading: string;
}

function describe(h: Heuristic, f: HeuristicFit): string {
  // A slope of 1e-30 is a zero the arithmetic did not land on exactly.
  const c = Object.fromEntries(Object.entries(f.coefficients).map(([k, v]) => [k, Math.abs(v) < 1e-9 ? 0 : v]));
  const num = (v: number) => formatNumber(v, { digits: 3, expAbove: 1e4 });
  switch (h.id) {
    case 'params-m':
      return `λ* ≈ ${num(10 ** c.a)} · P^${num(c.b)} · m^${num(c.c)}`;
    case 'units-m':
      return `λ* ≈ ${num(10 ** c.a)} · U^${num(c.b)} · m^${num(c.c)}`;
    case 'timescale':
      return `τ = B/(η_eff·λ*) ≈ ${num(10 ** -c.a)} × T`;
    case 'constant':
      return `λ* ≈ ${num(10 ** c.a)}`;
    case 'per-m':
      return `λ*/m ≈ ${num(10 ** c.a)} (PyTorch weight_decay)`;
  }
}

/** Every heuristic fitted on all points, with its held-out scores (leave one setting out; leave one dataset out). Best first by held-out within-×2 (per setting). */
export function evaluateHeuristics(points: readonly LambdaPoint[]): HeuristicSummary[] {
  const out = HEURISTICS.flatMap((h) => {
    const pts = points.filter((p) => h.applies?.(p) ?? true);
    if (pts.length === 0) return [];
    const fit = fitHeuristic(h, pts);
    return [{ heuristic: h, fit, bySetting: heldOutScore(h, pts, 'setting'), byDataset: heldOutScore(h, pts, 'dataset'), reading: describe(h, fit) }];
  });
  return out.sort((a, b) => (b.bySetting.within2 ?? -1) - (a.bySetting.within2 ?? -1) || (a.bySetting.medianAbsLog10 ?? Infinity) - (b.bySetting.medianAbsLog10 ?? Infinity));
}
