/**
 * What a newcomer meets, end to end: the top-level help, logistic on a 0/1 CSV target, tune's
 * progress on stderr, its answer in PyTorch/Keras/scikit-learn units, --out then evaluate on the
 * held-out rows, a resumed run's store count, the evidence table, and `studies`' best λ.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/data/index.js';
import { fit } from '../../src/train/fit.js';
import type { ProgressEvent } from '../../src/train/progress.js';
import { l2lab, scratch } from './helpers.js';

describe('what a newcomer meets', { concurrency: 1 }, () => {
  it('l2lab --help lists every command with its one-line summary', async () => {
    const r = await l2lab('--help');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {2}tune +choose λ: grid \+ k-fold CV/);
    assert.match(r.stdout, /\n {2}convert +translate an L2 constant/);
    assert.match(r.stdout, /\n {2}evaluate +score a saved model\.onnx on the held-out rows/);
    assert.match(r.stdout, /\n {2}ask +a λ to try in your own training loop/);
    assert.match(r.stdout, /\n {2}serve +the dashboard plus the ask\/tell HTTP API/);
    assert.equal(r.stdout.match(/\n {2}[a-z]+ {2,}\S/g)?.length, 16, r.stdout);
  });

  it('--model logistic on a CSV with a 0/1 numeric target trains without --task', async () => {
    const dir = scratch('logistic01');
    const data = loadDataset('breast-cancer');
    const lines = ['a,b,c,y'];
    for (let i = 0; i < 120; i++) lines.push(`${data.x[i * data.d]},${data.x[i * data.d + 1]},${data.x[i * data.d + 2]},${data.y[i]}`);
    const csv = path.join(dir, 'zero-one.csv');
    fs.writeFileSync(csv, `${lines.join('\n')}\n`);
    const r = await l2lab('train', '--data', csv, '--target', 'y', '--model', 'logistic', '--lambda', '1', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(typeof (JSON.parse(r.stdout) as { test: { accuracy: number } }).test.accuracy, 'number');
    // A regression model on the same target still reads it as numbers.
    const lin = await l2lab('train', '--data', csv, '--target', 'y', '--model', 'linear', '--lambda', '1', '--json');
    assert.equal(lin.code, 0, lin.stderr);
    assert.equal(typeof (JSON.parse(lin.stdout) as { test: { rmse: number } }).test.rmse, 'number');
  });

  it('tune: a plain progress line per trial on stderr, λ in the user units, sorted table, --out then evaluate on the test rows, resumed from the store', async () => {
    const dir = scratch('tune-units');
    const db = path.join(dir, 'l2lab.db');
    const out = path.join(dir, 'best.onnx');
    // The best λ sits on the low edge of 10…1000, so the range extends downwards: those rows come first.
    const args = ['tune', '--data', 'wine', '--model', 'softmax', '--log-range', '10:1000:3', '--folds', '3', '--storage', db];
    const r = await l2lab(...args, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const trialLines = r.stderr.split('\n').filter((l) => /^trial \d+\/\d+: λ = /.test(l));
    assert.ok(trialLines.length >= 4, r.stderr);
    assert.match(trialLines[0], /^trial 1\/3: λ = 10, val loss \d\.\d+ \(\d+:\d\d elapsed, ETA \d+:\d\d\)$/);
    const table = r.stdout.split('\n\n')[1].split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.ok(table.length >= 4, r.stdout);
    assert.deepEqual(table, [...table].sort((a, b) => a - b), 'λ column sorted');
    assert.match(r.stdout, /ties: mean losses within a relative 1e-6 of the lowest are equal; the largest such λ is λ_min/);
    assert.match(r.stdout, /in your framework's units \(m = 142, B = \d+;/);
    const lmin = r.stdout.match(/\n {2}λ_min = ([\d.e-]+) → PyTorch weight_decay = ([\d.e-]+), Keras L2\(l2\) = ([\d.e-]+), scikit-learn LogisticRegression C = ([\d.e-]+)/);
    assert.ok(lmin, r.stdout);
    const lambda = Number(lmin[1]);
    assert.ok(Math.abs(Number(lmin[2]) - lambda / 142) <= 1e-3 * (lambda / 142), `pytorch wd = λ/m: ${lmin[2]}`);
    assert.ok(Math.abs(Number(lmin[3]) - lambda / 284) <= 1e-3 * (lambda / 284), `keras l = λ/(2m): ${lmin[3]}`);
    assert.ok(Math.abs(Number(lmin[4]) - 1 / lambda) <= 1e-3 / lambda, `sklearn C = 1/λ: ${lmin[4]}`);
    assert.match(r.stdout, /\n {2}λ_1se = /);
    assert.match(r.stdout, /\n0 of \d+ trials read from the study store; \d+ trained\n/);
    // Every λ printed with at most 4 significant digits.
    for (const m of r.stdout.matchAll(/λ_(?:min|1se) = ([\d.]+)/g)) assert.ok(m[1].replace(/^0\.0*|\./g, '').length <= 4, m[1]);

    // --out: the refit model and its sidecar; evaluate scores the held-out rows and reproduces the refit's test loss.
    assert.ok(fs.existsSync(out) && fs.existsSync(`${out}.json`));
    const side = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8')) as { lambda: number; split: { seed: number; test: number; validation: number } };
    assert.deepEqual([side.split.seed, side.split.test, side.split.validation], [0, 0.2, 0]);
    const testLoss = Number(r.stdout.match(/test loss (\d\.\d+)/)![1]);
    // One at a time: the helper's 60 s limit per call holds on a loaded machine.
    const e = await l2lab('evaluate', '--model', out, '--data', 'wine', '--json');
    const again = await l2lab(...args);
    const json = await l2lab(...args, '--json');
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { n: number; rows: string; of: number; loss: number; scored: string };
    assert.deepEqual([ev.n, ev.rows, ev.of], [36, 'test', 178]);
    assert.equal(ev.scored, 'test split: 36 of 178 rows (seed 0, test 0.2)');
    assert.ok(Math.abs(ev.loss - testLoss) < 1e-3, `evaluate ${ev.loss} vs refit ${testLoss}`);

    // A re-run reads every trial from the store.
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /\n(\d+) of \1 trials read from the study store; 0 trained\n/);
    // --json: one JSON object on stdout, conversions keyed by convention as `convert --to all --json` gives them.
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout) as { best_lambda: number; m: number; batch_size: number; conversions: Record<string, unknown>; trials_from_store: number; model?: unknown };
    assert.equal(result.m, 142);
    assert.equal(result.model, undefined);
    const conv = await l2lab('convert', '--lambda', String(result.best_lambda), '--m', '142', '--batch-size', String(result.batch_size), '--json');
    const rows = (JSON.parse(conv.stdout) as { conversions: { to: string; value: number | null; formula: string }[] }).conversions;
    for (const id of ['pytorch', 'keras', 'sklearn-logistic', 'sklearn-mlp', 'glmnet']) {
      const row = rows.find((x) => x.to === id)!;
      const mine = result.conversions[id] as { to: string; value: number; formula: string };
      assert.deepEqual([mine.to, mine.value, mine.formula], [row.to, row.value, row.formula], id);
    }
  });

  it('evidence: no SE column and no λ_1se; studies shows the best λ', async () => {
    const dir = scratch('evidence');
    const db = path.join(dir, 'l2lab.db');
    const r = await l2lab('tune', '--data', 'diabetes', '--model', 'linear', '--strategy', 'evidence', '--storage', db);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /SE|±|λ_1se/);
    const lambda = r.stdout.match(/λ_min = ([\d.]+)/)![1];
    assert.match(r.stdout, /\n {2}λ_min = [\d.]+ → PyTorch weight_decay = [\d.e-]+, Keras L2\(l2\) = [\d.e-]+, scikit-learn Ridge alpha = /);
    const s = await l2lab('studies', '--storage', db);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /best λ +best value/);
    assert.match(s.stdout, new RegExp(`evidence +1 +0 +0 +0 +${lambda.replace('.', '\\.')} +`));
  });
});

describe('fit() onProgress', () => {
  it('reports one epoch event per epoch with the budget', async () => {
    const events: ProgressEvent[] = [];
    await fit({ data: 'wine', model: 'mlp:4', lambda: 1, epochs: 3, threads: 1, onProgress: (e) => events.push(e) });
    assert.deepEqual(events.map((e) => (e.kind === 'epoch' ? [e.epoch, e.epochs, e.lambda] : e.kind)), [[1, 3, 1], [2, 3, 1], [3, 3, 1]]);
  });
});
