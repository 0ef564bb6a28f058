/** The atlas's plots through the shared plot module: best λ against size and m (log–log, a power-law fit per dataset), and every cell's validation curve. */
import { scatterLogLogSvg, validationCurveSvg, type PowerLawLine, type Series } from '../../plot/index.js';
import { leastSquares } from '../analysis/least-squares.js';
import type { AtlasAnalysis, LambdaPoint } from '../analysis/index.js';
import type { AtlasCellResult } from '../run.js';
import type { AtlasStrategyName } from '../spec.js';

export type Axis = 'params' | 'units' | 'm';
export type Convention = 'seed' | 'pytorch';

const AXIS_TITLE: Record<Axis, string> = { params: 'parameters P (weights + biases)', units: 'units U (hidden + output)', m: 'training rows m' };
const CONVENTION_TITLE: Record<Convention, string> = { seed: 'best λ (seed: + (λ/2m)·Σθ²)', pytorch: 'best weight_decay = λ/m (PyTorch)' };

/** One series per dataset: a point per cell (so seeds of a setting stack at one x, showing their spread). */
export function bestLambdaSeries(points: readonly LambdaPoint[], axis: Axis, convention: Convention): Series[] {
  const datasets = [...new Set(points.map((p) => p.dataset))];
  return datasets.map((name) => ({
    name,
    points: points.filter((p) => p.dataset === name).map((p) => ({ x: p[axis], y: convention === 'seed' ? p.lambda : p.lambdaPytorch })),
  }));
}

/**
 * Per dataset, the least-squares power law y ∝ x^slope through its cells, holding the other variable
 * fixed: log10 y on log10 x and log10 m (log10 P when x is m), the line drawn at the dataset's mean of
 * that other variable. So the slope against P is the seed's question — does λ* move with model size
 * at a given m? — answered per dataset. Datasets with fewer than two distinct x get no line.
 */
export function powerLawFits(points: readonly LambdaPoint[], axis: Axis, convention: Convention): PowerLawLine[] {
  const out: PowerLawLine[] = [];
  const lg = Math.log10;
  for (const name of new Set(points.map((p) => p.dataset))) {
    const pts = points.filter((p) => p.dataset === name);
    if (new Set(pts.map((p) => p[axis])).size < 2) continue;
    const other = (p: LambdaPoint) => lg(axis === 'm' ? p.params : p.m);
    const mean = pts.reduce((t, p) => t + other(p), 0) / pts.length;
    const f = leastSquares(
      pts.map((p) => [1, lg(p[axis]), other(p) - mean]),
      pts.map((p) => lg(convention === 'seed' ? p.lambda : p.lambdaPytorch)),
    );
    const slope = f.coefficients[1];
    out.push({ series: name, intercept: f.coefficients[0], slope, label: `${name} ${Math.abs(slope) < 5e-3 ? '0' : slope.toFixed(2)}` });
  }
  return out;
}

export async function bestLambdaSvg(a: AtlasAnalysis, axis: Axis, convention: Convention): Promise<string> {
  const series = bestLambdaSeries(a.points, axis, convention);
  return scatterLogLogSvg({
    series,
    fitLines: powerLawFits(a.points, axis, convention),
    xLabel: AXIS_TITLE[axis],
    yLabel: CONVENTION_TITLE[convention],
    title: `${convention === 'seed' ? 'λ*' : 'λ*/m'} vs ${axis === 'params' ? 'parameters' : axis === 'units' ? 'units' : 'm'} (slopes at fixed ${axis === 'm' ? 'P' : 'm'})`,
    width: 420,
    height: 250,
  });
}

/** One cell's validation curve (the reference's, with λ_min and λ_1se marked), or undefined when it has none. */
export async function curveSvg(r: AtlasCellResult, reference: AtlasStrategyName): Promise<string | undefined> {
  const ref = r.results[reference];
  const points = (ref?.curve ?? []).filter((p) => p.lambda > 0 && Number.isFinite(p.val_mean));
  if (!ref || ref.best_lambda === null || points.length === 0) return undefined;
  return validationCurveSvg({
    points: points.map((p) => ({ lambda: p.lambda, valMean: p.val_mean, valSe: p.val_se, ...(p.train_mean !== null ? { trainMean: p.train_mean } : {}) })),
    lambdaMin: ref.best_lambda,
    ...(ref.lambda_1se !== null ? { lambda1se: ref.lambda_1se } : {}),
    title: r.cell.id,
    width: 230,
    height: 120,
  });
}
