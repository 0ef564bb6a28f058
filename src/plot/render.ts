/** Renders a Vega-Lite spec to an SVG string in Node (vega-lite compiles it to Vega, vega draws it headless). */

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Shared look of every l2lab plot: plain white background, light grid, readable font sizes. */
export const PLOT_CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ccc' },
  axis: { gridColor: '#eee', domainColor: '#888', tickColor: '#888', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top-right', fillColor: 'rgba(255,255,255,0.85)', padding: 6, cornerRadius: 3 },
  title: { fontSize: 14, fontWeight: 'normal', anchor: 'start', subtitleFontSize: 11, subtitleColor: '#666' },
} as const;

/** Series colors (Tableau 10, colorblind-friendlier than the d3 defaults in the first pairs). */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/**
 * SVG text of a Vega-Lite spec: `compile(spec).spec`, then `new vega.View(vega.parse(…), {renderer:
 * 'none'}).toSVG()`. No canvas is needed; text widths are estimated, so labels never overflow badly.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ config: PLOT_CONFIG, ...spec } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
