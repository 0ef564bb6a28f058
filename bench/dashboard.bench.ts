/**
 * `npm run bench:dashboard`: the dashboard's overview on a store of 10,000 trials (20 finished
 * studies × 490 trials with per-fold results, plus one running study of 200 trials): the old way
 * (every study's trials re-read on each refresh) against the live API (rows re-read only when a
 * study may have changed, and `?since=V` sending only changed rows), and one study's poll.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDashboard } from '../src/dashboard/index.js';
import { listStudyRows } from '../src/dashboard/views.js';
import { openStorage } from '../src/study/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-bench-dash-'));
const file = path.join(dir, 'bench.db');
const CONFIG = { strategy: { kind: 'grid' }, data: { data: 'wine', epochs: 50 }, model: 'mlp:8', convention: 'seed' };

async function fill(): Promise<void> {
  const s = await openStorage(file);
  const result = (v: number) => ({ se: 0.01, train_mean: v / 2, folds: [0, 1, 2].map((k) => ({ val_loss: v + k / 100, train_loss: v / 2, val_accuracy: 0.9, epoch: 50, curve: Array.from({ length: 51 }, (_, e) => v + 1 / (e + 1)) })) });
  const study = async (name: string, n: number, finishAll: boolean) => {
    const { value } = await s.createStudy(name, CONFIG);
    for (let i = 0; i < n; i++) {
      const { value: t } = await s.createTrial(value.id, { lambda: 10 ** (-4 + (8 * i) / n), dropout: 0 });
      if (!finishAll && i >= n - 2) continue;
      await s.claimTrial(value.id, { trialId: t.id });
      if (finishAll || i < n - 4) await s.finishTrial(t.id, 'COMPLETE', { value: 0.3 + Math.abs(i - n / 2) / n, result: result(0.3) });
    }
  };
  for (let k = 0; k < 20; k++) await study(`finished-${k}`, 490, true);
  await study('running', 200, false);
  await s.close();
}

async function timeIt(label: string, runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  const ms = (performance.now() - t0) / runs;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms`);
  return ms;
}

const t0 = performance.now();
await fill();
console.log(`store: 10,000 trials in 21 studies, filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const storage = await openStorage(file);
const dash = await startDashboard({ storage, port: 0 });
const get = async (p: string) => {
  const r = await fetch(dash.url + p.replace(/^\//, ''));
  return r.text();
};
const results: Record<string, number> = {};
results.old_rows = await timeIt('old: every study re-read (listStudyRows)', 10, () => listStudyRows(storage));
results.first_api = await timeIt('GET /api/studies (first: all rows)', 1, async () => {
  // A fresh dashboard: nothing cached yet.
  const d = await startDashboard({ storage, port: 0 });
  await fetch(`${d.url}api/studies`).then((r) => r.text());
  await d.close();
});
results.page = await timeIt('GET / (the overview page, warm)', 20, () => get('/'));
const first = JSON.parse(await get('/api/studies?since=0')) as { version: number };
const full = await get('/api/studies?since=0');
results.poll = await timeIt('GET /api/studies?since=V (a poll, warm)', 20, () => get(`/api/studies?since=${first.version}`));
const poll = await get(`/api/studies?since=${first.version}`);
console.log(`bytes: full ${full.length.toLocaleString('en')}, poll ${poll.length.toLocaleString('en')} (only the running study's row)`);
results.study_poll = await timeIt('GET /api/study/finished-0, since=0 then since=V (490 trials)', 20, async () => {
  const j = JSON.parse(await get('/api/study/finished-0?since=0')) as { version: number };
  return get(`/api/study/finished-0?since=${j.version}`);
});
await dash.close();
await storage.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(results));
