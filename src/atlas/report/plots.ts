/** The atlas's plots as Vega-Lite specs rendered to inline SVG: best λ against size and m, and every cell's validation curve. */
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG, renderSvg, SERIES_COLORS } from '../../plot/render.js';
import type { AtlasAnalysis } from '../analysis/index.js';
import type { AtlasCellResult } from '../run.js';
import type { AtlasStrategyName } from '../spec.js';

export type Axis = 'params' | 'units' | 'm';
export type Convention = 'seed' | 'pytorch';

const AXIS_TITLE: Record<Axis, string> = { params: 'parameters P (weights + biases)', units: 'units U (hidden + output)', m: 'training rows m' };
const CONVENTION_TITLE: Record<Convention, string> = { seed: 'best λ (seed: + (λ/2m)·Σθ²)', pytorch: 'best weight_decay = λ/m (PyTorch)' };
const log = { type: 'log' } as const;
/** Legends beside the plot: inside it (the shared default) they would cover the points. */
const CONFIG = { ...PLOT_CONFIG, legend: { ...PLOT_CONFIG.legend, orient: 'right' } };

/**
 * Best λ against P, U or m in one convention: one faint dot per cell (seed), the geometric mean over
 * seeds as a solid dot with its min–max range, and lines joining the settings that differ only in the
 * x variable (same dataset and m across models; same dataset and model across m).
 */
export function bestLambdaSpec(a: AtlasAnalysis, axis: Axis, convention: Convention): TopLevelSpec {
  const y = (lambda: number, m: number) => (convention === 'seed' ? lambda : lambda / m);
  const series = (s: { dataset: string; model: string; m: number }) => (axis === 'm' ? `${s.dataset} ${s.model}` : `${s.dataset} m=${s.m}`);
  const cells = a.points.map((p) => ({ x: p[axis], y: y(p.lambda, p.m), dataset: p.dataset, series: series(p) }));
  const settings = a.settings
    .map((s) => ({ x: s[axis], y: y(s.lambda, s.m), lo: y(s.min, s.m), hi: y(s.max, s.m), dataset: s.dataset, series: series(s), edge: s.edge }))
    .sort((p, q) => p.x - q.x);
  const x = { field: 'x', type: 'quantitative', scale: log, title: AXIS_TITLE[axis] } as const;
  const color = { field: 'dataset', type: 'nominal', title: 'dataset', scale: { range: SERIES_COLORS } } as const;
  const anyEdge = settings.some((s) => s.edge);
  return {
    config: CONFIG,
    width: 300,
    height: 220,
    title: { text: `${convention === 'seed' ? 'λ*' : 'λ*/m'} vs ${axis === 'm' ? 'm' : axis === 'params' ? 'parameters' : 'units'}`, subtitle: axis === 'm' ? 'lines: one model across m' : 'lines: one m across models' },
    layer: [
      { data: { values: settings }, mark: { type: 'line', strokeWidth: 1, opacity: 0.5 }, encoding: { x, y: { field: 'y', type: 'quantitative', scale: log, title: CONVENTION_TITLE[convention] }, color, detail: { field: 'series', type: 'nominal' } } },
      { data: { values: settings }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: log }, y2: { field: 'hi' }, color } },
      { data: { values: cells }, mark: { type: 'point', filled: true, opacity: 0.35, size: 18 }, encoding: { x, y: { field: 'y', type: 'quantitative', scale: log }, color } },
      {
        data: { values: settings },
        mark: { type: 'point', filled: true, size: 55 },
        encoding: { x, y: { field: 'y', type: 'quantitative', scale: log }, color, shape: { field: 'edge', type: 'nominal', title: 'λ* on range edge', scale: { domain: [false, true], range: ['circle', 'triangle-up'] }, legend: anyEdge ? {} : null } },
      },
    ],
  } as unknown as TopLevelSpec;
}

const STRATEGY_COLORS: Record<string, string> = { grid: '#222', evidence: '#e15759', sh: '#4e79a7', bayes: '#59a14f', ridge: '#b07aa1', path: '#f28e2b' };

/** The color of a strategy's rule in the validation-curve plots (the report's key uses the same). */
export function strategyColor(name: string): string {
  return STRATEGY_COLORS[name] ?? '#999';
}

/** One cell's validation curve (reference strategy): mean ± SE over folds, with each strategy's chosen λ as a vertical rule. */
export function curveSpec(r: AtlasCellResult, reference: AtlasStrategyName): TopLevelSpec | undefined {
  const ref = r.results[reference];
  const curve = (ref?.curve ?? []).filter((p) => Number.isFinite(p.val_mean));
  if (curve.length === 0) return undefined;
  const values = curve.map((p) => ({ lambda: p.lambda, mean: p.val_mean, lo: p.val_mean - p.val_se, hi: p.val_mean + p.val_se }));
  const chosen = Object.values(r.results)
    .filter((o) => o && o.status === 'done' && o.best_lambda !== null)
    .map((o) => ({ lambda: o!.best_lambda!, strategy: o!.strategy }));
  const x = { field: 'lambda', type: 'quantitative', scale: log, title: 'λ', axis: { format: '~g', tickCount: 4 } } as const;
  const names = [...new Set(chosen.map((c) => c.strategy))];
  return {
    config: CONFIG,
    width: 190,
    height: 110,
    title: { text: r.cell.id, fontSize: 10 },
    layer: [
      { data: { values }, mark: { type: 'area', opacity: 0.2, color: '#888' }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: 'val loss' }, y2: { field: 'hi' } } },
      { data: { values }, mark: { type: 'line', point: { size: 12 }, color: '#333', strokeWidth: 1.2 }, encoding: { x, y: { field: 'mean', type: 'quantitative', scale: { zero: false } } } },
      {
        data: { values: chosen },
        mark: { type: 'rule', strokeDash: [4, 2], strokeWidth: 1.5 },
        encoding: { x: { field: 'lambda', type: 'quantitative', scale: log }, color: { field: 'strategy', type: 'nominal', legend: null, scale: { domain: names, range: names.map(strategyColor) } } },
      },
    ],
  } as unknown as TopLevelSpec;
}

export async function bestLambdaSvg(a: AtlasAnalysis, axis: Axis, convention: Convention): Promise<string> {
  return renderSvg(bestLambdaSpec(a, axis, convention));
}

export async function curveSvg(r: AtlasCellResult, reference: AtlasStrategyName): Promise<string | undefined> {
  const spec = curveSpec(r, reference);
  return spec ? renderSvg(spec) : undefined;
}
