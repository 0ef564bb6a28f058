/**
 * The HTTP door as an adapter, over a recording stand-in for LambdaService: routing, the bearer
 * token, body limits and types, and how the service's errors become {error: {code, message}} with
 * their statuses. The real service behind it is test/serve/doors.test.ts's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { ProtocolError } from '../../src/ask/errors.js';
import type { AskedTrial, BestAnswer, LambdaService, ReportAnswer, TellAnswer } from '../../src/ask/protocol.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { InvalidOptionError } from '../../src/errors.js';
import { askApi } from '../../src/serve/ask-api.js';
import { MAX_BODY_BYTES } from '../../src/serve/request.js';
import { bearerMatches, checkToken, readTokenFile } from '../../src/serve/token.js';
import { ROOT } from '../cli/helpers.js';
import { missingPython, PYTHON } from '../support/python.js';

const TOKEN = 'test-token-0123456789abcdef';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-ask-api-'));

/** Answers fixed values, records each call, and throws the protocol's errors for the names below. */
class StandIn implements LambdaService {
  readonly calls: unknown[][] = [];
  async ask(study: string, request: object): Promise<AskedTrial> {
    this.calls.push(['ask', study, request]);
    if (study === 'missing') throw new ProtocolError('STUDY_NOT_FOUND', `No study 'missing'.`);
    return { study, trial: 0, lambda: 4, convention: 'pytorch', value: 0.001, tau_epochs: 2, prune_from_epoch: 2, epochs: 4 };
  }
  async report(study: string, request: object): Promise<ReportAnswer> {
    this.calls.push(['report', study, request]);
    return { prune: false, reason: null };
  }
  async tell(study: string, request: { trial: number }): Promise<TellAnswer> {
    this.calls.push(['tell', study, request]);
    if (request.trial === 7) throw new ProtocolError('TRIAL_FINISHED', 'Trial 7 was already told (COMPLETE).');
    if (request.trial === 8) throw new ProtocolError('TRIAL_NOT_FOUND', 'No trial 8.');
    if (request.trial === 9) throw new Error('a bug deep inside');
    return { study, trial: request.trial, state: 'COMPLETE', value: 0.5 };
  }
  async best(study: string): Promise<BestAnswer> {
    if (study === 'bad') throw new InvalidOptionError('bad study');
    return { study, best_lambda: 4, lambda_1se: null, value: 0.001, value_1se: null, convention: 'pytorch', val_loss: 0.5, lambda_interval: { low: 4, high: 4, basis: 'λ_min alone' }, value_interval: { low: 0.001, high: 0.001 }, noise: null, trials: { complete: 1, pruned: 0, failed: 0, running: 0 } };
  }
}

const service = new StandIn();
let dash: Dashboard;
let base: string;

before(async () => {
  dash = await startDashboard({ storage: path.join(dir, 'none.db'), port: 0, api: askApi({ service, token: TOKEN }) });
  base = dash.url.replace(/\/$/, '');
});
after(async () => {
  await dash.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(10_000) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${p}`, init);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { status: res.status, headers: res.headers, json: await res.json() };
}
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('the ask/tell HTTP API (adapter)', () => {
  it('serves the four calls, passing the body fields through as the protocol names them', async () => {
    const asked = await call('POST', '/api/v1/studies/my%20study/ask', { client_id: 'w1', context: { convention: 'pytorch' } }, auth);
    assert.equal(asked.status, 200);
    assert.equal(asked.json.value, 0.001);
    assert.deepEqual(service.calls.at(-1), ['ask', 'my study', { client_id: 'w1', context: { convention: 'pytorch' } }]);
    const reported = await call('POST', '/api/v1/studies/s/trials/3/report', { epoch: 2, val_loss: 0.4, weight_sq_norm: 12 }, auth);
    assert.deepEqual(reported.json, { prune: false, reason: null });
    assert.deepEqual(service.calls.at(-1), ['report', 's', { trial: 3, epoch: 2, val_loss: 0.4, weight_sq_norm: 12 }]);
    const told = await call('POST', '/api/v1/studies/s/trials/3/tell', { state: 'pruned', reason: 'median rule' }, auth);
    assert.equal(told.json.state, 'COMPLETE');
    assert.deepEqual(service.calls.at(-1), ['tell', 's', { trial: 3, state: 'pruned', reason: 'median rule' }]);
    const best = await call('GET', '/api/v1/studies/s/best');
    assert.equal(best.status, 200, 'reads need no token');
    assert.equal(best.json.best_lambda, 4);
  });

  it('an ask with an empty body continues a study (no Content-Type needed)', async () => {
    const r = await call('POST', '/api/v1/studies/s/ask', undefined, auth);
    assert.equal(r.status, 200);
    assert.deepEqual(service.calls.at(-1), ['ask', 's', { context: undefined, client_id: undefined }]);
  });

  it('refuses a write without the token, or with a wrong one: 401 with WWW-Authenticate, nothing called', async () => {
    const before = service.calls.length;
    for (const headers of [{} as Record<string, string>, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: TOKEN }, { Authorization: 'Bearer ' }]) {
      const r = await call('POST', '/api/v1/studies/s/trials/1/report', { epoch: 1, val_loss: 1 }, headers);
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'UNAUTHORIZED');
      assert.match(r.json.error.message, /Authorization: Bearer/);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    assert.equal(service.calls.length, before);
  });

  it('bad bodies are 400 naming the field; wrong Content-Type 415; too large 413', async () => {
    const cases: [unknown, RegExp][] = [
      ['{"epoch": 1,', /not valid JSON/],
      ['[1, 2]', /must be a JSON object/],
      [{ epoch: 1 }, /needs 'val_loss'/],
      [{ epoch: '1', val_loss: 0.3 }, /'epoch' .* must be an integer/],
      [{ epoch: 1, valloss: 0.3 }, /Unknown field 'valloss'.*val_loss/],
      [{ trial: 4, epoch: 1, val_loss: 0.3 }, /names trial 4 but the path names trial 3/],
    ];
    for (const [body, message] of cases) {
      const r = await call('POST', '/api/v1/studies/s/trials/3/report', body, auth);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.code, 'INVALID_REQUEST');
      assert.match(r.json.error.message, message);
    }
    const tell = await call('POST', '/api/v1/studies/s/trials/3/tell', { val_loss: 0.3, state: 'failed' }, auth);
    assert.match(tell.json.error.message, /exactly one of val_loss .* or state/);
    const text = await call('POST', '/api/v1/studies/s/trials/3/report', 'epoch=1', { ...auth, 'Content-Type': 'text/plain' });
    assert.equal(text.status, 415);
    assert.equal(text.json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const big = await call('POST', '/api/v1/studies/s/ask', { client_id: 'x'.repeat(MAX_BODY_BYTES) }, auth);
    assert.equal(big.status, 413);
    assert.equal(big.json.error.code, 'BODY_TOO_LARGE');
    const badTrial = await call('POST', '/api/v1/studies/s/trials/one/tell', { val_loss: 1 }, auth);
    assert.equal(badTrial.status, 400);
    assert.match(badTrial.json.error.message, /trial number that ask returned/);
  });

  it("maps the service's errors to 404 / 409 / 400 with its code, and a bug to 500 without its stack", async () => {
    const missing = await call('POST', '/api/v1/studies/missing/ask', {}, auth);
    assert.deepEqual([missing.status, missing.json.error.code], [404, 'STUDY_NOT_FOUND']);
    const noTrial = await call('POST', '/api/v1/studies/s/trials/8/tell', { val_loss: 1 }, auth);
    assert.deepEqual([noTrial.status, noTrial.json.error.code], [404, 'TRIAL_NOT_FOUND']);
    const twice = await call('POST', '/api/v1/studies/s/trials/7/tell', { val_loss: 1 }, auth);
    assert.deepEqual([twice.status, twice.json.error.code], [409, 'TRIAL_FINISHED']);
    assert.match(twice.json.error.message, /already told/);
    const bad = await call('GET', '/api/v1/studies/bad/best');
    assert.deepEqual([bad.status, bad.json.error.code], [400, 'INVALID_OPTION']);
    const saved = console.error;
    const logged: string[] = [];
    console.error = (...parts: unknown[]) => void logged.push(parts.join(' '));
    try {
      const bug = await call('POST', '/api/v1/studies/s/trials/9/tell', { val_loss: 1 }, auth);
      assert.deepEqual([bug.status, bug.json.error.code], [500, 'INTERNAL']);
      assert.doesNotMatch(JSON.stringify(bug.json), /deep inside|at .*\.ts:\d+/);
    } finally {
      console.error = saved;
    }
    assert.match(logged.join('\n'), /a bug deep inside/);
  });

  it('unknown paths are 404 listing the API; a wrong method 405 with Allow', async () => {
    const nothing = await call('GET', '/api/v1/studies/s/trials');
    assert.equal(nothing.status, 404);
    assert.match(nothing.json.error.message, /POST \/api\/v1\/studies\/NAME\/ask/);
    const wrong = await call('GET', '/api/v1/studies/s/ask');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
  });

  it('serves an OpenAPI 3 description listing the four paths, open to read', async () => {
    const r = await call('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.json.openapi, /^3\./);
    assert.deepEqual(Object.keys(r.json.paths).sort(), ['/api/v1/studies/{name}/ask', '/api/v1/studies/{name}/best', '/api/v1/studies/{name}/trials/{n}/report', '/api/v1/studies/{name}/trials/{n}/tell']);
    assert.deepEqual(r.json.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
    // Every $ref resolves.
    const refs = JSON.stringify(r.json).match(/"\$ref":"#\/components\/[^"]+"/g) ?? [];
    for (const ref of refs) {
      const [, kind, name] = /#\/components\/(\w+)\/(\w+)/.exec(ref)!;
      assert.ok(r.json.components[kind][name], ref);
    }
  });

  it('the Host check guards the API as it does the pages', async () => {
    // fetch may not set Host; node:http may.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request(`${base}/api/v1/studies/s/trials/1/tell`, { method: 'POST', headers: { host: 'evil.example:80', ...auth }, timeout: 10_000 }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });
});

describe('the Python client (clients/python/l2lab_client.py) against the adapter', { skip: missingPython(['json']) }, () => {
  it("returns the server's JSON and raises L2labError with the server's status, code and message", async () => {
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'clients/python'))})`,
      'from l2lab_client import Client, L2labError',
      'url, token = sys.argv[1], sys.argv[2]',
      'out = {}',
      'c = Client(url, token)',
      'out["ask"] = c.ask("py study", context={"convention": "pytorch"}, client_id="w")',
      'out["report"] = c.report("py study", 3, 1, 0.5, weight_sq_norm=2.0)',
      'out["best"] = Client(url).best("py study")',
      'def error(call):',
      '    try:',
      '        call()',
      '    except L2labError as e:',
      '        return [e.status, e.code, e.message]',
      'out["unauthorized"] = error(lambda: Client(url, "wrong-token-0123456789").tell("s", 1, val_loss=1.0))',
      'out["finished"] = error(lambda: c.tell("s", 7, val_loss=1.0))',
      'out["nan"] = error(lambda: c.report("s", 1, 1, float("nan")))',
      'out["both"] = error(lambda: c.tell("s", 1, val_loss=1.0, state="failed"))',
      'out["unreachable"] = error(lambda: Client("http://127.0.0.1:9").best("s"))',
      'print(json.dumps(out))',
    ].join('\n');
    // Asynchronously: the server answering it runs in this process.
    const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, base, TOKEN], { encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(stdout);
    assert.equal(out.ask.value, 0.001);
    assert.deepEqual(service.calls.find((c) => c[1] === 'py study'), ['ask', 'py study', { context: { convention: 'pytorch' }, client_id: 'w' }]);
    assert.deepEqual(out.report, { prune: false, reason: null });
    assert.equal(out.best.best_lambda, 4);
    assert.deepEqual(out.unauthorized.slice(0, 2), [401, 'UNAUTHORIZED']);
    assert.deepEqual(out.finished, [409, 'TRIAL_FINISHED', 'Trial 7 was already told (COMPLETE).']);
    assert.deepEqual(out.nan.slice(0, 2), [0, 'INVALID_OPTION']);
    assert.match(out.nan[2], /val_loss must be a finite number/);
    assert.match(out.both[2], /exactly one of val_loss/);
    assert.deepEqual(out.unreachable.slice(0, 2), [0, 'UNREACHABLE']);
  });
});

describe('the bearer token', () => {
  it('matches only "Bearer <token>", case-insensitively in the scheme', () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN}`, TOKEN), true);
    assert.equal(bearerMatches(`bearer ${TOKEN}`, TOKEN), true);
    assert.equal(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN), false);
    assert.equal(bearerMatches(undefined, TOKEN), false);
    assert.equal(bearerMatches(`Basic ${TOKEN}`, TOKEN), false);
  });

  it('reads a token file (trimmed) and refuses a short, spaced or missing one, naming the fix', () => {
    const file = path.join(dir, 'token.txt');
    fs.writeFileSync(file, `${TOKEN}\n`);
    assert.equal(readTokenFile(file), TOKEN);
    fs.writeFileSync(file, 'short\n');
    assert.throws(() => readTokenFile(file), /at least 16 printable characters.*randomBytes/);
    assert.throws(() => checkToken('with a space in it, long enough', 'given'), /without spaces/);
    assert.throws(() => readTokenFile(path.join(dir, 'absent.txt')), /--token-file .*absent\.txt cannot be read \(ENOENT\)/);
  });
});
