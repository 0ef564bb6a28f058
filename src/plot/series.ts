/** Named x–y series, the input of the scatter and line plots, and their checks. */

import { InvalidOptionError } from '../errors.js';
import { SERIES_COLORS } from './render.js';

/** One named set of points; a point's optional `mark` is a second category a scatter shows by shape (e.g. the seed). */
export interface Series {
  name: string;
  points: readonly { x: number; y: number; mark?: string }[];
}

/** A flat row per point, as Vega-Lite wants its data. */
export interface SeriesRow {
  series: string;
  x: number;
  y: number;
  mark?: string;
}

/**
 * Checks the series (non-empty, distinct names) and flattens the points that `keep` accepts; the
 * others are counted in `dropped`, for the plot's subtitle.
 */
export function flattenSeries(series: readonly Series[], owner: string, keep: (x: number, y: number) => boolean): { rows: SeriesRow[]; dropped: number } {
  if (!Array.isArray(series) || series.length === 0) {
    throw new InvalidOptionError(`The 'series' option of ${owner} must be a non-empty array of {name, points: {x, y}[]}. Got ${Array.isArray(series) ? 'an empty array' : String(series)} instead.`);
  }
  const names = new Set<string>();
  const rows: SeriesRow[] = [];
  let dropped = 0;
  for (const s of series) {
    if (typeof s.name !== 'string' || s.name === '') throw new InvalidOptionError(`Every series given to ${owner} needs a non-empty 'name'. Got ${JSON.stringify(s.name)} instead.`);
    if (names.has(s.name)) throw new InvalidOptionError(`Two series given to ${owner} are both named '${s.name}'; give each a distinct name.`);
    if (!Array.isArray(s.points)) throw new InvalidOptionError(`The 'points' of series '${s.name}' given to ${owner} must be an array of {x, y}. Got ${String(s.points)} instead.`);
    names.add(s.name);
    for (const p of s.points) {
      if (keep(p.x, p.y)) rows.push({ series: s.name, x: p.x, y: p.y, ...(p.mark !== undefined ? { mark: p.mark } : {}) });
      else dropped++;
    }
  }
  if (rows.length === 0) throw new InvalidOptionError(`${owner}: none of the points can be drawn (${dropped} left out as non-finite or not positive on a log axis).`);
  return { rows, dropped };
}

/**
 * The color encoding shared by every series plot: one Tableau color per series, in the order given;
 * a legend above the plot when there are several, with `symbol` samples ('stroke' for lines).
 */
export function seriesColor(series: readonly Series[], symbol: 'circle' | 'stroke'): { field: 'series'; scale: { domain: string[]; range: string[] } } & Record<string, unknown> {
  const domain = series.map((s) => s.name);
  return {
    field: 'series', type: 'nominal', title: null,
    scale: { domain, range: domain.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]) },
    legend: domain.length > 1 ? { orient: 'top', direction: 'horizontal', symbolType: symbol, ...(symbol === 'stroke' ? { symbolStrokeWidth: 2 } : {}) } : null,
  };
}
