/** The report's scale view: λ* against P per (dataset, m), coloured by depth with seeds as separate marks; the slopes with their intervals; τ/T; the large nets at initialization. */
import { scatterLogLogSvg, type PowerLawLine, type Series } from '../../plot/index.js';
import { formatNumber } from '../../util/format-number.js';
import { leastSquares } from '../analysis/least-squares.js';
import { LARGE_PARAMS, MIN_INTERVAL_SETTINGS, SEED_LAMBDA, type ScaleAnalysis, type ScaleCell, type SlopeEstimate } from '../analysis/scale.js';

/** Which λ a figure shows: grid-CV's λ* or the test-loss-optimal λ off each cell's test curve. */
export type ScaleY = 'cv' | 'test';

const num = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : formatNumber(v, { digits }));
const yOf = (y: ScaleY) => (c: ScaleCell): number | null => (y === 'cv' ? c.lambda : c.testOptimal);

/** The (dataset, m) panels present, in first-seen order. */
export function scalePanels(cells: readonly ScaleCell[]): { dataset: string; m: number }[] {
  const seen = new Map<string, { dataset: string; m: number }>();
  for (const c of cells) seen.set(`${c.dataset}|${c.m}`, { dataset: c.dataset, m: c.m });
  return [...seen.values()];
}

/** Per depth, the least-squares power law through its cells of one panel (none with fewer than two sizes). */
function depthLines(cells: readonly ScaleCell[], y: ScaleY): PowerLawLine[] {
  return [...new Set(cells.map((c) => c.depth))].flatMap((depth) => {
    const pts = cells.filter((c) => c.depth === depth && (yOf(y)(c) ?? 0) > 0);
    if (new Set(pts.map((c) => c.params)).size < 2) return [];
    const f = leastSquares(pts.map((c) => [1, Math.log10(c.params)]), pts.map((c) => Math.log10(yOf(y)(c)!)));
    const [intercept, slope] = f.coefficients;
    return [{ series: `depth ${depth}`, intercept, slope, label: `depth ${depth} ${slope.toFixed(2)}` }];
  });
}

/** λ (CV or test-optimal) against P for one dataset and m: a color per depth, a shape per seed, a dashed power law per depth. */
export async function scaleSvg(a: ScaleAnalysis, panel: { dataset: string; m: number }, y: ScaleY): Promise<string | undefined> {
  const cells = a.cells.filter((c) => c.dataset === panel.dataset && c.m === panel.m && (yOf(y)(c) ?? 0) > 0);
  if (cells.length === 0) return undefined;
  const depths = [...new Set(cells.map((c) => c.depth))].sort((p, q) => p - q);
  const series: Series[] = depths.map((depth) => ({
    name: `depth ${depth}`,
    points: cells.filter((c) => c.depth === depth).map((c) => ({ x: c.params, y: yOf(y)(c)!, mark: `seed ${c.seed}` })),
  }));
  return scatterLogLogSvg({
    series,
    fitLines: depthLines(cells, y),
    markTitle: 'seed',
    xLabel: 'parameters P',
    yLabel: y === 'cv' ? 'λ* (grid, hold-out; seed convention)' : 'test-loss-optimal λ (seed convention)',
    title: `${panel.dataset}, m = ${panel.m}: ${y === 'cv' ? 'λ*' : 'test-optimal λ'} vs P`,
    width: 420,
    height: 260,
  });
}

/** Slopes to two decimals (a fit of equal λ* gives 1e-15, not a slope). */
const fixed = (v: number): string => (Math.abs(v) < 0.005 ? '0.00' : v.toFixed(2));

function slopeText(s: SlopeEstimate | null): string {
  if (s === null) return '–';
  return `${fixed(s.slope)} ${s.interval ? `[${fixed(s.interval[0])}, ${fixed(s.interval[1])}]` : '[too few settings]'} (${s.cells})`;
}

function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function slopesTable(a: ScaleAnalysis): string {
  const rows = a.slopes.map((r) => [
    r.dataset, r.family, String(r.settings), num(r.decades, 2), slopeText(r.cv), slopeText(r.testOptimal),
    r.depthFactors.map((f) => `depth ${f.depth}: ×${num(f.factor, 2)} ${f.interval ? `[${num(f.interval[0], 2)}, ${num(f.interval[1], 2)}]` : '[too few settings]'}`).join('<br>') || '',
  ]);
  return table(['dataset', 'cells grown by', 'settings', 'decades of P', 'slope of log λ* on log P [95%] (cells)', 'slope of the test-optimal λ [95%] (cells)', 'λ* at matched P vs the shallowest'], rows);
}

function largeTable(a: ScaleAnalysis): string {
  if (a.large.length === 0) return `<p class="note">No cell with ≥ ${LARGE_PARAMS.toLocaleString('en-US')} parameters has finished yet.</p>`;
  const rows = a.large.map((c) => [c.cell, num(c.params), num(c.lambda), num(c.init!.dataLoss), num(c.init!.penalty), num(c.init!.ratio), num(c.init!.cost), num(c.init!.seedRatio)]);
  return table(['cell', 'P', 'λ*', 'data loss at init', 'penalty at init, λ*', 'penalty / data loss', 'initial cost', `penalty / data loss at λ = ${SEED_LAMBDA}`], rows);
}

/** The scale section of the report. */
export async function scaleSection(a: ScaleAnalysis): Promise<string> {
  const figures: string[] = [];
  for (const panel of scalePanels(a.cells)) {
    for (const y of ['cv', 'test'] as ScaleY[]) {
      const svg = await scaleSvg(a, panel, y);
      if (svg) figures.push(`<div>${svg}</div>`);
    }
  }
  const b = a.bootstrap;
  return `<section id="scale"><h2>λ* across scale: width and depth</h2>
<p class="note">Least-squares slope of log10 λ* on log10 P with an intercept per (dataset, m), so sizes are compared at fixed m: <i>width</i> grows one hidden layer, <i>depth d</i> grows d equal hidden layers, <i>all depths</i> pools them with an offset per depth (λ* at matched P as a factor of the shallowest's). 95% percentile intervals from a two-stage bootstrap (${b.resamples} resamples, seed ${b.seed}): settings drawn with replacement, then the seeds within each; no interval from fewer than ${MIN_INTERVAL_SETTINGS} settings. The test-optimal λ is the grid λ of the lowest test loss on each cell's test curve (a refit on its m rows at every λ). A slope near 0 says λ* does not move with size.</p>
<div class="grid">${figures.join('') || '<p>No cells yet.</p>'}</div>
${slopesTable(a)}
<p>τ/T at λ*: λ did not act (τ &gt; T) in <b>${a.acted.notActed} of ${a.acted.cells}</b> cells; λ* on the edge of the range tried in ${a.edges} (τ/T per cell in scale-cells.csv).</p>
<h3>At initialization, the nets from ${LARGE_PARAMS.toLocaleString('en-US')} parameters (the seed's "the cost starts at 50")</h3>
<p class="note">Measured on the weights each refit starts from and its m training rows: penalty (λ/2m)·Σθ² over the weights, in the seed's convention.</p>
${largeTable(a)}</section>`;
}
