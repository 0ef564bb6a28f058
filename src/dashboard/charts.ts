/**
 * The dashboard's SVG charts: the validation curve (one curve, or one per rung or dropout), the
 * per-epoch learning curves, and the evidence curve. Rendering takes vega a few hundred ms, so
 * each SVG is cached by its inputs: a page that reloads while nothing changed renders nothing.
 */
import { InvalidDataError } from '../errors.js';
import type { TopLevelSpec } from 'vega-lite';

import { lineChartSvg, renderSvg, validationCurveSvg, type Series } from '../plot/index.js';
import { logAxis, logDomain, shortNumber } from '../plot/axes.js';
import { SERIES_COLORS } from '../plot/render.js';
import type { EvidenceView, StudyDetail, TrialView } from './views.js';

/** A small least-recently-used cache of rendered SVGs, keyed by the JSON of their inputs. */
export class SvgCache {
  private readonly entries = new Map<string, Promise<string>>();

  constructor(private readonly capacity = 64) {}

  get(key: string, render: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const made = render();
    this.entries.set(key, made);
    made.catch(() => this.entries.delete(key));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return made;
  }
}

/** A chart, or why there is none yet. */
export interface Chart {
  svg: string | null;
  note: string | null;
}

const none = (note: string): Chart => ({ svg: null, note });

async function chart(cache: SvgCache, kind: string, input: unknown, render: () => Promise<string>): Promise<Chart> {
  try {
    return { svg: await cache.get(`${kind}:${JSON.stringify(input)}`, render), note: null };
  } catch (e) {
    return none(`Cannot draw this chart: ${(e as Error).message}`);
  }
}

/** One named curve of a value against λ. */
interface LambdaSeries {
  name: string;
  points: { lambda: number; value: number; se?: number | null }[];
}

/** A vertical rule at a λ with a label. */
interface LambdaMark {
  lambda: number;
  label: string;
  dashed?: boolean;
}

interface LambdaCurvesOptions {
  series: LambdaSeries[];
  marks: LambdaMark[];
  title: string;
  yLabel: string;
  xLabel?: string;
  /** Subtitle lines. */
  notes?: string[];
  width?: number;
  height?: number;
}

/**
 * Several curves against λ on one log axis, colored by series, with ±SE bars where given and
 * labelled vertical rules (λ_min solid, λ_1se dashed) — the validation curve of
 * `validationCurveSvg` for several rungs or dropouts at once. λ ≤ 0 and non-finite values are left out.
 */
export async function lambdaCurvesSvg(o: LambdaCurvesOptions): Promise<string> {
  const series = o.series.map((s) => ({ ...s, points: s.points.filter((p) => p.lambda > 0 && Number.isFinite(p.lambda) && Number.isFinite(p.value)) })).filter((s) => s.points.length > 0);
  if (series.length === 0) throw new InvalidDataError('The chart has no point with λ > 0 and a finite value: every trial failed or diverged so far.');
  const rows = series.flatMap((s) => s.points.map((p) => ({ series: s.name, lambda: p.lambda, value: p.value })));
  const bars = series.flatMap((s) => s.points.filter((p) => typeof p.se === 'number' && Number.isFinite(p.se) && p.se > 0).map((p) => ({ series: s.name, lambda: p.lambda, lo: p.value - p.se!, hi: p.value + p.se! })));
  const [lo, hi] = logDomain(rows.map((r) => r.lambda));
  const x = { field: 'lambda', type: 'quantitative', title: o.xLabel ?? 'λ (log scale)', scale: { type: 'log', domain: [lo, hi], nice: false }, axis: logAxis(lo, hi) } as const;
  const domain = series.map((s) => s.name);
  const range = domain.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]);
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: domain.length > 1 ? { orient: 'top', direction: 'horizontal', symbolType: 'stroke', symbolStrokeWidth: 2 } : null } as const;
  const side = (l: number): 'left' | 'right' => ((Math.log(l) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) > 0.66 ? 'right' : 'left');
  const marks = o.marks.filter((m) => m.lambda > 0 && Number.isFinite(m.lambda));
  const layer: unknown[] = [];
  if (bars.length > 0) layer.push({ data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.1, opacity: 0.8 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } });
  layer.push(
    { data: { values: rows }, mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color } },
    { data: { values: rows }, mark: { type: 'point', filled: true, size: 28, opacity: 1 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color } },
    ...marks.map((m) => ({ data: { values: [m] }, mark: { type: 'rule', color: '#444', strokeWidth: 1, ...(m.dashed ? { strokeDash: [4, 3] } : {}) }, encoding: { x } })),
    ...marks.map((m, row) => ({
      data: { values: [m] },
      mark: { type: 'text', align: side(m.lambda), baseline: 'top', dx: side(m.lambda) === 'left' ? 4 : -4, fontSize: 11, color: '#222' },
      encoding: { x, y: { value: 4 + 15 * row }, text: { field: 'label' } },
    })),
  );
  const subtitle = [...(o.notes ?? []), ...(bars.length > 0 ? ['error bars: ±1 standard error'] : [])];
  const spec = {
    title: { text: o.title, ...(subtitle.length > 0 ? { subtitle } : {}) },
    width: o.width ?? 520,
    height: o.height ?? 300,
    encoding: { y: { type: 'quantitative', title: o.yLabel, scale: { zero: false } } },
    layer,
  };
  return renderSvg(spec as TopLevelSpec);
}

const λ = (v: number): string => shortNumber(v);

/** Rung, or dropout, or nothing: what separates the curves of a study. */
function groupOf(t: TrialView, byRung: boolean, byDropout: boolean): string {
  if (byRung) return `rung ${t.rung ?? 0}`;
  if (byDropout) return `dropout ${t.dropout}`;
  return 'validation';
}

/**
 * The validation curve so far: `validationCurveSvg` (±SE, training curve, λ_min and λ_1se) when
 * the study has one curve; one curve per rung (successive halving) or per dropout otherwise, with
 * the rules of the curve the choice is made on.
 */
export async function validationChart(d: StudyDetail, cache: SvgCache): Promise<Chart> {
  const sel = d.selection;
  if (sel === null || sel.rule !== 'one-se') return none(d.trials.length === 0 ? 'No trials yet.' : 'No trial has finished yet: the curve appears with the first COMPLETE trial.');
  const done = d.trials.filter((t) => t.state === 'COMPLETE' && t.val_mean !== null);
  const byRung = done.some((t) => t.rung !== null);
  const byDropout = !byRung && new Set(done.map((t) => t.dropout)).size > 1;
  if (!byRung && !byDropout) {
    const failed = d.trials.filter((t) => t.state === 'FAIL' && t.dropout === sel.dropout);
    const points = [...done, ...failed]
      .sort((a, b) => a.lambda - b.lambda)
      .map((t) => ({ lambda: t.lambda, valMean: t.val_mean ?? NaN, valSe: t.val_se ?? 0, ...(t.train_mean !== null ? { trainMean: t.train_mean } : {}) }));
    const input = { points: points.map((p) => ({ ...p, valMean: Number.isFinite(p.valMean) ? p.valMean : null })), lambdaMin: sel.lambda_min, lambda1se: sel.lambda_1se ?? undefined, interval: sel.interval };
    if (!points.some((p) => p.lambda > 0 && Number.isFinite(p.valMean))) return none('Only λ = 0 has finished so far: a log axis needs λ > 0.');
    return chart(cache, 'validation', input, () =>
      validationCurveSvg({ points, lambdaMin: sel.lambda_min, ...(sel.lambda_1se !== null ? { lambda1se: sel.lambda_1se } : {}), ...(sel.interval ? { interval: sel.interval } : {}), title: 'Validation loss vs λ', width: 480, height: 300 }),
    );
  }
  const groups = new Map<string, TrialView[]>();
  for (const t of [...done].sort((a, b) => (a.rung ?? 0) - (b.rung ?? 0) || a.dropout - b.dropout || a.lambda - b.lambda)) {
    const g = groupOf(t, byRung, byDropout);
    groups.set(g, [...(groups.get(g) ?? []), t]);
  }
  const series = [...groups].map(([name, ts]) => ({ name, points: ts.map((t) => ({ lambda: t.lambda, value: t.val_mean!, se: t.val_se })) }));
  const on = byRung ? `rung ${sel.rung}` : `dropout ${sel.dropout}`;
  const marks: LambdaMark[] =
    sel.lambda_1se === null || sel.lambda_1se === sel.lambda_min
      ? [{ lambda: sel.lambda_min, label: `λ_min = λ_1se = ${λ(sel.lambda_min)} (${on})` }]
      : [
          { lambda: sel.lambda_min, label: `λ_min = ${λ(sel.lambda_min)} (${on})` },
          { lambda: sel.lambda_1se, label: `λ_1se = ${λ(sel.lambda_1se)}`, dashed: true },
        ];
  const title = byRung ? 'Validation loss vs λ, one curve per rung' : 'Validation loss vs λ, one curve per dropout';
  return chart(cache, 'curves', { series, marks, title }, () => lambdaCurvesSvg({ series, marks, title, yLabel: 'validation loss', width: 480 }));
}

/** The series of the learning-curve chart: at most this many trials. */
const MAX_CURVES = 10;

/** One trial's curve against epoch or step. */
interface EpochCurve {
  name: string;
  points: { x: number; y: number }[];
  /** Drawn thicker: the trial λ_min comes from. */
  best: boolean;
}

/** {@link logAxis}, with ticks every few decades when the axis spans more than eight (a diverging trial). */
function sparseLogAxis(lo: number, hi: number): Record<string, unknown> {
  const axis = logAxis(lo, hi);
  const from = Math.ceil(Math.log10(lo));
  const to = Math.floor(Math.log10(hi));
  if (to - from <= 8) return axis;
  const step = Math.ceil((to - from) / 6);
  const values: number[] = [];
  for (let e = from; e <= to; e += step) values.push(Number(`1e${e}`));
  return { ...axis, values };
}

/**
 * Curves against epoch, one per trial, colored in λ order along viridis (dark: small λ, green-yellow:
 * large λ) with a legend on the right, the best trial thicker. Non-finite values are left out.
 */
async function epochCurvesSvg(curves: EpochCurve[], title: string, xLabel: string, yLabel: string): Promise<string> {
  const rows = curves.flatMap((c) => c.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ series: c.name, x: p.x, y: p.y, best: c.best })));
  if (rows.length === 0) throw new InvalidDataError('The chart has no finite value to draw: every curve diverged or none was stored.');
  const dropped = curves.reduce((n, c) => n + c.points.length, 0) - rows.length;
  const domain = curves.map((c) => c.name);
  const color = { field: 'series', type: 'ordinal', title: 'λ', scale: { domain, scheme: { name: 'viridis', extent: [0, 0.88] } }, legend: { orient: 'right', symbolType: 'stroke', symbolStrokeWidth: 2.5 } };
  const x = { field: 'x', type: 'quantitative', title: xLabel, scale: { zero: false, nice: false }, axis: { format: 'd', tickMinStep: 1 } };
  // The loss at initialization can be ten times the trained one: a log axis keeps both readable.
  const ys = rows.map((r) => r.y);
  const lo = Math.min(...ys);
  const logY = lo > 0 && Math.max(...ys) / lo > 5;
  const y = logY
    ? { field: 'y', type: 'quantitative', title: `${yLabel}, log scale`, scale: { type: 'log', domain: logDomain(ys), nice: false }, axis: sparseLogAxis(...logDomain(ys)) }
    : { field: 'y', type: 'quantitative', title: yLabel, scale: { zero: false } };
  const spec = {
    title: { text: title, ...(dropped > 0 ? { subtitle: [`${dropped} non-finite value${dropped === 1 ? '' : 's'} not shown`] } : {}) },
    width: 440,
    height: 300,
    layer: [
      { data: { values: rows }, mark: { type: 'line', interpolate: 'linear' }, encoding: { x, y, color, detail: { field: 'series' }, strokeWidth: { condition: { test: 'datum.best', value: 3 }, value: 1.5 } } },
      ...(rows.length <= 400 ? [{ data: { values: rows }, mark: { type: 'point', filled: true, size: 14 }, encoding: { x, y, color } }] : []),
    ],
  };
  return renderSvg(spec as TopLevelSpec);
}

/**
 * Per-epoch validation loss of each trial: the values reported with `reportIntermediate` when there
 * are any, else the fold-averaged curve stored in the result. For successive halving only the rung
 * the choice is made on; at most {@link MAX_CURVES} trials, spread over λ and always with λ_min and the running ones.
 */
export async function learningChart(d: StudyDetail, cache: SvgCache): Promise<Chart | null> {
  let trials = d.trials.filter((t) => t.intermediate.length > 0 || (t.learning_curve !== null && t.learning_curve.length > 1));
  const rung = d.selection?.rung ?? null;
  if (rung !== null) trials = trials.filter((t) => t.rung === rung || t.state === 'RUNNING');
  if (trials.length === 0) return null;
  trials.sort((a, b) => a.lambda - b.lambda || a.dropout - b.dropout || a.number - b.number);
  let shown = trials;
  if (trials.length > MAX_CURVES) {
    const keep = new Set<TrialView>(trials.filter((t) => t.state === 'RUNNING' || t.number === d.selection?.best_trial).slice(0, MAX_CURVES));
    for (let i = 0; keep.size < MAX_CURVES && i < MAX_CURVES; i++) keep.add(trials[Math.round((i * (trials.length - 1)) / (MAX_CURVES - 1))]);
    shown = trials.filter((t) => keep.has(t));
  }
  const manyDropouts = new Set(shown.map((t) => t.dropout)).size > 1;
  const names = new Set<string>();
  const curves: EpochCurve[] = shown.map((t) => {
    let name = `${λ(t.lambda)}${manyDropouts ? `, dropout ${t.dropout}` : ''}`;
    if (names.has(name)) name += ` (#${t.number})`;
    names.add(name);
    const points = t.intermediate.length > 0 ? t.intermediate.map((v) => ({ x: v.step, y: v.value ?? NaN })) : t.learning_curve!.map((v, e) => ({ x: e, y: v ?? NaN }));
    return { name, points, best: t.number === d.selection?.best_trial };
  });
  const reported = shown.some((t) => t.intermediate.length > 0);
  const title = reported ? 'Reported values per step' : `Validation loss per epoch${rung !== null ? `, rung ${rung}` : ''}`;
  const yLabel = reported ? 'reported value' : 'validation loss (mean over folds)';
  const xLabel = reported ? 'step' : 'epoch (0 = initialization)';
  const c = await chart(cache, 'learning', { curves, title }, () => epochCurvesSvg(curves, title, xLabel, yLabel));
  const notes: string[] = [];
  if (shown.length < trials.length) notes.push(`${shown.length} of ${trials.length} trials shown, spread over λ`);
  if (curves.some((k) => k.best)) notes.push('the thick line is λ_min');
  if (c.svg !== null && notes.length > 0) c.note = `${notes.join('; ')}.`;
  return c;
}

/** The log evidence against λ (seed convention), with its maximum marked. */
export async function evidenceChart(e: EvidenceView, cache: SvgCache): Promise<Chart> {
  const values = e.curve.map((c) => c.log_evidence).filter(Number.isFinite);
  if (values.length === 0) return none('The evidence report has no curve.');
  // The evidence falls by thousands of nats far from its maximum, which would flatten the peak:
  // show the points within 4× the median's drop below the maximum (at least 10 nats).
  const top = Math.max(...values);
  const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const floor = top - Math.max(10, 4 * (top - median));
  const kept = e.curve.filter((c) => c.log_evidence >= floor);
  const notes = kept.length < e.curve.length ? [`${e.curve.length - kept.length} of ${e.curve.length} points below ln p = ${Math.round(floor)} not shown`] : [];
  const series = [{ name: 'log evidence', points: kept.map((c) => ({ lambda: c.lambda, value: c.log_evidence })) }];
  const marks = [{ lambda: e.lambda_seed, label: `λ = ${λ(e.lambda_seed)}${e.gamma !== null ? `, γ = ${e.gamma.toFixed(1)}` : ''}` }];
  const title = 'Log evidence vs λ';
  return chart(cache, 'evidence', { series, marks, notes }, () => lambdaCurvesSvg({ series, marks, title, notes, yLabel: 'log evidence ln p(D | λ)', xLabel: 'λ, seed convention (log scale)', width: 440 }));
}

/** The online re-estimates of λ during training (evidence strategy on MLPs), when there are two or more. */
export async function evidenceHistoryChart(e: EvidenceView, cache: SvgCache): Promise<Chart | null> {
  if (e.history.length < 2) return null;
  const series: Series[] = [{ name: 'λ', points: e.history.map((h) => ({ x: h.epoch, y: h.lambda })) }];
  return chart(cache, 'evidence-history', series, () => lineChartSvg({ series, title: 'λ re-estimated during training', yLabel: 'λ (seed convention)', logY: true, width: 440, height: 300 }));
}
