/** The validation curve: validation loss (± one standard error) against λ on a log axis, with λ_min and λ_1se marked and the λ range the data cannot separate from λ_min shaded. */

import type { TopLevelSpec } from 'vega-lite';

import { InvalidOptionError } from '../errors.js';
import { logAxis, logDomain, plotSize, shortNumber, type PlotSize } from './axes.js';
import { renderSvg, SERIES_COLORS } from './render.js';

/** Validation (and optionally training) loss at one λ. */
export interface ValidationCurvePoint {
  /** λ ≥ 0; λ = 0 cannot sit on a log axis and is drawn as a horizontal reference line instead. */
  lambda: number;
  /** Mean validation loss over folds or seeds; a non-finite mean (failed trial) is left out and counted in the subtitle. */
  valMean: number;
  /** Its standard error (no error bar when 0 or non-finite). */
  valSe: number;
  /** Mean training loss, drawn as a dashed second curve when given. */
  trainMean?: number;
}

/** Options of {@link validationCurveSvg}. */
export interface ValidationCurveOptions extends PlotSize {
  points: readonly ValidationCurvePoint[];
  /** The λ with the smallest validation loss, marked by a solid vertical rule. */
  lambdaMin: number;
  /** The one-standard-error λ, marked by a dashed rule (omitted when absent or equal to λ_min). */
  lambda1se?: number;
  title: string;
  /**
   * Shades the λ where the penalty had no time to act (decay timescale τ longer than the training):
   * below `threshold` (above it for C = 1/λ), labelled with the epochs trained.
   */
  noTimeToAct?: { threshold: number; side: 'below' | 'above'; epochs: number };
  /** The λ range the data cannot separate from λ_min (tune's `lambda_interval`), shaded in the validation colour; `basis` names its rule in the subtitle. */
  interval?: { low: number; high: number; basis: string };
  /** Title of the y axis (default 'validation loss'). */
  yLabel?: string;
}

const VAL = SERIES_COLORS[0];
const TRAIN = SERIES_COLORS[1];

/**
 * SVG of the validation curve: x is λ on a log axis, y the loss. Validation means are points joined
 * by a line with ±1 SE error bars; the training curve, if given, is dashed. Vertical rules mark
 * λ_min (solid) and λ_1se (dashed) with their values; λ = 0, if tried, is a dotted horizontal line
 * at its validation loss.
 *
 * @example
 * fs.writeFileSync('curve.svg', await validationCurveSvg({ points, lambdaMin: 0.1, lambda1se: 0.3, title: 'MNIST MLP' }));
 */
export async function validationCurveSvg(options: ValidationCurveOptions): Promise<string> {
  const { points, lambdaMin, lambda1se, title } = options;
  const yLabel = options.yLabel ?? 'validation loss';
  const { width, height } = plotSize(options, 'validationCurveSvg');
  checkPoints(points);
  const shown = points.filter((p) => p.lambda > 0 && Number.isFinite(p.valMean));
  if (shown.length === 0) {
    throw new InvalidOptionError(`validationCurveSvg: none of the ${points.length} points has λ > 0 and a finite validation loss, so there is no curve to draw.`);
  }
  const zero = points.find((p) => p.lambda === 0 && Number.isFinite(p.valMean));
  const failed = points.filter((p) => !Number.isFinite(p.valMean)).length;
  const hasTrain = shown.some((p) => Number.isFinite(p.trainMean));

  const [lo, hi] = logDomain(shown.map((p) => p.lambda));
  const x = { field: 'lambda', type: 'quantitative', title: 'λ (log scale)', scale: { type: 'log', domain: [lo, hi], nice: false }, axis: logAxis(lo, hi) } as const;
  const series = hasTrain ? ['validation', 'training'] : ['validation'];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: [VAL, TRAIN] }, legend: hasTrain ? { orient: 'top', direction: 'horizontal', symbolType: 'stroke', symbolStrokeWidth: 2 } : null } as const;

  const curve = [
    ...shown.map((p) => ({ lambda: p.lambda, value: p.valMean, series: 'validation' })),
    ...shown.filter((p) => Number.isFinite(p.trainMean)).map((p) => ({ lambda: p.lambda, value: p.trainMean as number, series: 'training' })),
  ];
  const bars = shown
    .filter((p) => Number.isFinite(p.valSe) && p.valSe > 0)
    .map((p) => ({ lambda: p.lambda, lo: p.valMean - p.valSe, hi: p.valMean + p.valSe }));

  const marks = lambdaMarks(lambdaMin, lambda1se, lo, hi);

  const notes: string[] = [];
  if (zero) notes.push(`dotted line: λ = 0 (no penalty), validation loss ${shortNumber(zero.valMean)}`);
  if (lambdaMin === 0) notes.push('λ_min = 0: no penalty did best');
  if (failed > 0) notes.push(`${failed} failed λ not shown`);
  const hasBars = bars.length > 0;
  if (hasBars) notes.push('error bars: ±1 standard error');

  const layer: unknown[] = [];
  shadedRegions(options, x, lo, hi, layer, notes);
  if (hasBars) {
    layer.push(
      { name: 'val_errorbars', data: { values: bars }, mark: { type: 'rule', color: VAL, strokeWidth: 1.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { name: 'val_errorbar_caps', data: { values: bars.flatMap((b) => [{ lambda: b.lambda, y: b.lo }, { lambda: b.lambda, y: b.hi }]) }, mark: { type: 'tick', color: VAL, orient: 'horizontal', size: 7, thickness: 1.2 }, encoding: { x, y: { field: 'y', type: 'quantitative' } } },
    );
  }
  layer.push(
    { name: 'curve_lines', data: { values: curve }, mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color, strokeDash: { ...color, scale: { domain: series, range: [[1, 0], [5, 3]] } } } },
    { name: 'curve_points', data: { values: curve }, mark: { type: 'point', filled: true, size: 30, opacity: 1 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color } },
  );
  layer.push(...markLayers(marks, x));
  if (zero) {
    layer.push({ name: 'zero_baseline', data: { values: [{ value: zero.valMean }] }, mark: { type: 'rule', color: VAL, strokeDash: [2, 3], strokeWidth: 1.2 }, encoding: { y: { field: 'value', type: 'quantitative' } } });
  }

  const spec = {
    // One note per subtitle line: vega sizes the canvas by an estimate of text width that runs long.
    title: { text: title, ...(notes.length > 0 ? { subtitle: notes } : {}) },
    width,
    height,
    encoding: { y: { type: 'quantitative', title: yLabel, scale: { zero: false } } },
    layer,
  };
  return renderSvg(spec as TopLevelSpec);
}

/** Every point's λ is a number in [0, ∞). */
function checkPoints(points: readonly ValidationCurvePoint[]): void {
  if (!Array.isArray(points)) throw new InvalidOptionError(`The 'points' option of validationCurveSvg must be an array of {lambda, valMean, valSe, trainMean?}. Got ${String(points)} instead.`);
  for (const [i, p] of points.entries()) {
    if (!(typeof p.lambda === 'number' && p.lambda >= 0 && Number.isFinite(p.lambda))) {
      throw new InvalidOptionError(`The 'lambda' of point ${i} given to validationCurveSvg must be a number in [0, ∞). Got ${String(p.lambda)} instead.`);
    }
  }
}

/** λ_min (solid) and λ_1se (dashed) rules with their labels; a label flips to the left of its rule in the right third of the axis. */
function lambdaMarks(lambdaMin: number, lambda1se: number | undefined, lo: number, hi: number): LambdaMark[] {
  const marks: LambdaMark[] = [];
  const side = (l: number): 'left' | 'right' => ((Math.log(l) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) > 0.66 ? 'right' : 'left');
  const same = lambda1se === undefined || lambda1se === lambdaMin;
  if (lambdaMin > 0) marks.push({ lambda: lambdaMin, label: same && lambda1se !== undefined ? `λ_min = λ_1se = ${shortNumber(lambdaMin)}` : `λ_min = ${shortNumber(lambdaMin)}`, kind: 'min', align: side(lambdaMin) });
  if (!same && lambda1se !== undefined && lambda1se > 0) marks.push({ lambda: lambda1se, label: `λ_1se = ${shortNumber(lambda1se)}`, kind: '1se', align: side(lambda1se) });
  return marks;
}

interface LambdaMark {
  lambda: number;
  label: string;
  kind: string;
  align: 'left' | 'right';
}

/** The shaded regions, each only where it overlaps the axis: λ with no time to act, and the interval the data cannot separate from λ_min. */
function shadedRegions(options: ValidationCurveOptions, x: unknown, lo: number, hi: number, layer: unknown[], notes: string[]): void {
  const idle = options.noTimeToAct;
  // Shaded only where the region overlaps the axis.
  if (idle && (idle.side === 'below' ? idle.threshold > lo : idle.threshold < hi)) {
    const [from, to] = idle.side === 'below' ? [lo, Math.min(hi, idle.threshold)] : [Math.max(lo, idle.threshold), hi];
    layer.push({ name: 'no_time_to_act', data: { values: [{ lambda: from, lambda2: to }] }, mark: { type: 'rect', color: '#999', opacity: 0.18 }, encoding: { x, x2: { field: 'lambda2' } } });
    notes.push(`shaded: λ ${idle.side} ${shortNumber(idle.threshold)} had no time to act in ${idle.epochs} epochs (τ > training)`);
  }
  const band = options.interval;
  // A band of one λ (nothing to shade) or off the axis is left out; its rule's name goes in the subtitle.
  if (band && band.high > band.low && band.high > lo && band.low < hi) {
    layer.push({ name: 'lambda_interval', data: { values: [{ lambda: Math.max(lo, band.low), lambda2: Math.min(hi, band.high) }] }, mark: { type: 'rect', color: VAL, opacity: 0.12 }, encoding: { x, x2: { field: 'lambda2' } } });
    notes.push(`band: λ ${shortNumber(band.low)}–${shortNumber(band.high)}, ${band.basis.replace(/:.*$/, '')}`);
  }
}

/** One rule per marked λ, and one label layer per rule, each on its own row from the top (in pixels), so close rules never overprint. */
function markLayers(marks: LambdaMark[], x: unknown): unknown[] {
  return [
    ...marks.map((m) => ({
      name: `lambda_rule_${m.kind}`,
      data: { values: [m] },
      mark: { type: 'rule', color: '#444', strokeWidth: 1, ...(m.kind === '1se' ? { strokeDash: [4, 3] } : {}) },
      encoding: { x },
    })),
    ...marks.map((m, row) => ({
      name: `lambda_label_${m.kind}`,
      data: { values: [m] },
      mark: { type: 'text', align: m.align, baseline: 'top', dx: m.align === 'left' ? 4 : -4, fontSize: 11, color: '#222' },
      encoding: { x, y: { value: 4 + 15 * row }, text: { field: 'label' } },
    })),
  ];
}
