/** The atlas report: one self-contained HTML page (inline SVG and CSS, no external assets). */
import { formatNumber } from '../../util/format-number.js';
import type { AtlasAnalysis, Comparison, HeuristicSummary } from '../analysis/index.js';
import type { AtlasRun } from '../run.js';
import { bestLambdaSvg, curveSvg, type Axis, type Convention } from './plots.js';
import { scaleSection } from './scale.js';
import type { Table } from './tables.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Three significant digits, exponent form outside [1e-3, 1e5). */
export function num(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : formatNumber(v, { digits });
}
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(100 * v).toFixed(0)}%`);
const signedPct = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`);

function htmlTable(header: string[], rows: string[][], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:12.5px}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.fail{color:#b00}.ok{color:#070}
.grid{display:flex;flex-wrap:wrap;gap:10px}.grid>div,.grid>figure{border:1px solid #eee;margin:0}figcaption{font-size:11px;color:#555;padding:0 6px 4px}.note{color:#555;font-size:13px}
code{background:#f4f4f4;padding:0 3px}`;

function summarySection(run: AtlasRun, a: AtlasAnalysis): string {
  const spec = run.spec;
  const pairs = run.cells.flatMap((c) => Object.values(c.results));
  const count = (s: string) => pairs.filter((p) => p?.status === s).length;
  const grads = pairs.reduce((s, p) => s + (p?.sample_grads ?? 0), 0);
  const seconds = pairs.reduce((s, p) => s + (p?.seconds ?? 0), 0);
  const params = run.cells.map((c) => c.cell.params);
  const ms = run.cells.map((c) => c.cell.m);
  const names = [...new Set(spec.datasets.map((d) => d.name))];
  const schemes = [...new Set(spec.datasets.map((d) => ('folds' in d.validation ? `${d.validation.folds}-fold CV` : `hold-out ${d.validation.holdout}`)))];
  return `<section id="summary"><h2>Summary</h2>
<p>${escapeHtml(spec.description)}</p>
<ul>
<li>${run.cells.length} cells: ${names.length} datasets (${names.map(escapeHtml).join(', ')}) × models × m × ${spec.seeds.length} seed${spec.seeds.length === 1 ? '' : 's'}; parameters ${num(Math.min(...params))} to ${num(Math.max(...params))}, m ${Math.min(...ms)} to ${Math.max(...ms)}.</li>
<li>Strategies: ${spec.strategies.map((s) => `<code>${s.name}</code>`).join(', ')}; reference (ground truth): <code>${spec.reference}</code>, λ scored by ${schemes.join(', ')}.</li>
<li>(cell, strategy) outcomes: ${count('done')} done, ${count('failed')} failed, ${count('missing')} not run yet${run.complete ? '' : ' — <b>the atlas is incomplete</b>'}.</li>
<li>Compute: ${num(grads)} sample gradients, ${num(seconds / 60)} minutes of tuning (as recorded per cell).</li>
<li>λ is the seed's constant: cost = (1/m)·Σ loss + (λ/2m)·Σ θ² over weights (biases not penalized); PyTorch's <code>weight_decay</code> = λ/m for the m training rows of the cell.</li>
<li>Store: <code>${escapeHtml(run.storage)}</code>, study <code>atlas:${escapeHtml(spec.name)}</code>.</li>
</ul></section>`;
}

async function bestLambdaSection(a: AtlasAnalysis): Promise<string> {
  if (a.points.length === 0) return `<section id="best-lambda"><h2>Best λ</h2><p>No cell has a ${a.reference} result yet.</p></section>`;
  const plots: string[] = [];
  for (const convention of ['seed', 'pytorch'] as Convention[]) {
    for (const axis of ['params', 'units', 'm'] as Axis[]) plots.push(`<div>${await bestLambdaSvg(a, axis, convention)}</div>`);
  }
  const edges = a.points.filter((p) => p.edge).length;
  return `<section id="best-lambda"><h2>Best λ vs parameters, units and m</h2>
<p class="note">One point per cell (the seeds of a setting share an x, so their spread shows as a vertical stack), one color and shape per dataset; dashed: each dataset's least-squares power law y ∝ x^slope at fixed m (at fixed P in the plots against m), drawn at the dataset's mean m (P); the slopes are in the subtitle — a slope near 0 against P means λ* does not move with model size. Top row: the seed's convention; bottom row: PyTorch's (λ/m).${edges ? ` ${edges} cell${edges === 1 ? '' : 's'} had λ* on the edge of the range tried (a censored value; see the table).` : ''}</p>
<div class="grid">${plots.join('')}</div></section>`;
}

function settingsSection(a: AtlasAnalysis): string {
  const rows = a.settings.map((s) => [escapeHtml(s.dataset), escapeHtml(s.model), num(s.params), String(s.units), String(s.depth), String(s.m), String(s.seeds), `${num(s.lambda)}${s.edge ? ' ▲' : ''}`, `${num(s.min)} – ${num(s.max)}`, num(s.log10Sd, 2), num(s.lambdaPytorch)]);
  const floor = a.noiseFloor;
  return `<section id="settings"><h2>Measured best λ per setting</h2>
${htmlTable(['dataset', 'model', 'P', 'U', 'depth', 'm', 'seeds', 'λ* (seed)', 'range over seeds', 'sd log10', 'λ*/m (PyTorch)'], rows)}
<p class="note">▲: some seed's λ* is on the edge of its range. Seed noise floor: ${floor.within2 === null ? 'one seed per setting, not measurable' : `${pct(floor.within2)} of cells lie within ×2 of the mean of their setting's other seeds (median |log10 ratio| ${num(floor.medianAbsLog10, 2)}) — no rule of (dataset, model, m) can do better on average`}.</p></section>`;
}

function heuristicsSection(a: AtlasAnalysis): string {
  if (a.heuristics.length === 0) return `<section id="heuristics"><h2>Heuristics</h2><p>No points to fit yet.</p></section>`;
  const row = (h: HeuristicSummary) => [
    `<b>${escapeHtml(h.heuristic.name)}</b><br><span class="note">${escapeHtml(h.heuristic.formula)}</span>`,
    escapeHtml(h.reading) + (h.fit.notIdentifiable.length ? `<br><span class="note">not identifiable here: ${h.fit.notIdentifiable.join(', ')}</span>` : ''),
    num(h.fit.rmsLog10, 2),
    `<span class="${(h.bySetting.within2 ?? 0) >= 0.8 ? 'ok' : 'fail'}">${pct(h.bySetting.within2)}</span> of ${h.bySetting.cells}`,
    num(h.bySetting.medianAbsLog10, 2),
    `${pct(h.byDataset.within2)} of ${h.byDataset.cells}`,
    num(h.byDataset.medianAbsLog10, 2),
  ];
  const best = a.heuristics[0];
  return `<section id="heuristics"><h2>Heuristics, judged on held-out cells</h2>
<p class="note">Each rule is fitted by least squares on log10 λ* (seed convention) of the ${a.reference} cells. Held out: each setting (all seeds of one dataset, model and m) is left out in turn, the rule refitted on the rest and the left-out cells predicted; likewise each whole dataset. Target: λ* within ×2 on ≥ 80% of held-out cells. η_eff = η/(1−μ) under momentum.</p>
${htmlTable(['rule', 'fit on all cells', 'rms log10 (fit)', 'within ×2, leave setting out', 'median |log10|', 'within ×2, leave dataset out', 'median |log10|'], a.heuristics.map(row))}
<p>Best rule on held-out settings: <b>${escapeHtml(best.heuristic.name)}</b> (${escapeHtml(best.reading)}), ${pct(best.bySetting.within2)} within ×2 — ${(best.bySetting.within2 ?? 0) >= 0.8 ? 'meets' : 'misses'} the 80% target.</p></section>`;
}

function regimesSection(a: AtlasAnalysis): string {
  if (a.regimes.length === 0) return `<section id="regimes"><h2>Where λ acts</h2><p>No cell has a ${a.reference} result yet.</p></section>`;
  const bar = pct(a.regretBar);
  const parts = a.regimes.map((g) => {
    const rows = g.heuristics.map((h) => {
      const r = g.regret[h.heuristic.id];
      return [
        `<b>${escapeHtml(h.heuristic.name)}</b>`,
        escapeHtml(h.reading),
        `${pct(h.bySetting.within2)} of ${h.bySetting.cells}`,
        `<span class="${(r.within ?? 0) >= 0.8 ? 'ok' : 'fail'}">${pct(r.within)}</span> of ${r.cells}${r.unjudged ? ` (${r.unjudged} off the curve)` : ''}`,
        signedPct(r.medianRegret),
      ];
    });
    rows.push(['<i>two seeds of one setting (noise floor)</i>', '', `${pct(g.noiseFloor.within2)} of ${g.noiseFloor.cells}`, `${pct(g.regretFloor.within)} of ${g.regretFloor.cells}`, signedPct(g.regretFloor.medianRegret)]);
    const title = g.regime === 'exact' ? 'Convex models, solved exactly' : 'MLPs, trained by SGD until converged or the epoch cap';
    const acted = g.regime === 'sgd' ? `<p class="note">τ/T at λ* (τ the penalty's decay timescale, T the epochs trained there): median ${num(g.acted.medianTauOverT, 2)} over ${g.acted.cells} cells; λ acted (τ &lt; T) in ${pct(g.acted.actedFraction)}; every fold converged at λ* in ${pct(g.acted.convergedFraction)}.</p>` : '';
    return `<h3>${title} (${g.points.length} cells)</h3>${acted}
${htmlTable(['rule', 'fit on all cells', 'λ* within ×2 (held-out settings)', `test loss within ${bar} of grid-CV's (held-out settings)`, 'median regret'], rows)}`;
  });
  return `<section id="regimes"><h2>Where λ acts: rules judged by test-loss regret</h2>
<p class="note">Each cell stores the test loss of a refit on its m rows at every λ of its grid; a rule's λ is read off that curve (linear in log λ between grid points) and compared with the test loss at grid-CV's λ*. Target: within ${bar} on ≥ 80% of held-out cells (each setting left out in turn). Noise floor: one seed's λ* on another seed's curve of the same setting.</p>
${parts.join('\n')}</section>`;
}

function comparisonSection(comparisons: Comparison[]): string {
  if (comparisons.length === 0) return `<section id="comparison"><h2>Strategies vs the reference</h2><p>Only the reference strategy ran.</p></section>`;
  const parts = comparisons.map((c) => {
    const rows = c.rows.map((r) => [
      escapeHtml(r.cell), num(r.lambdaReference), num(r.lambdaCandidate), num(r.testLossReference, 4), num(r.testLossCandidate, 4),
      `<span class="${r.lossOk ? 'ok' : 'fail'}">${signedPct(r.relativeLoss)}</span>`, `<span class="${r.costOk ? 'ok' : 'fail'}">${num(r.costRatio, 2)}</span>`, num(r.secondsRatio, 2), r.ok ? '✓' : `<span class="fail">${escapeHtml(r.reasons.join('; '))}</span>`,
    ]);
    return `<h3 id="comparison-${c.candidate}"><code>${c.candidate}</code> vs <code>${c.reference}</code></h3>
<p>Targets: test loss within ${pct(c.targets.relativeLoss)} of ${c.reference}'s, at ≤ ${num(c.targets.costRatio)} of its sample gradients. Compared cells: ${c.compared}; loss target met on ${c.lossOk}, compute target on ${c.costOk}, both on <b>${c.bothOk}</b> of ${c.rows.length}. Median relative test loss ${signedPct(c.medianRelativeLoss)}, median sample-gradient ratio ${num(c.medianCostRatio, 2)} (wall time: ${num(c.medianSecondsRatio, 2)}).${c.failures.length ? ` Cells that fail: ${c.failures.length} (reasons in the last column).` : ''}</p>
${htmlTable(['cell', `λ ${c.reference}`, `λ ${c.candidate}`, `test loss ${c.reference}`, `test loss ${c.candidate}`, 'Δ test loss', 'sample-gradient ratio', 'wall-time ratio', 'verdict'], rows)}`;
  });
  return `<section id="comparison"><h2>Strategies vs the reference (${comparisons[0].reference})</h2>${parts.join('\n')}</section>`;
}

async function curvesSection(run: AtlasRun, a: AtlasAnalysis): Promise<string> {
  const figures: string[] = [];
  for (const c of run.cells) {
    const svg = await curveSvg(c, a.reference);
    if (!svg) continue;
    const chosen = Object.values(c.results)
      .filter((o) => o && o.status === 'done' && o.best_lambda !== null && o.strategy !== a.reference)
      .map((o) => `${o!.strategy} λ = ${num(o!.best_lambda)}`);
    figures.push(`<figure>${svg}${chosen.length ? `<figcaption>${escapeHtml(chosen.join(' · '))}</figcaption>` : ''}</figure>`);
  }
  return `<section id="curves"><h2>Validation curves of every cell</h2>
<p class="note">Mean validation loss of ${a.reference} over folds (±1 SE) and the training loss against λ (seed convention), with λ_min and λ_1se marked; below each, the λ the other strategies chose.</p>
<div class="grid">${figures.join('') || '<p>No curves yet.</p>'}</div></section>`;
}

function filesSection(tables: Table[]): string {
  const about: Record<string, string> = {
    'cells.csv': 'one row per (cell, strategy): λ in both conventions, test metrics, sample gradients, status',
    'settings.csv': 'λ* per (dataset, model, m): geometric mean over seeds, range, spread',
    'heuristics.csv': 'each rule: coefficients, in-sample fit, held-out accuracy',
    'heldout.csv': 'every held-out prediction of every rule',
    'comparison.csv': 'each strategy against the reference, per cell, with reasons for every miss',
    'curves.csv': 'validation curves of every (cell, strategy)',
    'regimes.csv': 'per regime (exact, sgd): each rule on held-out cells, λ* within ×2 and test-loss regret; the seed noise floors; τ/T at λ*',
    'test-curves.csv': 'test loss of a refit at every grid λ of every cell (what regret is read from)',
    'scale-cells.csv': 'per SGD cell: λ*, the test-optimal λ, τ/T, and the penalty against the data loss at initialization',
    'scale-slopes.csv': 'slopes of log λ* and of the test-optimal λ on log P per dataset, by width and depth, with bootstrap intervals',
  };
  return `<section id="files"><h2>Data behind this page</h2><ul>${tables.map((t) => `<li><a href="${t.file}">${t.file}</a> (${t.rows.length} rows): ${about[t.file] ?? ''}</li>`).join('')}<li><a href="atlas.json">atlas.json</a>: the spec, every cell and the analysis</li></ul></section>`;
}

/** The report's views without the page around them or the files section: what `l2lab dashboard` shows on its atlas page. */
export async function reportSections(run: AtlasRun, a: AtlasAnalysis): Promise<string[]> {
  return [summarySection(run, a), regimesSection(a), await bestLambdaSection(a), await scaleSection(a.scale), settingsSection(a), heuristicsSection(a), comparisonSection(a.comparisons), await curvesSection(run, a)];
}

/** The whole page. */
export async function reportHtml(run: AtlasRun, a: AtlasAnalysis, tables: Table[]): Promise<string> {
  const sections = [...(await reportSections(run, a)), filesSection(tables)];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>λ atlas: ${escapeHtml(run.spec.name)}</title><style>${CSS}</style></head>
<body><h1>λ atlas: ${escapeHtml(run.spec.name)}</h1>
<p class="note">Generated by <code>l2lab atlas</code> on ${new Date().toISOString()}.</p>
${sections.join('\n')}
</body></html>
`;
}
