/** Line charts of named series against epoch, e.g. the data loss and the L2 penalty during training. */

import type { TopLevelSpec } from 'vega-lite';

import { InvalidOptionError } from '../errors.js';
import { logAxis, logDomain, plotSize, type PlotSize } from './axes.js';
import { renderSvg } from './render.js';
import { flattenSeries, seriesColor, type Series } from './series.js';

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions extends PlotSize {
  series: readonly Series[];
  title: string;
  yLabel: string;
  /** Title of the x axis (default 'epoch'). */
  xLabel?: string;
  /** Log y axis (default false), for a penalty and a data loss of different sizes; y ≤ 0 is then left out. */
  logY?: boolean;
  /** Mark each point (default: when no series has more than 40 points). */
  showPoints?: boolean;
}

/**
 * SVG of one line per series against x (an epoch count by default), colored by series. Non-finite
 * y values (a diverged epoch) are left out and counted in the subtitle.
 *
 * @example
 * await lineChartSvg({
 *   series: [{ name: 'data loss', points: epochs.map((e) => ({ x: e.epoch, y: e.dataLoss })) },
 *            { name: 'L2 penalty', points: epochs.map((e) => ({ x: e.epoch, y: e.penalty })) }],
 *   yLabel: 'loss', title: 'Training, λ = 0.1', logY: true,
 * });
 */
export async function lineChartSvg(options: LineChartOptions): Promise<string> {
  const owner = 'lineChartSvg';
  const { series, title, yLabel } = options;
  const xLabel = options.xLabel ?? 'epoch';
  const logY = options.logY ?? false;
  if (typeof logY !== 'boolean') throw new InvalidOptionError(`The 'logY' option of ${owner} must be a boolean. Got ${String(logY)} instead.`);
  const { width, height } = plotSize(options, owner);
  const { rows, dropped } = flattenSeries(series, owner, (x, y) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0));
  const showPoints = options.showPoints ?? series.every((s) => s.points.length <= 40);

  const color = seriesColor(series, 'stroke');
  const x = { field: 'x', type: 'quantitative', title: xLabel, scale: { zero: false }, axis: { format: '~g' } };
  let y: Record<string, unknown> = { field: 'y', type: 'quantitative', title: yLabel, scale: { zero: false } };
  if (logY) {
    const [lo, hi] = logDomain(rows.map((r) => r.y));
    y = { ...y, scale: { type: 'log', domain: [lo, hi], nice: false }, axis: logAxis(lo, hi) };
  }
  const layer: unknown[] = [{ name: 'series_lines', data: { values: rows }, mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y, color } }];
  if (showPoints) layer.push({ name: 'series_points', data: { values: rows }, mark: { type: 'point', filled: true, size: 20 }, encoding: { x, y, color } });
  const spec = {
    title: { text: title, ...(dropped > 0 ? { subtitle: [`${dropped} point${dropped === 1 ? '' : 's'} not shown (non-finite${logY ? ' or ≤ 0 on the log axis' : ''})`] } : {}) },
    width,
    height,
    layer,
  };
  return renderSvg(spec as TopLevelSpec);
}
