/** The results file: finished cells travel with the repository, so a fresh machine without the store resumes from them, and an edited cell alone is computed anew. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { parseAtlasSpec, runAtlas, type CellEvent } from '../../src/atlas/index.js';
import { appendResults, readResults, resultLine } from '../../src/atlas/results-file.js';
import { openStorage } from '../../src/study/index.js';
import { fakeCell } from './fixtures.js';

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-results-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Two tiny cells in two entries, so one entry's settings can change alone. */
function tinySpec(dir: string, mlpLambdaN = 4): ReturnType<typeof parseAtlasSpec> {
  const base = { training: { epochs: 'auto', maxEpochs: 15, lr: 0.1, batchSize: 16 }, testRows: 60, m: [60] };
  return parseAtlasSpec({
    name: 'tiny',
    results: path.join(dir, 'results', 'tiny.jsonl'),
    datasets: [
      { name: 'wine', models: ['softmax'], ...base },
      { name: 'wine', models: ['mlp:8'], ...base, lambda: { lo: 0.01, hi: 10, n: mlpLambdaN, extend: false } },
    ],
    validation: { folds: 3 },
    lambda: { lo: 0.01, hi: 10, n: 4, extend: false },
  });
}

async function cellStudies(db: string): Promise<string[]> {
  const s = await openStorage(db);
  try {
    return (await s.listStudies()).map((x) => x.name).filter((n) => n.includes(':grid#'));
  } finally {
    await s.close();
  }
}

test('a fresh store resumes from the results file; an edited cell alone is computed anew', { timeout: 120_000 }, async () => {
  const dir = scratch();
  const spec = tinySpec(dir);
  const first = await runAtlas(spec, { storage: path.join(dir, 'a.db'), threads: 1 });
  assert.equal(first.complete, true);
  const lines = readResults(spec.results!);
  assert.equal(lines.size, 2, 'one line per finished (cell, strategy)');
  const mlpLine = [...lines.values()].find((l) => l.cell.model === 'mlp:8')!;
  assert.equal(mlpLine.record.status, 'done');
  assert.ok(mlpLine.record.test_curve!.length === 4 && mlpLine.record.curve.length === 4, 'the line holds the CV and test curves');
  assert.ok(mlpLine.record.init!.sum_sq > 0 && mlpLine.record.init!.data_loss > 0 && mlpLine.record.init!.m === 60, 'and the initialization measured');
  assert.equal(mlpLine.cell.params, 13 * 8 + 8 + 8 * 3 + 3);

  // A fresh machine: the store is gone, the results file is in the repository.
  fs.rmSync(path.join(dir, 'a.db'));
  const events: CellEvent[] = [];
  const again = await runAtlas(spec, { storage: path.join(dir, 'b.db'), threads: 1, onCell: (e) => events.push(e) });
  assert.deepEqual(events.flatMap((e) => Object.values(e.sources)), ['results', 'results'], 'nothing recomputed');
  assert.deepEqual(await cellStudies(path.join(dir, 'b.db')), [], 'no tuning study was even opened');
  assert.deepEqual(again.cells.map((c) => c.results.grid!.best_lambda), first.cells.map((c) => c.results.grid!.best_lambda));
  assert.equal(fs.readFileSync(spec.results!, 'utf8').trim().split('\n').length, 2, 'nothing appended twice');

  // One cell's settings change (its λ grid): it alone runs; its old line stays, the new one is appended.
  const edited = tinySpec(dir, 5);
  const sources: string[] = [];
  const third = await runAtlas(edited, { storage: path.join(dir, 'b.db'), threads: 1, onCell: (e) => sources.push(`${e.cell.model}:${e.sources.grid}`) });
  assert.deepEqual(sources, ['softmax:results', 'mlp:8:run']);
  assert.equal(third.cells[1].results.grid!.curve.length, 5);
  assert.equal(fs.readFileSync(spec.results!, 'utf8').trim().split('\n').length, 3);
  assert.equal(readResults(spec.results!).size, 3, 'the edited cell has a new key');
});

test('a run that computes only some cells leaves the others missing, and a store-only record joins the file', { timeout: 120_000 }, async () => {
  const dir = scratch();
  const spec = tinySpec(dir);
  const db = path.join(dir, 'a.db');
  const noFile = { ...spec, results: undefined };
  const part = await runAtlas(noFile, { storage: db, threads: 1, select: (c) => c.model === 'softmax' });
  assert.equal(part.complete, false);
  assert.equal(part.cells[1].results.grid!.status, 'missing');
  assert.equal(fs.existsSync(spec.results!), false);
  // The same store with the results file named: the finished cell is copied into the file, even without computing.
  await runAtlas(spec, { storage: db, compute: false });
  const lines = [...readResults(spec.results!).values()];
  assert.deepEqual(lines.map((l) => l.cell.model), ['softmax']);
});

test('readResults skips a half-written line and names it; appends start on a new line', () => {
  const dir = scratch();
  const file = path.join(dir, 'r.jsonl');
  const a = fakeCell({ dataset: 'd', model: 'mlp:8', m: 100, seed: 0, params: 100, results: { grid: { best_lambda: 2 } } });
  const strategy = { name: 'grid' as const, options: {} };
  const line = resultLine(`cell:${a.cell.key}:grid`, a.cell, strategy, a.results.grid!);
  fs.writeFileSync(file, `${JSON.stringify(line)}\n{"v":1,"key":"cell:half`);
  const skipped: string[] = [];
  const read = readResults(file, (m) => skipped.push(m));
  assert.equal(read.size, 1);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0], /r\.jsonl:2 is not a results line/);
  const b = fakeCell({ dataset: 'd', model: 'mlp:16', m: 100, seed: 0, params: 200, results: { grid: { best_lambda: 3 } } });
  assert.equal(appendResults(file, read, [line, resultLine(`cell:${b.cell.key}:grid`, b.cell, strategy, b.results.grid!)]), 1, 'the line already held is skipped');
  assert.match(fs.readFileSync(file, 'utf8'), /"key":"cell:half\n\{"v":1/, 'the new line starts after the half-written one');
  const again = readResults(file);
  assert.deepEqual([...again.values()].map((l) => l.record.best_lambda), [2, 3]);
});
