/**
 * `l2lab serve` over the real LambdaService and a SQLite store: the protocol's misuses come back as
 * their HTTP statuses and codes and change nothing stored, the dashboard shows the external study,
 * and the command prints a token it made (once) but never one it read from --token-file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openStorage } from '../../src/study/index.js';
import { newToken, startServe } from '../../src/serve/index.js';
import type { Dashboard } from '../../src/dashboard/index.js';
import { l2labHere, ROOT } from '../cli/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-serve-'));
const storage = path.join(dir, 'studies.db');
const token = newToken();
const CONTEXT = { convention: 'pytorch', m: 1000, batch_size: 50, optimizer: 'sgd', lr: 0.1, epochs: 3, strategy: 'grid', lambdas: [0.0001, 0.01] };
let server: Dashboard;
let base: string;

before(async () => {
  server = await startServe({ storage, port: 0, token });
  base = server.url.replace(/\/$/, '');
});
after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, p: string, body?: unknown, at = base): Promise<{ status: number; json: any }> {
  const res = await fetch(`${at}${p}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, json: await res.json() };
}

const code = (r: { status: number; json: any }): [number, string] => [r.status, r.json.error?.code];

describe('l2lab serve: the ask/tell API over a SQLite store', () => {
  it('asks, reports, tells and reads best; the dashboard lists the study', async () => {
    const asked = await call('POST', '/api/v1/studies/wd/ask', { context: CONTEXT, client_id: 'w1' });
    assert.equal(asked.status, 200, JSON.stringify(asked.json));
    assert.equal(asked.json.trial, 0);
    assert.equal(asked.json.convention, 'pytorch');
    assert.equal(asked.json.lambda, asked.json.value * CONTEXT.m, 'pytorch weight_decay = λ/m');
    const again = await call('POST', '/api/v1/studies/wd/ask', { client_id: 'w1' });
    assert.deepEqual([again.json.trial, again.json.resumed], [0, true], 'the same client id gets its trial back');
    const reported = await call('POST', '/api/v1/studies/wd/trials/0/report', { epoch: 1, val_loss: 0.7, train_loss: 0.6, weight_sq_norm: 10 });
    assert.deepEqual(reported.json.prune, false);
    const told = await call('POST', '/api/v1/studies/wd/trials/0/tell', { val_loss: 0.65 });
    assert.deepEqual(told.json, { study: 'wd', trial: 0, state: 'COMPLETE', value: 0.65 });
    const best = await call('GET', '/api/v1/studies/wd/best');
    assert.equal(best.json.value, asked.json.value);
    const overview = await fetch(`${base}/api/studies`, { signal: AbortSignal.timeout(20_000) }).then((r) => r.json());
    assert.ok(overview.names.includes('wd'));
  });

  it('answers each misuse with its status and code, and stores nothing', async () => {
    assert.deepEqual(code(await call('POST', '/api/v1/studies/wd/trials/0/tell', { val_loss: 0.5 })), [409, 'TRIAL_FINISHED']);
    assert.deepEqual(code(await call('POST', '/api/v1/studies/wd/trials/0/report', { epoch: 2, val_loss: 0.5 })), [409, 'TRIAL_FINISHED']);
    assert.deepEqual(code(await call('POST', '/api/v1/studies/wd/trials/9/report', { epoch: 1, val_loss: 0.5 })), [404, 'TRIAL_NOT_FOUND']);
    assert.deepEqual(code(await call('GET', '/api/v1/studies/nope/best')), [404, 'STUDY_NOT_FOUND']);
    assert.deepEqual(code(await call('POST', '/api/v1/studies/nope/ask', {})), [404, 'STUDY_NOT_FOUND']);
    assert.deepEqual(code(await call('POST', '/api/v1/studies/wd/ask', { context: { ...CONTEXT, lr: 0.2 } })), [409, 'CONTEXT_MISMATCH']);
    assert.deepEqual(code(await call('POST', '/api/v1/studies/other/ask', { context: { ...CONTEXT, optimizer: 'rmsprop' } })), [400, 'INVALID_OPTION']);
    assert.equal((await call('POST', '/api/v1/studies/fresh/ask', { context: CONTEXT })).status, 200);
    assert.deepEqual(code(await call('GET', '/api/v1/studies/fresh/best')), [409, 'NOT_FITTED']);
    const second = await call('POST', '/api/v1/studies/wd/ask', {});
    assert.equal(second.json.trial, 1);
    assert.deepEqual(code(await call('POST', '/api/v1/studies/wd/trials/1/report', { epoch: 1, val_loss: -1 })), [400, 'INVALID_OPTION']);
    assert.equal((await call('POST', '/api/v1/studies/wd/trials/1/report', { epoch: 2, val_loss: 0.9 })).status, 200);
    assert.deepEqual(code(await call('POST', '/api/v1/studies/wd/trials/1/report', { epoch: 1, val_loss: 0.8 })), [409, 'EPOCH_BACKWARDS']);
    const s = await openStorage(storage);
    try {
      const study = (await s.getStudy('wd'))!;
      assert.equal((await s.getStudy('other')) ?? null, null, 'a refused first ask creates no study');
      const trial1 = (await s.listTrials(study.id)).find((t) => t.number === 1)!;
      assert.deepEqual(trial1.intermediate.map((v) => [v.step, v.value]), [[2, 0.9]], 'refused reports stored nothing');
    } finally {
      await s.close();
    }
  });

  it('refuses a late report after the lease lapsed (409 LEASE_EXPIRED): the worker must stop', async () => {
    // A server of its own: the heartbeat timeout is the service's, recorded on the studies it asks for.
    const short = await startServe({ storage: path.join(dir, 'lease.db'), port: 0, token, heartbeatTimeout: 0.5 });
    try {
      const at = short.url.replace(/\/$/, '');
      // One value: the only trial a second ask can get is the lapsed one's λ, handed out again.
      const asked = await call('POST', '/api/v1/studies/lease/ask', { context: { ...CONTEXT, lambdas: [0.001] } }, at);
      assert.equal(asked.status, 200);
      await new Promise((r) => setTimeout(r, 1200));
      // Another worker's ask finds the lapsed trial and hands its λ out again.
      const other = await call('POST', '/api/v1/studies/lease/ask', {}, at);
      assert.equal(other.json.value, asked.json.value);
      assert.notEqual(other.json.trial, asked.json.trial);
      const late = await call('POST', `/api/v1/studies/lease/trials/${asked.json.trial}/report`, { epoch: 1, val_loss: 0.5 }, at);
      assert.deepEqual(code(late), [409, 'LEASE_EXPIRED']);
      assert.match(late.json.error.message, /ask/i);
    } finally {
      await short.close();
    }
  });
});

describe('the l2lab serve command', () => {
  it('prints the token it made, once; refuses a bad --token-file before listening', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--storage', path.join(dir, 'cli.db'), '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (/token: \S+/.test(out)) resolve();
      });
      child.on('close', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
    });
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const made = /token: (\S+)/.exec(out)![1];
    assert.match(made, /^[\w-]{43}$/);
    assert.equal(out.split(made).length - 1, 1, 'printed once');
    const short = path.join(dir, 'short.txt');
    fs.writeFileSync(short, 'abc\n');
    const r = await l2labHere('serve', '--token-file', short, '--port', '0');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /token in --token-file .*short\.txt must be at least 16 printable characters/);
  });
});
