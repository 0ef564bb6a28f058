/** The dashboard's HTML pages: the study list, one study, and the 404 / 405 / 500 pages. All user text goes through `esc`. */
import { evidenceChart, evidenceHistoryChart, learningChart, validationChart, type Chart, type SvgCache } from './charts.js';
import { badge, clock, duration, esc, loss, num, page, timeTag } from './html.js';
import type { Json } from '../study/index.js';
import { optionLabel } from '../options/registry.js';
import { STRATEGY_REGISTRY } from '../tune/strategies.js';
import type { StrategyName } from '../options/names.js';
import { atlasPath, isActive, studyApiPath, studyPath, type StudyDetail, type StudyRow, type TrialView } from './views.js';

/** How often pages reload while trials run, and whether the reader paused it (`?refresh=0`). */
export interface RefreshPolicy {
  /** Seconds between reloads; 0 turns them off. */
  seconds: number;
  /** The reader asked for no reloads on this page. */
  paused: boolean;
}

function strategyLabel(kind: string | null): string {
  return kind === null ? '<span class="muted">—</span>' : `<span title="${esc(kind)}">${esc(STRATEGY_REGISTRY[kind as StrategyName]?.label ?? kind)}</span>`;
}

/** What the page polls (its JSON API, every `policy.seconds`, updating in place), and the line under the title that says so, with a pause / resume link. */
function refreshing(policy: RefreshPolicy, path: string, api: string): { live: { api: string; seconds: number } | undefined; line: string } {
  if (policy.seconds <= 0) return { live: undefined, line: '' };
  if (policy.paused) return { live: undefined, line: `<span class="refresh">live updates paused · <a href="${esc(path)}">resume</a></span>` };
  return { live: { api, seconds: policy.seconds }, line: `<span class="refresh" id="live-state">live · every ${policy.seconds} s · <a href="${esc(path)}?refresh=0">pause</a></span>` };
}

function countsCell(c: Record<string, number>): string {
  const parts: string[] = [];
  const add = (n: number, label: string, cls: string) => {
    if (n > 0) parts.push(`<span><span class="badge s-${cls}">${n}</span> ${label}</span>`);
  };
  add(c.COMPLETE, 'complete', 'COMPLETE');
  add(c.RUNNING, 'running', 'RUNNING');
  add(c.WAITING, 'waiting', 'WAITING');
  add(c.PRUNED, 'pruned', 'PRUNED');
  add(c.FAIL, 'failed', 'FAIL');
  return parts.length > 0 ? `<div class="counts">${parts.join('')}</div>` : '<span class="muted">no trials</span>';
}

function statusBadge(status: string): string {
  const title: Record<string, string> = {
    running: 'trials are being trained now',
    waiting: 'trials are queued but none is running',
    stalled: 'trials are RUNNING but their processes are gone; the next l2lab tune of this study reclaims them',
    finished: 'every trial has finished',
    empty: 'no trials yet',
  };
  return badge(status, title[status]);
}

/** `/`: every study in the store. */
export function overviewPage(location: string, rows: StudyRow[], policy: RefreshPolicy, now: number, missing = false): string {
  const r = refreshing(policy, '/', '/api/studies');
  const running = rows.filter((s) => s.status === 'running').length;
  const sub = `<div class="sub"><span>${rows.length} stud${rows.length === 1 ? 'y' : 'ies'}${running > 0 ? `, ${running} running` : ''}</span><span class="muted">as of ${clock(now)}</span>${r.line}<a href="/api/studies">JSON</a></div>`;
  let body: string;
  if (missing) {
    body = `<div class="card"><h2>Waiting for the study store</h2><p>${esc(location)}: nothing there yet. Run <code>l2lab tune …</code> with the same <code>--storage</code> in another terminal; its studies appear here as soon as it creates the store.</p></div>`;
  } else if (rows.length === 0) {
    body = `<div class="card"><h2>No studies yet</h2><p>Start one in another terminal, for example <code>l2lab tune --strategy grid --data wine --model mlp:16</code> (with the same <code>--storage</code>); it appears here as soon as it is created.</p></div>`;
  } else {
    body = `<div class="card"><div class="tools"><input type="search" class="filter" data-table="studies" placeholder="filter studies" aria-label="filter studies"> <a id="compare" class="button" href="/compare">compare selected</a></div><div class="scroll"><table class="sortable" id="studies">
<thead><tr><th data-nosort></th><th>study</th><th>strategy</th><th>status</th><th>trials</th><th class="num">best value</th><th class="num">λ_min</th><th class="num">λ_1se</th><th>created</th><th>last activity</th></tr></thead>
<tbody>
${rows.map((s) => overviewRow(s, now)).join('\n')}
</tbody></table></div>
<p class="note">λ_min: the λ with the smallest validation loss so far; λ_1se: the largest λ within one standard error of it (for successive halving, on the highest rung reached). Evidence studies show the evidence maximum. Tick studies to compare their validation curves.</p></div>`;
  }
  return page({ title: 'l2lab studies', location, live: r.live, body: `<h1>Studies</h1>${sub}${body}` });
}

/** One overview row; also sent alone to a live page when the study changed. */
export function overviewRow(s: StudyRow, now: number): string {
  return `<tr id="study-${s.id}" data-name="${esc(s.name)}">
<td><input type="checkbox" class="pick" value="${esc(s.name)}" aria-label="compare ${esc(s.name)}"></td>
<td class="name"><a href="${esc(s.url)}">${esc(s.name)}</a></td>
<td>${strategyLabel(s.strategy)}</td>
<td>${statusBadge(s.status)}</td>
<td>${countsCell(s.trial_counts)}</td>
<td class="num">${s.best_value === null ? '<span class="muted">—</span>' : loss(s.best_value)}</td>
<td class="num">${s.lambda_min === null ? '<span class="muted">—</span>' : num(s.lambda_min)}</td>
<td class="num">${s.lambda_1se === null ? '<span class="muted">—</span>' : num(s.lambda_1se)}</td>
<td>${timeTag(s.created_at)}</td>
<td>${s.last_activity === null ? '<span class="muted">—</span>' : `${duration(now - s.last_activity)} ago`}</td>
</tr>`;
}

function chartBlock(c: Chart | null): string {
  if (c === null) return '';
  return `${c.svg !== null ? `<div class="chart">${c.svg}</div>` : ''}${c.note !== null ? `<p class="note">${esc(c.note)}</p>` : ''}`;
}

function tile(key: string, value: string, note = ''): string {
  return `<div class="tile"><div class="k">${key}</div><div class="v">${value}</div>${note ? `<div class="n">${note}</div>` : ''}</div>`;
}

/** What the progress column says: the last reported step of a running trial, or how long a finished one took. */
function progress(t: TrialView, now: number): string {
  const last = t.intermediate[t.intermediate.length - 1];
  const step = last ? `step ${last.step}: ${loss(last.value)}` : '';
  if (t.state === 'RUNNING') {
    const p = t.progress;
    const epochs = p === null ? '' : `epoch ${p.epoch}${p.of !== null ? ` / ${p.of}` : ''}${p.eta_ms !== null ? ` · ETA ${duration(p.eta_ms)}` : ''}`;
    const since = t.started_at === null ? '' : `for ${duration(now - t.started_at)}`;
    const beat = t.heartbeat_at === null ? '' : `, heartbeat ${duration(now - t.heartbeat_at)} ago`;
    return [epochs, step, `${since}${beat}`].filter(Boolean).join('<br>');
  }
  if (t.started_at !== null && t.finished_at !== null) return [step, duration(t.finished_at - t.started_at)].filter(Boolean).join('<br>');
  return step;
}

/** Which optional columns the trials table has. */
export interface TrialColumns {
  dropout: boolean;
  rung: boolean;
  fold: boolean;
}

/** The optional columns of a study's trials table (pass it to {@link trialRow} when rendering many rows). */
export function trialColumns(d: StudyDetail): TrialColumns {
  return { dropout: d.trials.some((x) => x.dropout !== 0), rung: d.trials.some((t) => t.rung !== null), fold: d.trials.some((t) => t.fold !== null) };
}

/** One trial's row; also sent alone to a live page when the trial changed. */
export function trialRow(d: StudyDetail, t: TrialView, now: number, cols: TrialColumns = trialColumns(d)): string {
  const sel = d.selection;
  const inChoice = sel !== null && sel.rule === 'one-se' && t.state === 'COMPLETE' && t.dropout === sel.dropout && t.rung === sel.rung;
  const tags: string[] = [];
  if (inChoice && t.lambda === sel.lambda_min) tags.push('<span class="tag">λ_min</span>');
  if (inChoice && t.lambda === sel.lambda_1se && sel.lambda_1se !== sel.lambda_min) tags.push('<span class="tag">λ_1se</span>');
  const state = t.stale ? badge('stalled', 'RUNNING, but its process is gone (dead pid or no heartbeat); the next l2lab tune of this study reclaims it') : badge(t.state);
  const val = t.val_mean === null ? (t.value !== null ? loss(t.value) : '<span class="muted">—</span>') : `${loss(t.val_mean)}${t.val_se !== null && t.val_se > 0 ? ` <span class="muted">± ${loss(t.val_se)}</span>` : ''}`;
  // The evidence strategy's one trial carries λ = 0 as a placeholder; its λ is the evidence maximum.
  const evidence = d.evidence !== null && sel?.rule === 'evidence' && t.number === sel.best_trial;
  const lambda = evidence ? `${num(sel.lambda_min)}<span class="tag" title="the evidence maximum (seed convention); the trial's params hold λ = 0 as a placeholder">evidence</span>` : `${num(t.lambda)}${tags.join('')}`;
  const sortKey = (x: number | null) => (x === null ? '' : String(x));
  return `<tr id="trial-${t.id}"${tags.length > 0 ? ' class="pick"' : ''}>
<td class="num">${t.number}</td>
<td class="num" data-sort="${sortKey(evidence ? sel.lambda_min : t.lambda)}">${lambda}</td>
${cols.dropout ? `<td class="num">${num(t.dropout)}</td>` : ''}
${cols.rung ? `<td class="num">${t.rung ?? ''}</td>` : ''}
${cols.fold ? `<td class="num">${t.fold ?? ''}</td>` : ''}
<td class="num" data-sort="${sortKey(t.val_mean ?? t.value)}">${val}</td>
<td class="num" data-sort="${sortKey(t.train_mean)}">${t.train_mean === null ? '<span class="muted">—</span>' : loss(t.train_mean)}</td>
<td>${state}</td>
<td class="num">${t.attempt}</td>
<td>${progress(t, now)}</td>
<td class="reason">${t.reason === null ? '' : esc(t.reason)}</td>
</tr>`;
}

function trialsTable(d: StudyDetail, now: number): string {
  const cols = trialColumns(d);
  const head = [
    '<th class="num">#</th>',
    '<th class="num">λ</th>',
    cols.dropout ? '<th class="num">dropout</th>' : '',
    cols.rung ? '<th class="num">rung</th>' : '',
    cols.fold ? '<th class="num">fold</th>' : '',
    '<th class="num">val loss ± SE</th>',
    '<th class="num">train loss</th>',
    '<th>state</th>',
    '<th class="num">attempt</th>',
    '<th>progress</th>',
    '<th>reason</th>',
  ].join('');
  if (d.trials.length === 0) return '<p class="muted">No trials yet.</p>';
  return `<div class="tools"><input type="search" class="filter" data-table="trials" placeholder="filter trials (λ, state, reason…)" aria-label="filter trials"></div><div class="scroll"><table class="sortable" id="trials"><thead><tr>${head}</tr></thead><tbody>\n${d.trials.map((t) => trialRow(d, t, now, cols)).join('\n')}\n</tbody></table></div>`;
}

function refitTable(d: StudyDetail): string {
  if (d.refits.length === 0) return '';
  const rows = d.refits.map(
    (r) => `<tr><td><code>${esc(r.key)}</code></td><td class="num">${num(r.lambda)}</td><td class="num">${num(r.dropout)}</td><td class="num">${num(r.epochs)}</td><td class="num">${loss(r.test_loss)}</td><td class="num">${r.test_accuracy === null ? '—' : `${(100 * r.test_accuracy).toFixed(2)}%`}</td><td class="num">${loss(r.test_rmse)}</td></tr>`,
  );
  return `<div class="card"><h2>Refit on the whole training part, scored on the test split</h2><table><thead><tr><th>stored as</th><th class="num">λ</th><th class="num">dropout</th><th class="num">epochs</th><th class="num">test loss</th><th class="num">test accuracy</th><th class="num">test RMSE</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

async function evidenceCard(d: StudyDetail, cache: SvgCache): Promise<string> {
  const e = d.evidence;
  if (e === null) return '';
  const [curve, history] = await Promise.all([evidenceChart(e, cache), evidenceHistoryChart(e, cache)]);
  const kv = [
    ['method', e.method === null ? '—' : esc(e.method)],
    ['λ at the maximum', `${num(e.lambda_seed)} <span class="muted">(seed convention)</span>`],
    ['γ', e.gamma === null ? '—' : `${e.gamma.toFixed(2)}${e.weights !== null ? ` well-determined of ${e.weights} weights` : ''}`],
    ['log evidence', num(e.log_evidence, 6)],
    ...(e.noise_precision !== null ? [['noise precision β', num(e.noise_precision)]] : []),
  ];
  const table =
    e.history.length > 0
      ? `<details><summary>${e.history.length} online re-estimates</summary><table><thead><tr><th class="num">epoch</th><th class="num">λ</th><th class="num">γ</th></tr></thead><tbody>${e.history.map((h) => `<tr><td class="num">${h.epoch}</td><td class="num">${num(h.lambda)}</td><td class="num">${h.gamma.toFixed(2)}</td></tr>`).join('')}</tbody></table></details>`
      : '';
  const charts = history === null ? chartBlock(curve) : `<div class="grid2">${[curve, history].map((c) => `<div>${chartBlock(c)}</div>`).join('')}</div>`;
  return `<div class="card"><h2>Evidence (marginal likelihood)</h2>${charts}<dl class="kv" style="margin-top:14px">${kv.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>${table}</div>`;
}

/** The study config: one row per top-level field, nested objects as `key: value` chips (null fields faded). */
function configBlock(config: Json): string {
  const value = (v: Json): string => (typeof v === 'string' ? esc(v) : esc(JSON.stringify(v)));
  const entries = typeof config === 'object' && config !== null && !Array.isArray(config) ? Object.entries(config) : [['config', config] as [string, Json]];
  const rows = entries.map(([k, v]) => {
    const inner =
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? `<div class="chips">${Object.entries(v)
            .map(([ik, iv]) => `<span class="chip${iv === null ? ' null' : ''}" title="${esc(ik)}"><i>${esc(optionLabel(ik))}:</i> ${value(iv)}</span>`)
            .join('')}</div>`
        : `<span class="chip">${value(v)}</span>`;
    return `<dt>${esc(k)}</dt><dd>${inner}</dd>`;
  });
  return `<dl class="kv">${rows.join('')}</dl>`;
}

/** The headline tiles of a study page; also sent to a live page on every change. */
export function studyTiles(d: StudyDetail): string {
  const sel = d.selection;
  const total = d.trials.length;
  const bestRefit = d.refits[d.refits.length - 1];
  return [
    sel === null ? tile('λ_min', '—', 'no finished trial yet') : tile(sel.rule === 'evidence' ? 'λ (evidence maximum)' : 'λ_min', num(sel.lambda_min), sel.rule === 'evidence' ? 'seed convention' : sel.rung !== null ? `rung ${sel.rung}` : sel.dropout !== 0 ? `dropout ${sel.dropout}` : 'smallest validation loss'),
    sel !== null && sel.rule === 'one-se' ? tile('λ_1se', num(sel.lambda_1se), 'largest λ within 1 SE') : '',
    sel?.interval ? tile('λ range', sel.interval.high > sel.interval.low ? `${num(sel.interval.low)} – ${num(sel.interval.high)}` : num(sel.lambda_min), `<span title="${esc(sel.interval.basis)}">${esc(sel.interval.basis.replace(/:.*$/, ''))}</span>`) : '',
    sel !== null && sel.rule === 'evidence' && d.evidence?.gamma !== null && d.evidence?.gamma !== undefined ? tile('γ', d.evidence.gamma.toFixed(1), d.evidence.weights !== null ? `of ${d.evidence.weights} weights` : '') : '',
    tile(sel?.rule === 'evidence' ? 'best value (−log ev / m)' : 'best validation loss', sel === null ? '—' : loss(sel.best_value), sel === null ? '' : `trial #${sel.best_trial}`),
    tile('trials', `${d.trial_counts.COMPLETE} / ${total}`, `complete${d.trial_counts.RUNNING > 0 ? `, ${d.trial_counts.RUNNING} running` : ''}${d.trial_counts.FAIL > 0 ? `, ${d.trial_counts.FAIL} failed` : ''}${d.trial_counts.PRUNED > 0 ? `, ${d.trial_counts.PRUNED} pruned` : ''}`),
    bestRefit !== undefined && bestRefit.test_loss !== null ? tile('refit test loss', loss(bestRefit.test_loss), bestRefit.test_accuracy !== null ? `accuracy ${(100 * bestRefit.test_accuracy).toFixed(2)}%` : bestRefit.test_rmse !== null ? `RMSE ${loss(bestRefit.test_rmse)}` : `at λ = ${num(bestRefit.lambda)}`) : '',
  ].join('');
}

/** `/study/NAME`: curves, trials, refit, evidence and config of one study. */
export async function studyPage(location: string, d: StudyDetail, cache: SvgCache, policy: RefreshPolicy, now: number): Promise<string> {
  const path = studyPath(d.name);
  const r = refreshing(policy, path, studyApiPath(d.name));
  const sub = `<div class="sub">${statusBadge(d.status)}<span>${strategyLabel(d.strategy)}</span><span class="muted">${d.direction === 'maximize' ? 'maximizing' : 'minimizing'} · created ${timeTag(d.created_at, now)}</span>${r.line}<a href="${esc(studyApiPath(d.name))}">JSON</a></div>`;
  const tiles = studyTiles(d);

  const curves: string[] = [];
  if (d.evidence === null) {
    const [validation, learning] = await Promise.all([validationChart(d, cache), learningChart(d, cache)]);
    // The SVGs show until the page script replaces them with interactive charts fed by the live API.
    curves.push(`<div class="card"><h2>Validation curve</h2><div id="validation-chart" class="live-chart">${chartBlock(validation)}</div></div>`);
    curves.push(`<div class="card"><h2>Learning curves</h2><div id="learning-chart" class="live-chart">${learning !== null ? chartBlock(learning) : '<p class="muted">No epochs recorded yet.</p>'}</div></div>`);
  }
  const attrs = Object.keys(d.attrs).length > 0 ? `<details><summary>study attributes (${Object.keys(d.attrs).length})</summary><pre>${esc(JSON.stringify(d.attrs, null, 2))}</pre></details>` : '';
  const atlas = d.strategy === 'atlas' ? `<div class="card"><p>This study holds a λ atlas: <a href="${esc(atlasPath(d.name))}">open the atlas</a> (cells, λ* against parameters, which strategy missed where).</p></div>` : '';
  const body = `<h1>${esc(d.name)}</h1>${sub}${atlas}
<div class="tiles" id="tiles">${tiles}</div>
${curves.length > 0 ? `<div class="grid2">${curves.join('')}</div>` : ''}
${await evidenceCard(d, cache)}
<div class="card"><h2>Trials</h2>${trialsTable(d, now)}</div>
${refitTable(d)}
<div class="card"><h2>Configuration</h2>${configBlock(d.config)}${attrs}</div>`;
  return page({ title: `${d.name} · l2lab`, location, live: r.live ?? { api: studyApiPath(d.name), seconds: 0 }, charts: d.evidence === null, crumb: d.name, body });
}

/** 404: what was asked for, and the studies there are. */
export function notFoundPage(location: string, what: string, rows: StudyRow[] | null): string {
  const list =
    rows === null
      ? ''
      : rows.length === 0
        ? '<p>The store has no studies yet.</p>'
        : `<p>Studies in this store:</p><ul>${rows.map((s) => `<li><a href="${esc(s.url)}">${esc(s.name)}</a> <span class="muted">${esc(s.strategy ?? '')}</span></li>`).join('')}</ul>`;
  return page({ title: 'Not found · l2lab', location, body: `<h1>Not found</h1><div class="card err"><p>${esc(what)}</p>${list}<p><a href="/">← all studies</a></p></div>` });
}

/** 500: the storage (or anything else) failed; the message says what. */
export function errorPage(location: string, message: string): string {
  return page({ title: 'Error · l2lab', location, body: `<h1>Cannot read the study store</h1><div class="card err"><pre>${esc(message)}</pre><p class="note">The page does not reload by itself; reload it once the store is reachable again.</p></div>` });
}

/** 405: the dashboard only reads. */
export function methodNotAllowedPage(location: string, method: string): string {
  return page({ title: 'Method not allowed · l2lab', location, body: `<h1>Method not allowed</h1><div class="card err"><p>The dashboard is read-only: it answers GET and HEAD, not ${esc(method)}.</p><p><a href="/">← all studies</a></p></div>` });
}

/** `/compare?study=A&study=B`: the studies' validation curves on one chart, and their choices side by side. */
export function comparePage(location: string, studies: StudyDetail[], policy: RefreshPolicy): string {
  const query = studies.map((d) => `study=${encodeURIComponent(d.name)}`).join('&');
  const r = refreshing(policy, `/compare?${query}`, `/api/compare?${query}`);
  const rows = studies.map((d) => {
    const sel = d.selection;
    return `<tr><td class="name"><a href="${esc(studyPath(d.name))}">${esc(d.name)}</a></td><td>${strategyLabel(d.strategy)}</td><td>${statusBadge(d.status)}</td><td class="num">${d.trial_counts.COMPLETE} / ${d.trials.length}</td><td class="num">${sel === null ? '—' : num(sel.lambda_min)}</td><td class="num">${sel?.lambda_1se == null ? '—' : num(sel.lambda_1se)}</td><td class="num">${sel === null ? '—' : loss(sel.best_value)}</td></tr>`;
  });
  const body = `<h1>Comparing ${studies.length} studies</h1><div class="sub">${r.line}<a href="/api/compare?${esc(query)}">JSON</a></div>
<div class="card"><h2>Validation curves</h2><div id="validation-chart" class="live-chart"><p class="muted">The chart needs the page script (JavaScript).</p></div><p class="note">Each study's mean validation loss over folds against λ (dots: single folds). Drag or scroll on the chart to zoom on λ; double-click to reset.</p></div>
<div class="card"><table class="sortable" id="compared"><thead><tr><th>study</th><th>strategy</th><th>status</th><th class="num">trials complete</th><th class="num">λ_min</th><th class="num">λ_1se</th><th class="num">best value</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  return page({ title: 'compare · l2lab', location, live: r.live ?? { api: `/api/compare?${query}`, seconds: 0 }, charts: true, crumb: 'compare', body });
}

/** `/atlas/NAME`: a stored atlas through the HTML report's own views. */
export function atlasPage(location: string, d: StudyDetail, content: { sections: string[] } | { missing: string }): string {
  const body =
    'missing' in content
      ? `<div class="card err"><p>${esc(content.missing)}</p></div>`
      : content.sections.map((s) => `<div class="card atlas">${s}</div>`).join('\n');
  return page({ title: `${d.name} · atlas · l2lab`, location, crumb: d.name, body: `<h1>${esc(d.name)}</h1><div class="sub"><span>λ atlas</span><a href="${esc(studyPath(d.name))}">the atlas study's records</a></div>${body}` });
}
