/** `startDashboard`: a read-only web view of a study store on node:http — HTML pages, a JSON API, nothing else. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { InvalidOptionError } from '../errors.js';
import { DEFAULT_STORAGE, type StudyStorage } from '../study/index.js';
import { SvgCache } from './charts.js';
import { staticScript } from './assets.js';
import { ChangeLog, OverviewCache } from './live.js';
import { methodNotAllowedPage } from './pages.js';
import { json, send } from './respond.js';
import { html, route, type DashboardState } from './routes.js';
import { StoreHandle } from './store.js';

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
  /** Seconds between a page's polls of the JSON API (it updates in place, sending only what changed), an integer in [0, 3600]; 0 turns live updates off. Default 5. */
  refreshSeconds?: number;
  /**
   * Answers every request under `/api/v1/` (`l2lab serve`'s ask/tell API, src/serve), which follows its
   * own rules (writes with a bearer token); the Host check applies to it as to every page. Default none:
   * the dashboard stays read-only.
   */
  api?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
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

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith('.localhost');
}

/**
 * What to tell the user who passed a host that is not a loopback address: anyone who can reach it
 * reads every study (no authentication), and the Host-header check is off. `null` for a loopback host.
 */
export function exposureWarning(host: string): string | null {
  if (isLoopback(host)) return null;
  return `warning: --host ${host} serves every study in this store, without authentication, to any machine that can reach this address. Use the default 127.0.0.1 (and an SSH tunnel: ssh -L 8080:127.0.0.1:8080 host) unless that is what you want.`;
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
  if (!(Number.isInteger(refreshSeconds) && refreshSeconds >= 0 && refreshSeconds <= 3600)) throw new InvalidOptionError(`The 'refreshSeconds' option of startDashboard must be an integer in [0, 3600] (0 = no live updates). Got ${String(refreshSeconds)} instead.`);
  return { port, host, refreshSeconds };
}

/**
 * Serves a read-only dashboard of a study store (Optuna Dashboard's role, without a framework):
 *
 * - `/`: every study with its strategy, status, trial counts by state, best value, λ_min and λ_1se so far;
 * - `/study/NAME`: the validation curve (λ_min and λ_1se marked; one curve per rung or dropout),
 *   learning curves, the trials, the refit, the evidence curve and γ, the config;
 * - `/compare?study=A&study=B`: two or more studies on one validation-curve chart;
 * - `/api/studies`, `/api/study/NAME`, `/api/compare`: the same data as JSON. `?since=V` returns
 *   only the studies or trials changed after version V (each answer carries `version`), and
 *   `?epochs_after=S` only the epoch records written after seq S (`epochs_cursor`).
 *
 * Pages are server-rendered HTML (SVG charts included) that a script of the dashboard's own
 * (`/static/`, with vega-embed from node_modules) keeps live: every `refreshSeconds` it polls the
 * JSON API for what changed and updates rows, tiles and interactive charts in place, without a
 * reload (`?refresh=0` pauses a page). Only GET and
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
  const state: DashboardState = { store, cache: new SvgCache(), changes: new ChangeLog(), overview: new OverviewCache(), refreshSeconds };
  const server = http.createServer((req, res) => {
    handle(state, options, host, req, res).catch((e: unknown) => {
      // A failure while writing the response itself: nothing left to tell the client.
      if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', `l2lab dashboard: ${(e as Error).message}\n`);
      else res.destroy();
    });
  });
  await listen(server, port, host).catch(async (e: unknown) => {
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

/**
 * One request: the Host check (bound to a loopback address), the ask/tell API when there is one,
 * read-only methods, the static scripts, then the pages and the JSON API (routes.ts).
 */
async function handle(state: DashboardState, options: DashboardOptions, host: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const api = url.pathname === '/api' || url.pathname.startsWith('/api/');
  const hostHeader = req.headers.host;
  if (isLoopback(host) && hostHeader !== undefined && !isLoopback(hostName(hostHeader))) {
    return send(res, req, 403, 'text/plain; charset=utf-8', `This dashboard listens on ${host} and answers only to localhost names, not '${hostHeader}'.\n`);
  }
  if (options.api !== undefined && (url.pathname === '/api/v1' || url.pathname.startsWith('/api/v1/'))) return options.api(req, res);
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('Allow', ALLOWED);
    return api ? json(res, req, 405, { error: `The dashboard is read-only: ${method} is not allowed (use GET or HEAD).` }) : html(res, req, 405, methodNotAllowedPage(state.store.location, method));
  }
  if (url.pathname === '/favicon.ico') return send(res, req, 404, 'text/plain; charset=utf-8', 'no favicon\n');
  const script = staticScript(url.pathname);
  if (script !== null) return send(res, req, 200, 'text/javascript; charset=utf-8', await script, 'public, max-age=3600');
  return route(state, req, res, url, api);
}

/** Listens on host:port; a port in use, a privileged port or an unknown host is an InvalidOptionError that says what to pass instead. */
function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
  });
}
