/**
 * The dashboard's read routes, each a page and its JSON twin: the overview (`/`, `/api/studies`),
 * a comparison (`/compare`), an atlas (`/atlas/NAME`) and one study (`/study/NAME`, `/api/study/NAME`).
 */
import type http from 'node:http';

import type { StudyStorage } from '../study/index.js';
import type { SvgCache } from './charts.js';
import { atlasSections, isAtlas } from './atlas.js';
import type { ChangeLog, OverviewCache } from './live.js';
import { atlasPage, comparePage, errorPage, notFoundPage, overviewPage, overviewRow, studyPage, studyTiles, trialColumns, trialRow, type RefreshPolicy } from './pages.js';
import { json, send } from './respond.js';
import type { StoreHandle } from './store.js';
import { studyDetail, type StudyDetail, type StudyRow } from './views.js';

/**
 * Only the dashboard's own scripts (its page script and the vega bundles it serves; no inline
 * script, no eval: vega-embed runs with its expression interpreter), fetches to itself only;
 * inline styles and inline SVG.
 */
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** What every route reads: the store, the caches of charts and overview rows, the change stamps, the refresh policy. */
export interface DashboardState {
  store: StoreHandle;
  cache: SvgCache;
  changes: ChangeLog;
  overview: OverviewCache;
  refreshSeconds: number;
}

/** One GET or HEAD request, parsed once. */
interface Request {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  /** Under /api: answered as JSON. */
  api: boolean;
  now: number;
  policy: RefreshPolicy;
  /** The open storage; null while the SQLite file does not exist yet. */
  storage: StudyStorage | null;
  /** The overview rows, for a 404 that lists the studies. */
  rows: () => Promise<StudyRow[]>;
}

/** Answers a GET or HEAD of a page or the JSON API; a storage error is a 500 with its message. */
export async function route(s: DashboardState, req: http.IncomingMessage, res: http.ServerResponse, url: URL, api: boolean): Promise<void> {
  const now = Date.now();
  const policy: RefreshPolicy = { seconds: s.refreshSeconds, paused: url.searchParams.get('refresh') === '0' };
  try {
    const storage = await s.store.get();
    const rows = async (): Promise<StudyRow[]> => (storage === null ? [] : s.overview.list(storage, now));
    const r: Request = { req, res, url, api, now, policy, storage, rows };
    if (url.pathname === '/' || url.pathname === '/api/studies') return await overviewRoute(s, r);
    if (url.pathname === '/compare' || url.pathname === '/api/compare') return await compareRoute(s, r);
    const atlas = /^\/atlas\/(.+)$/.exec(url.pathname);
    if (atlas !== null) return await atlasRoute(s, r, atlas[1]);
    const m = /^\/(api\/)?study\/(.+)$/.exec(url.pathname);
    if (m !== null) return await studyRoute(s, r, m[2]);
    return notFound(s, r, r.api, `Nothing at ${url.pathname}. The dashboard serves /, /study/NAME, /compare?study=A&study=B, /api/studies, /api/study/NAME and /api/compare.`, await rows());
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    return api ? json(res, req, 500, { error: message }) : html(res, req, 500, errorPage(s.store.location, message));
  }
}

async function overviewRoute(s: DashboardState, r: Request): Promise<void> {
  const { req, res, url, now, storage } = r;
  const list = await r.rows();
  if (!r.api) return html(res, req, 200, overviewPage(s.store.location, list, r.policy, now, storage === null));
  // Rows stamped after `since` are what changed; `fragments=1` adds each row's HTML for the live page.
  const since = cursor(url, 'since');
  const changed = list.filter((row) => s.changes.stamp(`study:${row.id}`, row) > since);
  const studies = url.searchParams.get('fragments') === '1' ? changed.map((row) => ({ ...row, html: overviewRow(row, now) })) : changed;
  return json(res, req, 200, { storage: s.store.location, exists: storage !== null, now, version: s.changes.current, studies, names: list.map((row) => row.name) });
}

async function compareRoute(s: DashboardState, r: Request): Promise<void> {
  const { req, res, url, now, storage } = r;
  const names = url.searchParams.getAll('study');
  const details = storage === null ? [] : await Promise.all(names.map((n) => (n.trim() === '' || n.length > 200 ? null : studyDetail(storage, n, now))));
  const missingName = names.find((_, i) => details[i] === null);
  if (missingName !== undefined || names.length < 2) return notFound(s, r, r.api, names.length < 2 ? 'Compare needs two or more studies: /compare?study=A&study=B (tick them on the overview).' : `No study '${missingName}' in ${s.store.location}.`, await r.rows());
  const found = details as StudyDetail[];
  if (r.api) return json(res, req, 200, { storage: s.store.location, now, version: s.changes.current, compare: true, studies: found.map((d) => ({ name: d.name, strategy: d.strategy, selection: d.selection, trials: d.trials })) });
  return html(res, req, 200, comparePage(s.store.location, found, r.policy));
}

async function atlasRoute(s: DashboardState, r: Request, encoded: string): Promise<void> {
  const { storage } = r;
  let name = '';
  try {
    name = decodeURIComponent(encoded);
  } catch {
    // reported below as an unknown atlas
  }
  const detail = storage === null || name.trim() === '' || name.length > 200 ? null : await studyDetail(storage, name, r.now);
  if (detail === null || !isAtlas(detail)) return notFound(s, r, false, `No atlas '${name}' in ${s.store.location}.`, await r.rows());
  return html(r.res, r.req, 200, atlasPage(s.store.location, detail, await atlasSections(storage!, detail)));
}

async function studyRoute(s: DashboardState, r: Request, encoded: string): Promise<void> {
  const { req, res, url, now, storage } = r;
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return notFound(s, r, r.api, `The study name in ${url.pathname} is not valid percent-encoding.`, await r.rows());
  }
  const detail = storage === null || name.trim() === '' || name.length > 200 ? null : await studyDetail(storage, name, now);
  if (detail === null) return notFound(s, r, r.api, `No study '${name}' in ${s.store.location}.`, await r.rows());
  if (!r.api) return html(res, req, 200, await studyPage(s.store.location, detail, s.cache, r.policy, now));
  // Trials stamped after `since` and epochs written after `epochs_after` are what changed.
  const since = cursor(url, 'since');
  const trials = detail.trials.filter((t) => s.changes.stamp(`trial:${t.id}`, t) > since);
  const epochs = await storage!.listEpochs(detail.id, { after: cursor(url, 'epochs_after') });
  const epochsCursor = epochs.length > 0 ? epochs[epochs.length - 1].seq : cursor(url, 'epochs_after');
  const cols = trialColumns(detail);
  const frag = url.searchParams.get('fragments') === '1' ? { tiles: studyTiles(detail), trials: Object.fromEntries(trials.map((t) => [t.id, trialRow(detail, t, now, cols)])) } : undefined;
  return json(res, req, 200, { storage: s.store.location, now, version: s.changes.current, study: { ...detail, trials }, epochs, epochs_cursor: epochsCursor, fragments: frag });
}

function notFound(s: DashboardState, r: Request, api: boolean, what: string, list: StudyRow[]): void {
  if (api) return json(r.res, r.req, 404, { error: what, studies: list.map((row) => row.name) });
  return html(r.res, r.req, 404, notFoundPage(s.store.location, what, list));
}

/** A `?since=` or `?epochs_after=` cursor: a non-negative integer, 0 (everything) when absent or malformed. */
function cursor(url: URL, name: string): number {
  const v = Number(url.searchParams.get(name) ?? 0);
  return Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/** Sends an HTML page under the dashboard's Content-Security-Policy. */
export function html(res: http.ServerResponse, req: http.IncomingMessage, status: number, body: string): void {
  res.setHeader('Content-Security-Policy', CSP);
  send(res, req, status, 'text/html; charset=utf-8', body);
}
