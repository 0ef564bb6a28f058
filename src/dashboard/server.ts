/** `startDashboard`: a read-only web view of a study store on node:http — HTML pages, a JSON API, nothing else. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { InvalidOptionError } from '../errors.js';
import { DEFAULT_STORAGE, type StudyStorage } from '../study/index.js';
import { SvgCache } from './charts.js';
import { errorPage, methodNotAllowedPage, notFoundPage, overviewPage, studyPage, type RefreshPolicy } from './pages.js';
import { StoreHandle } from './store.js';
import { listStudyRows, studyDetail, type StudyRow } from './views.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /**
   * The study store: a SQLite path, a `postgres://` URL, or an open {@link StudyStorage} (which
   * {@link Dashboard.close} leaves open). Default `./l2lab.db`. A SQLite file that does not exist
   * yet is not created; the dashboard shows it as soon as `l2lab tune` does.
   */
  storage?: string | StudyStorage;
  /** TCP port, an integer in [0, 65535]; 0 picks any free port (see {@link Dashboard.url}). Default 8080. */
  port?: number;
  /** Interface to listen on. Default `'127.0.0.1'`: this machine only. `'0.0.0.0'` exposes the studies to the network. */
  host?: string;
  /** Seconds between the pages' reloads while a trial is RUNNING or WAITING, an integer in [0, 3600]; 0 never reloads. Default 5. */
  refreshSeconds?: number;
}

/** A running dashboard. */
export interface Dashboard {
  /** Where it answers, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The study store it shows, as the storage describes itself (passwords hidden). */
  readonly location: string;
  /** Stops listening, drops open connections and closes the storage it opened. Safe to call twice. */
  close(): Promise<void>;
}

/** Only these methods read; everything else is refused with 405. */
const ALLOWED = 'GET, HEAD';

/** No scripts, no external anything: inline styles and inline SVG only. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith('.localhost');
}

/** The host name of a `Host` header (`[::1]:8080` → `[::1]`, `localhost:80` → `localhost`). */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d*$/, '');
}

function urlOf(address: AddressInfo, host: string): string {
  let shown = address.address;
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') shown = 'localhost';
  else if (address.address.includes(':')) shown = `[${address.address}]`;
  return `http://${shown}:${address.port}/`;
}

function check(options: DashboardOptions): { port: number; host: string; refreshSeconds: number } {
  const port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  const refreshSeconds = options.refreshSeconds ?? 5;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new InvalidOptionError(`The 'port' option of startDashboard must be an integer in [0, 65535] (0 = any free port). Got ${String(port)} instead.`);
  if (typeof host !== 'string' || host.trim() === '') throw new InvalidOptionError(`The 'host' option of startDashboard must be a non-empty host name or address, e.g. 127.0.0.1. Got ${JSON.stringify(host)} instead.`);
  if (!(Number.isInteger(refreshSeconds) && refreshSeconds >= 0 && refreshSeconds <= 3600)) throw new InvalidOptionError(`The 'refreshSeconds' option of startDashboard must be an integer in [0, 3600] (0 = never reload). Got ${String(refreshSeconds)} instead.`);
  return { port, host, refreshSeconds };
}

/**
 * Serves a read-only dashboard of a study store (Optuna Dashboard's role, without a framework):
 *
 * - `/`: every study with its strategy, status, trial counts by state, best value, λ_min and λ_1se so far;
 * - `/study/NAME`: the validation curve (λ_min and λ_1se marked; one curve per rung or dropout),
 *   learning curves, the trials, the refit, the evidence curve and γ, the config;
 * - `/api/studies`, `/api/study/NAME`: the same data as JSON.
 *
 * Pages are self-contained (inline CSS and SVG, no scripts) and reload themselves every
 * `refreshSeconds` while a trial is RUNNING or WAITING (`?refresh=0` pauses a page). Only GET and
 * HEAD are answered (405 otherwise); an unknown study is a 404 listing the studies; a storage error
 * is a 500 with its message. Bound to a loopback address, it also refuses requests whose `Host`
 * is not a loopback name (a DNS-rebinding page cannot read the studies).
 *
 * @throws InvalidOptionError for a bad option or a port that cannot be listened on; StorageError when the store cannot be opened.
 *
 * @example
 * const dash = await startDashboard({ storage: './l2lab.db', port: 0 });
 * console.log(`open ${dash.url}`);
 * // …
 * await dash.close();
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const { port, host, refreshSeconds } = check(options);
  const store = await StoreHandle.open(options.storage ?? DEFAULT_STORAGE);
  const cache = new SvgCache();
  const guardHost = isLoopback(host);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A failure while writing the response itself: nothing left to tell the client.
      if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', `l2lab dashboard: ${(e as Error).message}\n`);
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const api = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const location = store.location;
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', ALLOWED);
      return api ? json(res, req, 405, { error: `The dashboard is read-only: ${method} is not allowed (use GET or HEAD).` }) : html(res, req, 405, methodNotAllowedPage(location, method));
    }
    const hostHeader = req.headers.host;
    if (guardHost && hostHeader !== undefined && !isLoopback(hostName(hostHeader))) {
      return send(res, req, 403, 'text/plain; charset=utf-8', `This dashboard listens on ${host} and answers only to localhost names, not '${hostHeader}'.\n`);
    }
    if (url.pathname === '/favicon.ico') return send(res, req, 404, 'text/plain; charset=utf-8', 'no favicon\n');
    const now = Date.now();
    const policy: RefreshPolicy = { seconds: refreshSeconds, paused: url.searchParams.get('refresh') === '0' };
    try {
      const storage = await store.get();
      const rows = async (): Promise<StudyRow[]> => (storage === null ? [] : listStudyRows(storage, now));
      if (url.pathname === '/' || url.pathname === '/api/studies') {
        const list = await rows();
        if (api) return json(res, req, 200, { storage: store.location, exists: storage !== null, now, studies: list });
        return html(res, req, 200, overviewPage(store.location, list, policy, now, storage === null));
      }
      const m = /^\/(api\/)?study\/(.+)$/.exec(url.pathname);
      if (m !== null) {
        let name: string;
        try {
          name = decodeURIComponent(m[2]);
        } catch {
          return notFound(res, req, api, `The study name in ${url.pathname} is not valid percent-encoding.`, await rows());
        }
        const detail = storage === null || name.trim() === '' || name.length > 200 ? null : await studyDetail(storage, name, now);
        if (detail === null) return notFound(res, req, api, `No study '${name}' in ${store.location}.`, await rows());
        if (api) return json(res, req, 200, { storage: store.location, now, study: detail });
        return html(res, req, 200, await studyPage(store.location, detail, cache, policy, now));
      }
      return notFound(res, req, api, `Nothing at ${url.pathname}. The dashboard serves /, /study/NAME, /api/studies and /api/study/NAME.`, await rows());
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      return api ? json(res, req, 500, { error: message }) : html(res, req, 500, errorPage(store.location, message));
    }
  }

  function notFound(res: http.ServerResponse, req: http.IncomingMessage, api: boolean, what: string, list: StudyRow[]): void {
    if (api) return json(res, req, 404, { error: what, studies: list.map((s) => s.name) });
    return html(res, req, 404, notFoundPage(store.location, what, list));
  }

  await new Promise<void>((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => {
      const why: Record<string, string> = {
        EADDRINUSE: `port ${port} on ${host} is already in use; pass another --port, or --port 0 for any free one`,
        EACCES: `port ${port} needs privileges; use a port above 1023`,
        EADDRNOTAVAIL: `${host} is not an address of this machine; use 127.0.0.1`,
        ENOTFOUND: `host '${host}' does not resolve; use 127.0.0.1`,
      };
      reject(new InvalidOptionError(`The dashboard cannot listen on ${host}:${port}: ${why[e.code ?? ''] ?? e.message}.`));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  }).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });

  const url = urlOf(server.address() as AddressInfo, host);
  let closing: Promise<void> | undefined;
  return {
    url,
    get location() {
      return store.location;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => store.close());
      return closing;
    },
  };
}

function send(res: http.ServerResponse, req: http.IncomingMessage, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(req.method === 'HEAD' ? undefined : body);
}

function html(res: http.ServerResponse, req: http.IncomingMessage, status: number, body: string): void {
  res.setHeader('Content-Security-Policy', CSP);
  send(res, req, status, 'text/html; charset=utf-8', body);
}

function json(res: http.ServerResponse, req: http.IncomingMessage, status: number, value: unknown): void {
  send(res, req, status, 'application/json; charset=utf-8', `${JSON.stringify(value, null, 2)}\n`);
}
