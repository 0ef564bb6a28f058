/**
 * The ask/tell API under `/api/v1/`: a thin HTTP door over {@link LambdaService}. It parses the path
 * and the JSON body, checks the bearer token for writes, calls the service and answers its result or
 * `{error: {code, message}}`; every rule about λ, trials and studies is the service's.
 */
import type http from 'node:http';

import { json } from '../dashboard/respond.js';
import type { LambdaService, ReportRequest, StudyContext, TellRequest } from '../ask/protocol.js';
import { L2labError, type ErrorCode } from '../errors.js';
import { OPENAPI } from './openapi.js';
import { ApiError, badRequest, checkFields, readJsonObject } from './request.js';
import { bearerMatches } from './token.js';

/** Options of {@link askApi}. */
export interface AskApiOptions {
  service: LambdaService;
  /** The bearer token that ask, report and tell need (reads — best, openapi.json — are open). */
  token: string;
}

/** What a route's handler gets: the decoded study name, the trial number (report, tell), the request. */
interface RouteCall {
  study: string;
  trial: number;
  req: http.IncomingMessage;
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  write: boolean;
  run(service: LambdaService, call: RouteCall): Promise<unknown>;
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/api\/v1\/openapi\.json$/, write: false, run: async () => OPENAPI },
  { method: 'POST', pattern: /^\/api\/v1\/studies\/([^/]+)\/ask$/, write: true, run: ask },
  { method: 'POST', pattern: /^\/api\/v1\/studies\/([^/]+)\/trials\/([^/]+)\/report$/, write: true, run: report },
  { method: 'POST', pattern: /^\/api\/v1\/studies\/([^/]+)\/trials\/([^/]+)\/tell$/, write: true, run: tell },
  { method: 'GET', pattern: /^\/api\/v1\/studies\/([^/]+)\/best$/, write: false, run: (service, call) => service.best(call.study) },
];

async function ask(service: LambdaService, { study, req }: RouteCall): Promise<unknown> {
  const body = await readJsonObject(req);
  checkFields(body, { context: { type: 'object' }, client_id: { type: 'string' } }, 'ask');
  return service.ask(study, { context: (body.context ?? undefined) as StudyContext | undefined, client_id: (body.client_id ?? undefined) as string | undefined });
}

async function report(service: LambdaService, { study, trial, req }: RouteCall): Promise<unknown> {
  const body = await readJsonObject(req);
  checkFields(body, { trial: { type: 'integer' }, epoch: { type: 'integer', required: true }, val_loss: { type: 'number', required: true }, train_loss: { type: 'number' }, weight_sq_norm: { type: 'number' } }, 'report');
  sameTrial(body, trial);
  const request: ReportRequest = { trial, epoch: body.epoch as number, val_loss: body.val_loss as number };
  if (typeof body.train_loss === 'number') request.train_loss = body.train_loss;
  if (typeof body.weight_sq_norm === 'number') request.weight_sq_norm = body.weight_sq_norm;
  return service.report(study, request);
}

async function tell(service: LambdaService, { study, trial, req }: RouteCall): Promise<unknown> {
  const body = await readJsonObject(req);
  checkFields(body, { trial: { type: 'integer' }, val_loss: { type: 'number' }, state: { type: 'string' }, reason: { type: 'string' } }, 'tell');
  sameTrial(body, trial);
  const hasLoss = typeof body.val_loss === 'number';
  if (hasLoss === (typeof body.state === 'string')) throw badRequest('The tell body needs exactly one of val_loss (a finished trial) or state ("pruned" or "failed", with an optional reason).');
  if (hasLoss && body.reason != null) throw badRequest('The tell body gives a reason only with state "pruned" or "failed", not with val_loss.');
  const request = (hasLoss ? { trial, val_loss: body.val_loss } : { trial, state: body.state, ...(typeof body.reason === 'string' ? { reason: body.reason } : {}) }) as TellRequest;
  return service.tell(study, request);
}

/** A body may repeat the trial number (the CLI's JSON has it); it must then be the path's. */
function sameTrial(body: Record<string, unknown>, trial: number): void {
  if (body.trial != null && body.trial !== trial) throw badRequest(`The body names trial ${String(body.trial)} but the path names trial ${trial}; drop 'trial' from the body or make them agree.`);
}

/** The study name and trial number of a matched path. */
function routeCall(match: RegExpExecArray, req: http.IncomingMessage): RouteCall {
  let study = '';
  try {
    study = match[1] === undefined ? '' : decodeURIComponent(match[1]);
  } catch {
    throw badRequest(`The study name '${match[1]}' is not valid percent-encoding.`);
  }
  if (match[1] !== undefined && (study.trim() === '' || study.length > 200)) throw badRequest('A study name must be 1 to 200 characters, not blank.');
  const raw = match[2];
  if (raw !== undefined && !/^\d{1,9}$/.test(raw)) throw badRequest(`The trial in the path must be the trial number that ask returned (0, 1, …); got '${raw}'.`);
  return { study, trial: raw === undefined ? -1 : Number(raw), req };
}

/** The route for a path and method, or the 404/405 that says what is served there. */
function findRoute(pathname: string, method: string): { route: Route; match: RegExpExecArray } {
  const matching = ROUTES.map((route) => ({ route, match: route.pattern.exec(pathname) })).filter((r) => r.match !== null);
  if (matching.length === 0) {
    throw new ApiError(404, 'NOT_FOUND', `Nothing at ${pathname}. The API serves POST /api/v1/studies/NAME/ask, POST /api/v1/studies/NAME/trials/N/report, POST /api/v1/studies/NAME/trials/N/tell, GET /api/v1/studies/NAME/best and GET /api/v1/openapi.json.`);
  }
  const hit = matching.find((r) => r.route.method === method || (method === 'HEAD' && r.route.method === 'GET'));
  if (hit === undefined) {
    const allow = matching.map((r) => r.route.method).join(', ');
    throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${pathname} answers ${allow}, not ${method}.`, { Allow: allow });
  }
  return { route: hit.route, match: hit.match! };
}

/** HTTP statuses of the protocol's error codes (src/ask/errors.ts); bad values (INVALID_OPTION) are 400. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_OPTION: 400,
  INVALID_DATA: 400,
  STUDY_NOT_FOUND: 404,
  TRIAL_NOT_FOUND: 404,
  CONTEXT_MISMATCH: 409,
  EPOCH_BACKWARDS: 409,
  TRIAL_FINISHED: 409,
  LEASE_EXPIRED: 409,
  NOT_FITTED: 409,
};

/**
 * The answer for an error the service threw, with its own stable code: bad input 400, an unknown
 * study or trial 404, a conflict with what is stored (a trial already told, or handed to another
 * worker after its lease expired, a context that differs from the study's, an epoch going
 * backwards, best before any trial completed) 409. Anything that is not an L2labError is a bug: its stack goes to the server's log,
 * never to the client.
 */
function serviceError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (!(e instanceof L2labError)) {
    console.error(`l2lab serve: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return new ApiError(500, 'INTERNAL', 'Internal error in l2lab serve; its log has the details.');
  }
  return new ApiError(STATUS[e.code] ?? 500, e.code, e.message);
}

/**
 * The API's request handler, for {@link DashboardOptions.api}: routes `/api/v1/…`, refuses a write
 * without `Authorization: Bearer <token>` (401, before its body is read), and answers JSON.
 */
export function askApi(options: AskApiOptions): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  return async (req, res) => {
    const method = req.method ?? 'GET';
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://api.invalid');
      const { route, match } = findRoute(pathname, method);
      if (route.write && !bearerMatches(req.headers.authorization, options.token)) {
        throw new ApiError(401, 'UNAUTHORIZED', "This write needs the header 'Authorization: Bearer <token>' with the token 'l2lab serve' printed at start (or read from --token-file).", { 'WWW-Authenticate': 'Bearer realm="l2lab"' });
      }
      json(res, req, 200, await route.run(options.service, routeCall(match, req)));
    } catch (e) {
      const error = serviceError(e);
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      json(res, req, error.status, { error: { code: error.code, message: error.message } });
    }
  };
}
