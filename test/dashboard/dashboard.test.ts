/** The web dashboard end to end: real tune() studies and hand-made ones in a temp SQLite store, served on 127.0.0.1:0 and read over HTTP. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { atlasStudyName, loadAtlasSpec, runAtlas } from '../../src/atlas/index.js';
import { exposureWarning, startDashboard, type Dashboard, type StudyDetail, type StudyRow } from '../../src/dashboard/index.js';
import { InvalidOptionError } from '../../src/errors.js';
import { openStorage, StorageError, type StudyStorage } from '../../src/study/index.js';
import { tune, type TuneOptions, type TuneResult } from '../../src/tune/tune.js';
import { findPgBin, PG_MISSING, startCluster } from '../study/pg-cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-dashboard-'));
const store = path.join(dir, 'studies.db');
const EVIL = '<script>alert("x")</script> & co';
const CONFIG = { strategy: { kind: 'grid' }, data: 'wine', model: 'mlp:8', convention: 'seed' };

/** Every request is bounded: a hung server fails the test instead of the suite. */
async function get(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

async function getJson<T>(url: string): Promise<{ status: number; data: T }> {
  const r = await get(url);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  return { status: r.status, data: JSON.parse(r.body) as T };
}

/** Every script of a page is one the dashboard serves itself (no inline code), and the CSP allows nothing else. */
function assertOwnScriptsOnly(body: string, headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self';/);
  assert.ok(!/unsafe-(inline|eval)[^;]*;?/.test(csp.replace(/style-src 'unsafe-inline'/, '')), csp);
  const tags = body.match(/<script[^>]*>/g) ?? [];
  assert.ok(tags.length > 0);
  for (const tag of tags) assert.match(tag, /^<script src="\/static\/[a-z.-]+\.js">$/);
  assert.equal((body.match(/<script src="[^"]*"><\/script>/g) ?? []).length, tags.length, 'no inline script bodies');
}

const wine: TuneOptions = { strategy: 'grid', data: 'wine', model: 'mlp:8', epochs: 4, lr: 0.05, optimizer: 'momentum', momentum: 0.9, batchSize: 16, storage: store, threads: 1 };
let grid: TuneResult;
let evidence: TuneResult;
let dash: Dashboard;

before(async () => {
  grid = await tune({ ...wine, lambdas: [0.01, 1, 100], folds: 3, study: 'wine-grid', extend: false });
  evidence = await tune({ ...wine, strategy: 'evidence', study: 'wine-evidence' });
  const s = await openStorage(store);
  try {
    // A study caught mid-run: one COMPLETE, one FAIL with an HTML-looking reason, one RUNNING with intermediate values, one WAITING.
    const { value: live } = await s.createStudy(EVIL, CONFIG);
    const trials = [];
    for (const lambda of [0.1, 1, 10, 100]) trials.push((await s.createTrial(live.id, { lambda, dropout: 0 })).value);
    for (const t of trials.slice(0, 3)) {
      await s.claimTrial(live.id, { trialId: t.id });
      for (let step = 0; step < 3; step++) await s.reportIntermediate(t.id, step, 1 / (step + 1) + t.params.lambda / 100);
    }
    // The running trial's two folds at epochs 0..2.
    const runningId: number = trials[2].id;
    await s.reportEpochs([0, 1, 2].flatMap((epoch) => [0, 1].map((member) => ({ trialId: runningId, member, epoch, trainLoss: 1 - epoch / 10, valLoss: 1.1 - epoch / 10, valAccuracy: 0.5, penalty: 0.01, sumSquares: 4 }))));
    await s.finishTrial(trials[0].id, 'COMPLETE', { value: 0.25, result: { se: 0.01, train_mean: 0.2 } });
    await s.finishTrial(trials[1].id, 'FAIL', { reason: 'diverged: <b>NaN</b> at epoch 2 & step 7' });
    // Successive halving: rung 0 with four λ, rung 1 with the best two.
    const { value: sh } = await s.createStudy('sh-study', { ...CONFIG, strategy: { kind: 'sh', eta: 2 } });
    const rungs: [number, number, number][] = [[0.01, 0, 0.6], [0.1, 0, 0.5], [1, 0, 0.55], [10, 0, 0.9], [0.1, 1, 0.3], [1, 1, 0.2]];
    for (const [lambda, rung, value] of rungs) {
      const { value: t } = await s.createTrial(sh.id, { lambda, dropout: 0, rung });
      await s.claimTrial(sh.id, { trialId: t.id });
      await s.finishTrial(t.id, 'COMPLETE', { value, result: { se: null, train_mean: value / 2 } });
    }
  } finally {
    await s.close();
  }
  dash = await startDashboard({ storage: store, port: 0, host: '127.0.0.1', refreshSeconds: 2 });
});

after(async () => {
  await dash?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('l2lab dashboard', () => {
  it('listens on 127.0.0.1 at a free port and names the store', () => {
    assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(dash.url, 'http://127.0.0.1:0/');
    assert.equal(dash.location, `SQLite file ${store}`);
  });

  it('/ lists every study with status, counts and λ_min, escapes names, and polls for changes', async () => {
    const r = await get(dash.url);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    for (const name of ['wine-grid', 'wine-evidence', 'sh-study']) assert.ok(r.body.includes(`href="/study/${name}"`), name);
    assert.ok(!r.body.includes('<script>alert'), 'no raw script from a study name');
    assert.ok(r.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'));
    assert.ok(r.body.includes(`href="/study/${encodeURIComponent(EVIL).replace(/'/g, '&#39;')}"`));
    assert.match(r.body, /<body data-live="\/api\/studies" data-interval="2">/);
    assert.match(r.body, /class="badge s-running"/);
    assertOwnScriptsOnly(r.body, r.headers);
    const paused = await get(`${dash.url}?refresh=0`);
    assert.ok(!paused.body.includes('data-live='));
  });

  it('/api/studies gives the same rows as JSON', async () => {
    const { status, data } = await getJson<{ storage: string; studies: StudyRow[] }>(`${dash.url}api/studies`);
    assert.equal(status, 200);
    assert.deepEqual(data.studies.map((s) => s.name), ['wine-grid', 'wine-evidence', EVIL, 'sh-study']);
    const [g, ev, live, sh] = data.studies;
    assert.equal(g.strategy, 'grid');
    assert.equal(g.status, 'finished');
    assert.deepEqual(g.trial_counts, { WAITING: 0, RUNNING: 0, COMPLETE: 3, PRUNED: 0, FAIL: 0 });
    assert.equal(g.lambda_min, grid.best_lambda);
    assert.equal(g.lambda_1se, grid.lambda_1se);
    assert.equal(ev.lambda_min, evidence.evidence!.lambda_seed);
    assert.equal(live.status, 'running');
    assert.deepEqual(live.trial_counts, { WAITING: 1, RUNNING: 1, COMPLETE: 1, PRUNED: 0, FAIL: 1 });
    assert.equal(live.best_value, 0.25);
    assert.equal(live.url, `/study/${encodeURIComponent(EVIL)}`);
    // Successive halving chooses on its highest rung: λ = 1 at rung 1, although λ = 0.1 is better at rung 0.
    assert.equal(sh.lambda_min, 1);
  });

  it('/study/NAME shows the validation curve, the trials with λ_min and λ_1se, the refit and the config', async () => {
    const r = await get(`${dash.url}study/wine-grid`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<h1>wine-grid<\/h1>/);
    assert.ok((r.body.match(/<svg/g) ?? []).length >= 2, 'validation curve and learning curves');
    assert.ok(r.body.includes('Validation loss vs λ'));
    assert.ok(r.body.includes('Validation loss per epoch'), 'learning curves from the folds');
    for (const lambda of ['0.01', '>1<', '100']) assert.ok(r.body.includes(lambda), lambda);
    assert.ok(r.body.includes('<span class="tag">λ_min</span>'));
    assert.ok(r.body.includes('refit:'), 'the refit attribute');
    assert.ok(r.body.includes(`${(100 * grid.refit.test_accuracy!).toFixed(2)}%`));
    assert.ok(r.body.includes('<i>kind:</i> grid'), 'the config');
    assert.ok(r.body.includes('data-live="/api/study/wine-grid"'), 'the page polls its API');
    assert.ok(r.body.includes('<script src="/static/vega-embed.min.js">'));
    assertOwnScriptsOnly(r.body, r.headers);
  });

  it('/api/study/NAME has the trials, the choice and the refit', async () => {
    const { status, data } = await getJson<{ study: StudyDetail }>(`${dash.url}api/study/wine-grid`);
    assert.equal(status, 200);
    const d = data.study;
    assert.equal(d.name, 'wine-grid');
    assert.deepEqual(d.trials.map((t) => t.lambda), [0.01, 1, 100]);
    assert.ok(d.trials.every((t) => t.state === 'COMPLETE' && t.val_mean !== null && t.val_se !== null && t.val_se > 0));
    assert.deepEqual(d.trials.map((t) => t.val_mean), grid.trials.map((t) => t.cv_mean));
    assert.equal(d.selection?.lambda_min, grid.best_lambda);
    assert.equal(d.selection?.lambda_1se, grid.lambda_1se);
    assert.equal(d.trials[0].learning_curve?.length, 5, 'epochs 0..4');
    assert.equal(d.refits.length, 1);
    assert.equal(d.refits[0].test_accuracy, grid.refit.test_accuracy);
    assert.deepEqual((d.config as { strategy: { lambdas: number[] } }).strategy.lambdas, [0.01, 1, 100]);
  });

  it('a running study escapes its name and reasons, shows intermediate values and epoch progress, and is live', async () => {
    const r = await get(`${dash.url}study/${encodeURIComponent(EVIL)}`);
    assert.equal(r.status, 200);
    assert.ok(!r.body.includes('<script>alert') && !r.body.includes('<b>NaN'));
    assert.ok(r.body.includes('<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</h1>'));
    assert.ok(r.body.includes('<title>&lt;script&gt;'));
    assert.ok(r.body.includes('diverged: &lt;b&gt;NaN&lt;/b&gt; at epoch 2 &amp; step 7'));
    assert.ok(r.body.includes('Reported values per step'), 'intermediate values chart');
    assert.ok(r.body.includes('step 2: '), 'last reported step of the running trial');
    assert.ok(r.body.includes(`data-live="/api/study/${encodeURIComponent(EVIL).replace(/'/g, '&#39;')}"`));
    const { data } = await getJson<{ study: StudyDetail }>(`${dash.url}api/study/${encodeURIComponent(EVIL)}`);
    assert.equal(data.study.status, 'running');
    const running = data.study.trials.find((t) => t.state === 'RUNNING')!;
    assert.equal(running.stale, false, 'owned by this live process');
    assert.deepEqual(running.intermediate.map((v) => v.step), [0, 1, 2]);
    assert.equal(data.study.trials.find((t) => t.state === 'FAIL')!.reason, 'diverged: <b>NaN</b> at epoch 2 & step 7');
  });

  it('the JSON API sends only what changed since a version, with epoch records after a seq and row HTML for live pages', async () => {
    const first = await getJson<{ version: number; studies: (StudyRow & { html?: string })[] }>(`${dash.url}api/studies?since=0&fragments=1`);
    assert.equal(first.data.studies.length, 4);
    assert.ok(first.data.studies.every((s) => s.html?.startsWith(`<tr id="study-${s.id}"`)));
    const again = await getJson<{ version: number; studies: StudyRow[]; names: string[] }>(`${dash.url}api/studies?since=${first.data.version}`);
    assert.deepEqual(again.data.studies, [], 'nothing changed');
    assert.equal(again.data.names.length, 4);
    type Live = { version: number; study: StudyDetail; epochs: { trialId: number; member: number; epoch: number; trainLoss: number }[]; epochs_cursor: number; fragments?: { tiles: string; trials: Record<string, string> } };
    const url = `${dash.url}api/study/${encodeURIComponent(EVIL)}`;
    const all = (await getJson<Live>(`${url}?fragments=1`)).data;
    assert.equal(all.study.trials.length, 4);
    assert.equal(all.epochs.length, 6, 'two folds × epochs 0..2');
    assert.ok(all.fragments!.tiles.includes('class="tile"'));
    const running = all.study.trials.find((t) => t.state === 'RUNNING')!;
    assert.equal(running.progress?.epoch, 2);
    assert.ok(all.fragments!.trials[running.id].includes('epoch 2'), 'progress in the row');
    const s = await openStorage(store);
    try {
      await s.reportEpochs([{ trialId: running.id, member: 0, epoch: 3, trainLoss: 0.5, valLoss: 0.6, valAccuracy: 0.7, penalty: 0.01, sumSquares: 4 }]);
    } finally {
      await s.close();
    }
    const next = (await getJson<Live>(`${url}?since=${all.version}&epochs_after=${all.epochs_cursor}`)).data;
    assert.deepEqual(next.epochs.map((e) => [e.trialId, e.member, e.epoch, e.trainLoss]), [[running.id, 0, 3, 0.5]]);
    assert.deepEqual(next.study.trials.map((t) => t.id), [running.id], 'only the trial whose progress moved');
    assert.ok(next.epochs_cursor > all.epochs_cursor);
  });

  it('serves its own scripts: the page script and the vega bundles from node_modules', async () => {
    for (const file of ['dashboard.js', 'vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js']) {
      const r = await get(`${dash.url}static/${file}`);
      assert.equal(r.status, 200, file);
      assert.match(r.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.ok(r.body.length > 1000, file);
      assert.ok(!/sourceMappingURL=\S+\s*$/.test(r.body), 'no source map to 404 on');
    }
    assert.equal((await get(`${dash.url}static/../package.json`)).status, 404);
    assert.equal((await get(`${dash.url}static/vega.js`)).status, 404);
  });

  it('/compare puts two studies on one chart, and names what is missing', async () => {
    const r = await get(`${dash.url}compare?study=wine-grid&study=sh-study`);
    assert.equal(r.status, 200);
    assert.ok(r.body.includes('Comparing 2 studies') && r.body.includes('id="validation-chart"'));
    assertOwnScriptsOnly(r.body, r.headers);
    const { data } = await getJson<{ studies: { name: string; trials: unknown[] }[] }>(`${dash.url}api/compare?study=wine-grid&study=sh-study`);
    assert.deepEqual(data.studies.map((s) => [s.name, s.trials.length]), [['wine-grid', 3], ['sh-study', 6]]);
    const missing = await get(`${dash.url}compare?study=wine-grid&study=${encodeURIComponent('<nope>')}`);
    assert.equal(missing.status, 404);
    assert.ok(missing.body.includes('No study &#39;&lt;nope&gt;&#39;'));
    assert.equal((await get(`${dash.url}compare?study=wine-grid`)).status, 404);
  });

  it('/atlas/NAME shows a stored atlas with the report\'s views; its study page links there', { timeout: 180_000 }, async () => {
    const spec = loadAtlasSpec(path.join(ROOT, 'atlas', 'smoke.json'));
    const atlasStore = path.join(dir, 'atlas.db');
    await runAtlas(spec, { storage: atlasStore, threads: 1 });
    const d = await startDashboard({ storage: atlasStore, port: 0 });
    try {
      const name = atlasStudyName(spec);
      const r = await get(`${d.url}atlas/${encodeURIComponent(name)}`);
      assert.equal(r.status, 200, r.body);
      for (const id of ['summary', 'best-lambda', 'comparison', 'curves']) assert.match(r.body, new RegExp(`<section id="${id}">`), id);
      assert.ok(!r.body.includes('<section id="files">'), 'no links to report files the dashboard does not serve');
      assert.ok(r.body.includes('<h1>atlas:smoke</h1>'));
      const study = await get(`${d.url}study/${encodeURIComponent(name)}`);
      assert.ok(study.body.includes(`href="/atlas/${encodeURIComponent(name)}"`));
      const cell = (await getJson<{ studies: StudyRow[] }>(`${d.url}api/studies`)).data.studies.find((s) => s.name !== name)!;
      assert.equal((await get(`${d.url}atlas/${encodeURIComponent(cell.name)}`)).status, 404, 'a study that is not an atlas');
    } finally {
      await d.close();
    }
  });

  it('successive halving: one curve per rung, λ chosen on the top rung', async () => {
    const r = await get(`${dash.url}study/sh-study`);
    assert.ok(r.body.includes('one curve per rung'));
    assert.ok(r.body.includes('rung 0') && r.body.includes('rung 1'));
    const { data } = await getJson<{ study: StudyDetail }>(`${dash.url}api/study/sh-study`);
    assert.deepEqual(data.study.selection, { rule: 'one-se', lambda_min: 1, lambda_1se: 1, best_value: 0.2, best_trial: 5, rung: 1, dropout: 0, candidates: 2, interval: { low: 1, high: 1, basis: 'λ_min alone: too few positive λ with a finite loss to read a spread from' } });
    assert.deepEqual(data.study.trials.map((t) => t.rung), [0, 0, 0, 0, 1, 1]);
  });

  it('an evidence study shows the log-evidence curve and γ', async () => {
    const r = await get(`${dash.url}study/wine-evidence`);
    assert.ok(r.body.includes('Log evidence vs λ'));
    assert.ok(r.body.includes(evidence.evidence!.gamma.toFixed(2)));
    const { data } = await getJson<{ study: StudyDetail }>(`${dash.url}api/study/wine-evidence`);
    const e = data.study.evidence!;
    assert.equal(e.lambda_seed, evidence.evidence!.lambda_seed);
    assert.equal(e.gamma, evidence.evidence!.gamma);
    assert.equal(e.curve.length, evidence.evidence!.curve.length);
    assert.equal(data.study.selection?.rule, 'evidence');
    assert.equal(data.study.refits[0].test_accuracy, evidence.refit.test_accuracy);
  });

  it('an unknown study is a 404 that lists the studies, in HTML and JSON', async () => {
    const r = await get(`${dash.url}study/no-such-study`);
    assert.equal(r.status, 404);
    assert.ok(r.body.includes("No study &#39;no-such-study&#39;"));
    assert.ok(r.body.includes('href="/study/wine-grid"'));
    const j = await getJson<{ error: string; studies: string[] }>(`${dash.url}api/study/no-such-study`);
    assert.equal(j.status, 404);
    assert.deepEqual(j.data.studies, ['wine-grid', 'wine-evidence', EVIL, 'sh-study']);
    assert.equal((await get(`${dash.url}elsewhere`)).status, 404);
    assert.equal((await get(`${dash.url}study/%E0%A4%A`)).status, 404, 'malformed percent-encoding');
  });

  it('only reads: POST is 405 with Allow, HEAD has headers and no body', async () => {
    const post = await get(dash.url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const del = await get(`${dash.url}api/study/wine-grid`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.match(del.body, /"error": "The dashboard is read-only/);
    const head = await get(dash.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.ok(Number(head.headers.get('content-length')) > 1000);
  });

  it('refuses a foreign Host header (DNS rebinding) while bound to loopback', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.get(dash.url, { headers: { host: 'evil.example:80' }, timeout: 10_000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
    });
    assert.equal(status, 403);
  });

  it('a storage error is a 500 with its message, and a storage passed in is left open', async () => {
    let closed = false;
    const broken = {
      location: 'a broken test storage',
      listStudies: async () => {
        throw new StorageError('disk on fire <now>');
      },
      getStudy: async () => {
        throw new StorageError('disk on fire <now>');
      },
      close: async () => {
        closed = true;
      },
    } as unknown as StudyStorage;
    const d = await startDashboard({ storage: broken, port: 0 });
    try {
      const page = await get(d.url);
      assert.equal(page.status, 500);
      assert.ok(page.body.includes('disk on fire &lt;now&gt;'));
      const api = await getJson<{ error: string }>(`${d.url}api/study/x`);
      assert.equal(api.status, 500);
      assert.equal(api.data.error, 'disk on fire <now>');
    } finally {
      await d.close();
      await d.close();
    }
    assert.equal(closed, false);
  });

  it('waits for a store that does not exist yet without creating it', async () => {
    const later = path.join(dir, 'later.db');
    const d = await startDashboard({ storage: later, port: 0 });
    try {
      const r = await get(d.url);
      assert.equal(r.status, 200);
      assert.ok(r.body.includes('Waiting for the study store'));
      assert.match(r.body, /data-live="\/api\/studies"/, 'the page polls until studies appear');
      assert.equal(fs.existsSync(later), false);
      assert.equal((await get(`${d.url}study/x`)).status, 404);
      const s = await openStorage(later);
      await s.createStudy('arrived', CONFIG);
      await s.close();
      const { data } = await getJson<{ studies: StudyRow[] }>(`${d.url}api/studies`);
      assert.deepEqual(data.studies.map((x) => x.name), ['arrived']);
      assert.equal(data.studies[0].status, 'empty');
    } finally {
      await d.close();
    }
  });

  it('rejects bad options and a port in use with the fix', async () => {
    await assert.rejects(startDashboard({ storage: store, port: -1 }), (e: Error) => e instanceof InvalidOptionError && /'port' option of startDashboard must be an integer in \[0, 65535\]/.test(e.message));
    await assert.rejects(startDashboard({ storage: store, refreshSeconds: 0.5 }), InvalidOptionError);
    const port = Number(new URL(dash.url).port);
    await assert.rejects(startDashboard({ storage: store, port }), /already in use; pass another --port, or --port 0/);
  });

  it('`l2lab dashboard` prints its URL, serves, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'dashboard', '--storage', store, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code} before printing a URL: ${out}`)));
      });
      assert.match(out, new RegExp(`SQLite file ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.equal((await get(url)).status, 200);
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      assert.equal(code, 0);
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('l2lab dashboard --host', () => {
  it('warns that a non-loopback --host exposes the studies, and serves there', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'dashboard', '--storage', store, '--port', '0', '--host', '0.0.0.0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /(http:\/\/localhost:\d+\/)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code} before printing a URL: ${out}${err}`)));
      });
      await new Promise((r) => setTimeout(r, 100));
      assert.match(err, /warning: --host 0\.0\.0\.0 serves every study in this store, without authentication/);
      assert.equal((await get(url)).status, 200);
      child.kill('SIGTERM');
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    assert.equal(exposureWarning('127.0.0.1'), null);
    assert.equal(exposureWarning('localhost'), null);
  });
});

const pgBin = await findPgBin();
const pgExternal = (process.env.L2LAB_TEST_POSTGRES_URL ?? '') !== '';

describe('l2lab dashboard on PostgreSQL', () => {
  it('serves a postgres:// store and hides its password', { skip: pgBin === null && !pgExternal ? PG_MISSING : false }, async () => {
    const cluster = await startCluster(pgBin);
    try {
      const url = await cluster.fresh();
      const s = await openStorage(url);
      try {
        const { value: study } = await s.createStudy('pg-study', CONFIG);
        const { value: t } = await s.createTrial(study.id, { lambda: 0.5, dropout: 0 });
        await s.claimTrial(study.id, { trialId: t.id });
        await s.finishTrial(t.id, 'COMPLETE', { value: 0.3, result: { se: 0.01, train_mean: 0.2 } });
      } finally {
        await s.close();
      }
      const withPassword = url.replace('postgres://l2lab@', 'postgres://l2lab:secret@');
      const d = await startDashboard({ storage: withPassword, port: 0 });
      try {
        assert.match(d.location, /^PostgreSQL /);
        const page = await get(`${d.url}study/pg-study`);
        assert.equal(page.status, 200);
        assert.ok(page.body.includes('<svg'));
        assert.ok(!page.body.includes('secret'));
        const { data } = await getJson<{ study: StudyDetail }>(`${d.url}api/study/pg-study`);
        assert.equal(data.study.selection?.lambda_min, 0.5);
      } finally {
        await d.close();
      }
    } finally {
      await cluster.stop();
    }
  });
});
