/** `l2lab serve`: the dashboard's server with the ask/tell HTTP API (/api/v1/…) over a LambdaService. */
import { openLambdaService } from '../ask/index.js';
import { startDashboard, type Dashboard, type DashboardOptions } from '../dashboard/index.js';
import { askApi } from './ask-api.js';
import { checkToken } from './token.js';

export { newToken, readTokenFile } from './token.js';
export { OPENAPI } from './openapi.js';

/** Options of {@link startServe}: the dashboard's, plus the token and the service's lease. */
export interface ServeOptions extends Omit<DashboardOptions, 'api'> {
  /** The bearer token that ask, report and tell need: 16 or more printable characters ({@link newToken} makes one). */
  token: string;
  /** Seconds without a report after which a handed-out trial goes back to the pool, in (0, 86 400]. Default: the study's recorded value, 600 for a new study. */
  heartbeatTimeout?: number;
}

/**
 * Serves the dashboard and, under `/api/v1/`, the ask/tell API over l2lab's LambdaService on the
 * same store: `POST /api/v1/studies/NAME/ask`, `…/trials/N/report`, `…/trials/N/tell` (with
 * `Authorization: Bearer <token>`), `GET /api/v1/studies/NAME/best` and `/api/v1/openapi.json`.
 * Unlike the read-only dashboard it opens (and so creates) the store at start.
 *
 * @throws InvalidOptionError for a bad option or token; StorageError when the store cannot be opened.
 * @example
 * const server = await startServe({ storage: './l2lab.db', port: 0, token: newToken() });
 * // a training loop anywhere: POST `${server.url}api/v1/studies/wd/ask` …
 * await server.close();
 */
export async function startServe(options: ServeOptions): Promise<Dashboard> {
  const token = checkToken(options.token, 'given to startServe');
  const service = await openLambdaService({ storage: options.storage, heartbeatTimeout: options.heartbeatTimeout });
  try {
    // One storage for pages and API; the dashboard leaves it open, the service closes it if it opened it.
    const dash = await startDashboard({ ...options, storage: service.storage, api: askApi({ service, token }) });
    return { url: dash.url, location: dash.location, close: () => dash.close().then(() => service.close()) };
  } catch (e) {
    await service.close();
    throw e;
  }
}
