/** Log–log scatter plots of named series with optional power-law fit lines, e.g. best λ against parameter count. */

import type { TopLevelSpec } from 'vega-lite';

import { InvalidOptionError } from '../errors.js';
import { logAxis, logDomain, plotSize, shortNumber, type PlotSize } from './axes.js';
import { renderSvg, SERIES_COLORS } from './render.js';
import { flattenSeries, seriesColor, type Series } from './series.js';

/** A straight line on log–log axes: log10 y = intercept + slope·log10 x, i.e. y = 10^intercept · x^slope. */
export interface PowerLawLine {
  slope: number;
  intercept: number;
  /** Draw it in this series' color over that series' x range (default: dark gray over all the data). */
  series?: string;
  /** How the subtitle names it (default `<series>: slope 0.52`, or `slope 0.52` without a series). */
  label?: string;
}

/** Options of {@link scatterLogLogSvg}. */
export interface ScatterLogLogOptions extends PlotSize {
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  title: string;
  fitLines?: readonly PowerLawLine[];
  /** Legend title of the points' `mark`s, which then set the shapes (colors stay the series'). Default: no title. */
  markTitle?: string;
}

/**
 * SVG of a scatter plot with log x and log y axes: one color and shape per series, and dashed
 * power-law fit lines (named in the subtitle, where they cannot overprint the points); points with a `mark`
 * take their shape from it. Points with x ≤ 0 or y ≤ 0 (λ = 0 is a possible best λ) cannot be drawn on
 * log axes; they are left out and counted in the subtitle.
 *
 * @example
 * await scatterLogLogSvg({
 *   series: [{ name: 'MLP', points: runs.map((r) => ({ x: r.params, y: r.bestLambda })) }],
 *   fitLines: [{ series: 'MLP', slope: fit.slope, intercept: fit.intercept }],
 *   xLabel: 'parameters', yLabel: 'best λ', title: 'Best λ vs model size',
 * });
 */
export async function scatterLogLogSvg(options: ScatterLogLogOptions): Promise<string> {
  const owner = 'scatterLogLogSvg';
  const { series, xLabel, yLabel, title } = options;
  const fitLines = options.fitLines ?? [];
  const { width, height } = plotSize(options, owner);
  const { rows, dropped } = flattenSeries(series, owner, (x, y) => Number.isFinite(x) && Number.isFinite(y) && x > 0 && y > 0);

  const lines = fitLines.map((f, i) => {
    if (!(Number.isFinite(f.slope) && Number.isFinite(f.intercept))) {
      throw new InvalidOptionError(`Fit line ${i} given to ${owner} needs a finite slope and intercept (log10 y = intercept + slope·log10 x). Got slope ${String(f.slope)}, intercept ${String(f.intercept)} instead.`);
    }
    const k = f.series === undefined ? -1 : series.findIndex((s) => s.name === f.series);
    if (f.series !== undefined && k < 0) {
      throw new InvalidOptionError(`Fit line ${i} given to ${owner} names series '${f.series}', which is not among [${series.map((s) => `'${s.name}'`).join(', ')}].`);
    }
    const xs = rows.filter((r) => f.series === undefined || r.series === f.series).map((r) => r.x);
    const x0 = Math.min(...(xs.length > 0 ? xs : rows.map((r) => r.x)));
    const x1 = Math.max(...(xs.length > 0 ? xs : rows.map((r) => r.x)));
    const at = (x: number) => 10 ** (f.intercept + f.slope * Math.log10(x));
    return {
      id: i,
      color: k >= 0 ? SERIES_COLORS[k % SERIES_COLORS.length] : '#444',
      label: f.label ?? `${f.series === undefined ? '' : `${f.series}: `}slope ${shortNumber(f.slope)}`,
      ends: [{ x: x0, y: at(x0) }, { x: x1, y: at(x1) }],
    };
  });

  const allX = [...rows.map((r) => r.x), ...lines.flatMap((l) => l.ends.map((e) => e.x))];
  const allY = [...rows.map((r) => r.y), ...lines.flatMap((l) => l.ends.map((e) => e.y))];
  const [xlo, xhi] = logDomain(allX);
  const [ylo, yhi] = logDomain(allY);
  const x = { field: 'x', type: 'quantitative', title: xLabel, scale: { type: 'log', domain: [xlo, xhi], nice: false }, axis: logAxis(xlo, xhi) };
  const y = { field: 'y', type: 'quantitative', title: yLabel, scale: { type: 'log', domain: [ylo, yhi], nice: false }, axis: logAxis(ylo, yhi) };
  const color = seriesColor(series, 'circle');
  // Shapes repeat the series unless the points carry a second category of their own.
  const shape = rows.some((r) => r.mark !== undefined)
    ? { field: 'mark', type: 'nominal', title: options.markTitle ?? null, legend: { orient: 'top', direction: 'horizontal' } }
    : { ...color, scale: { domain: color.scale.domain } };

  const layer: unknown[] = [
    ...lines.map((l) => ({ name: `fit_line_${l.id}`, data: { values: l.ends }, mark: { type: 'line', color: l.color, strokeDash: [6, 4], strokeWidth: 1.4 }, encoding: { x, y } })),
    {
      name: 'scatter_points',
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 50, opacity: 0.9 },
      encoding: { x, y, color, shape },
    },
  ];
  const notes = lines.length > 0 ? [`dashed: power-law fit${lines.length === 1 ? '' : 's'} y = a·x^slope — ${lines.map((l) => l.label).join('; ')}`] : [];
  if (dropped > 0) notes.push(`${dropped} point${dropped === 1 ? '' : 's'} with x ≤ 0 or y ≤ 0 not shown (log axes)`);
  const spec = {
    title: { text: title, ...(notes.length > 0 ? { subtitle: notes } : {}) },
    width,
    height,
    layer,
  };
  return renderSvg(spec as TopLevelSpec);
}
