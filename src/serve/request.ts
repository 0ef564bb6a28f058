/** The HTTP side of the ask/tell API: its error answer, and reading a request's JSON body within bounds. */
import type http from 'node:http';

/** Bodies larger than this are refused (413): the largest legitimate one, an ask with a λ list, is a few KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/** An answer `{error: {code, message}}` with an HTTP status; `code` is stable for clients to branch on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra headers (WWW-Authenticate for 401, Allow for 405, Connection: close for 413). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A bad request body or path: 400 with code INVALID_REQUEST. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'INVALID_REQUEST', message);
}

/**
 * The request's body as a JSON object. An empty body is `{}` (an ask that only continues a study).
 * Refuses, before reading more than the limit: a Content-Type other than application/json (415),
 * a body over {@link MAX_BODY_BYTES} (413), text that is not JSON or not an object (400).
 */
export async function readJsonObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if ((declared > 0 || req.headers['transfer-encoding'] !== undefined) && type !== 'application/json') {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `The body must be JSON sent with Content-Type: application/json (got '${req.headers['content-type'] ?? 'none'}').`);
  }
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw badRequest(`The body is not valid JSON: ${(e as Error).message}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('The body must be a JSON object, e.g. {"epoch": 1, "val_loss": 0.52}.');
  return value as Record<string, unknown>;
}

function tooLarge(): ApiError {
  // The rest of the body is not read: the connection closes after the answer.
  return new ApiError(413, 'BODY_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes; an ask/report/tell body is a small JSON object.`, { Connection: 'close' });
}

type FieldType = 'number' | 'string' | 'object' | 'integer';

/**
 * Checks a body's fields against the wire format (names and JSON types; ranges are the service's to
 * check, for every door alike): a misspelt or unknown field is an error naming the ones allowed,
 * rather than a value silently left at its default.
 */
export function checkFields(body: Record<string, unknown>, fields: Record<string, { type: FieldType; required?: boolean }>, what: string): void {
  for (const name of Object.keys(body)) {
    if (!(name in fields)) throw badRequest(`Unknown field '${name}' in the ${what} body; it takes ${Object.keys(fields).join(', ')}.`);
  }
  for (const [name, spec] of Object.entries(fields)) {
    const v = body[name];
    if (v === undefined || v === null) {
      if (spec.required) throw badRequest(`The ${what} body needs '${name}' (${spec.type}).`);
      continue;
    }
    const ok = spec.type === 'integer' ? Number.isSafeInteger(v) : spec.type === 'object' ? typeof v === 'object' && !Array.isArray(v) : typeof v === spec.type;
    if (!ok) throw badRequest(`The field '${name}' of the ${what} body must be ${spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}; got ${JSON.stringify(v)}.`);
  }
}
