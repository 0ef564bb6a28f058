/** Writing one complete HTTP answer (status, type, length, no caching, no sniffing): the dashboard's pages and both JSON APIs. */
import type http from 'node:http';

/** Sends `body` (nothing for HEAD) with its length; `cache` is the Cache-Control value (default no-store). */
export function send(res: http.ServerResponse, req: http.IncomingMessage, status: number, type: string, body: string, cache = 'no-store'): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', cache);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Sends `value` as indented JSON. */
export function json(res: http.ServerResponse, req: http.IncomingMessage, status: number, value: unknown): void {
  send(res, req, status, 'application/json; charset=utf-8', `${JSON.stringify(value, null, 2)}\n`);
}
