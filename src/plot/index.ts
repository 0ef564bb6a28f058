/** SVG plots of λ tuning, rendered headless with vega-lite and vega. */
export { validationCurveSvg, type ValidationCurveOptions, type ValidationCurvePoint } from './validation-curve.js';
export { scatterLogLogSvg, type ScatterLogLogOptions, type PowerLawLine } from './scatter.js';
export { lineChartSvg, type LineChartOptions } from './line-chart.js';
export { renderSvg } from './render.js';
export type { Series } from './series.js';
export type { PlotSize } from './axes.js';
