/** The smoke spec end to end in-process: every cell tuned, the report and CSVs written with their sections, and a re-run that reads everything back from the store. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { analyzeAtlas, cellData, loadAtlasSpec, planAtlas, runAtlas, tuneOptionsFor, writeAtlasReport, type CellEvent } from '../../src/atlas/index.js';
import { openStorage } from '../../src/study/index.js';
import { createSetup } from '../../src/tune/setup.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SMOKE = path.join(ROOT, 'atlas', 'smoke.json');

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-atlas-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('each cell trains on exactly m rows and tests on testRows others', () => {
  const spec = loadAtlasSpec(SMOKE);
  const { cells, data } = planAtlas(spec);
  const cell = cells[0];
  const rows = cellData(data.get(cell.dataset)!, cell);
  assert.equal(rows.n, cell.m + cell.testRows);
  const o = tuneOptionsFor(cell, rows, { name: 'grid', options: {} }, undefined as never);
  const setup = createSetup(o, o);
  assert.equal(setup.train.n, cell.m);
  assert.equal(setup.test.n, cell.testRows);
  assert.equal(setup.folds.length, 3);
});

test('the smoke atlas runs end to end, writes a self-contained report, and a re-run reads it back', async () => {
  const dir = scratch();
  const spec = loadAtlasSpec(SMOKE);
  const storage = path.join(dir, 'atlas.db');
  const events: CellEvent[] = [];
  const run = await runAtlas(spec, { storage, threads: 1, onCell: (e) => events.push(e) });
  assert.equal(run.cells.length, 2);
  assert.deepEqual(events.map((e) => `${e.index}/${e.total}`), ['0/2', '1/2']);
  for (const c of run.cells) {
    assert.equal(c.results.grid?.status, 'done', JSON.stringify(c.results.grid));
    assert.equal(c.results.sh?.status, 'done');
    assert.equal(c.results.evidence?.status, 'done');
    assert.equal(c.results.grid!.curve.length, 5);
    assert.ok(c.results.grid!.sample_grads! > 0);
    assert.equal(c.results.grid!.resumed, false);
    // The test curve holds every grid λ, and its point at λ* is tune()'s own refit, to float rounding.
    const curve = c.results.grid!.test_curve!;
    assert.deepEqual(curve.map((p) => p.lambda), c.results.grid!.curve.map((p) => p.lambda));
    const atBest = curve.find((p) => p.lambda === c.results.grid!.best_lambda)!;
    assert.ok(Math.abs(atBest.test_loss! / c.results.grid!.test_loss! - 1) < 1e-5, `${atBest.test_loss} vs ${c.results.grid!.test_loss}`);
    assert.equal(c.results.evidence!.test_curve, null);
  }
  const [softmax, mlp] = run.cells;
  assert.equal(softmax.cell.solver, 'exact');
  assert.equal(softmax.results.grid!.lambda_timescale_epochs, null, 'an exact solve has no timescale');
  assert.ok(softmax.results.grid!.test_curve!.every((p) => p.converged && p.epochs === null));
  assert.equal(mlp.cell.solver, 'sgd');
  assert.ok(mlp.results.grid!.lambda_timescale_epochs! > 0);
  assert.ok(mlp.results.grid!.epochs_trained! >= 1 && mlp.results.grid!.epochs_trained! <= 30, 'epochs auto stops by the cap of 30');
  assert.equal(run.complete, true);

  const out = path.join(dir, 'report');
  const analysis = analyzeAtlas(run);
  const files = await writeAtlasReport(run, analysis, out);
  const html = fs.readFileSync(files.html, 'utf8');
  for (const id of ['summary', 'regimes', 'best-lambda', 'scale', 'settings', 'heuristics', 'comparison', 'curves', 'files']) assert.match(html, new RegExp(`<section id="${id}">`), id);
  assert.ok((html.match(/<svg/g) ?? []).length >= 6 + 2, 'six best-λ plots and a curve per cell');
  assert.match(html, /constant timescale/);
  assert.match(html, /<code>sh<\/code> vs <code>grid<\/code>/);
  assert.doesNotMatch(html, /<script|<link|<img|src="http|href="http|url\(http/, 'no external assets');
  const remaining = fs.readdirSync(out).sort();
  assert.deepEqual(remaining, ['atlas.json', 'cells.csv', 'comparison.csv', 'curves.csv', 'heldout.csv', 'heuristics.csv', 'index.html', 'regimes.csv', 'scale-cells.csv', 'scale-slopes.csv', 'scale-wine-m60.svg', 'settings.csv', 'test-curves.csv'], 'no temporary files left');
  const csv = fs.readFileSync(path.join(out, 'cells.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 2 * spec.strategies.length);
  assert.match(csv[0], /^cell,dataset,model,m,seed,params,.*lambda_seed,lambda_pytorch/);
  const json = JSON.parse(fs.readFileSync(files.json, 'utf8'));
  assert.equal(json.cells.length, 2);

  // Re-run: everything comes from the store; no trial is added to any study.
  const s = await openStorage(storage);
  const before = (await s.listStudies()).map((x) => [x.name, Object.values(x.trialCounts).reduce((a, b) => a + b, 0)]);
  await s.close();
  const again: CellEvent[] = [];
  const rerun = await runAtlas(spec, { storage, onCell: (e) => again.push(e) });
  for (const e of again) for (const src of Object.values(e.sources)) assert.equal(src, 'store');
  assert.deepEqual(rerun.cells.map((c) => c.results.grid!.best_lambda), run.cells.map((c) => c.results.grid!.best_lambda));
  const s2 = await openStorage(storage);
  const after = (await s2.listStudies()).map((x) => [x.name, Object.values(x.trialCounts).reduce((a, b) => a + b, 0)]);
  await s2.close();
  assert.deepEqual(after, before);

  // A report-only run of an empty store says what is missing instead of training.
  const empty = await runAtlas(spec, { storage: path.join(dir, 'empty.db'), compute: false });
  assert.equal(empty.complete, false);
  assert.equal(empty.cells[0].results.grid?.status, 'missing');
  await writeAtlasReport(empty, analyzeAtlas(empty), path.join(dir, 'empty-report'));
  assert.match(fs.readFileSync(path.join(dir, 'empty-report', 'index.html'), 'utf8'), /the atlas is incomplete/);
});
