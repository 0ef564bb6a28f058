/** Regression tests of what a careful user still hit (issue 19), each through the command line or the library call it concerns. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, mock } from 'node:test';
import { ProgressLine } from '../../src/cli/progress-line.js';
import type { ProgressEvent } from '../../src/train/progress.js';
import { tune } from '../../src/tune/tune.js';
import { l2labHere as l2lab, scratch } from './helpers.js';

process.env.L2LAB_THREADS = '1';
const dir = scratch('careful-user');
const at = (name: string): string => path.join(dir, name);

describe('a malformed postgres:// URL', () => {
  it('gets the unreachable-server error, with the password masked and no stack trace', async () => {
    const cases = [
      ['tune', '--data', 'wine', '--model', 'softmax', '--log-range', '0.1:10:3', '--storage', 'postgres://:@:/'],
      ['studies', '--storage', 'postgres://me:secret@db.example:notaport/l2lab'],
    ];
    for (const args of cases) {
      const r = await l2lab(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^l2lab [a-z]+: error: Cannot connect to PostgreSQL postgres:\/\/[^ ]*: the URL is malformed .*postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE/);
      assert.doesNotMatch(r.stderr, /secret|TypeError|^\s+at /m);
    }
  });
});

describe('commands that only read a study store', () => {
  it('studies, show and studies --delete create no SQLite file: they say no store is there, naming the path and the fix', async () => {
    const typo = at('typo.db');
    for (const args of [['studies'], ['show', 'some-study'], ['studies', '--delete', 'some-study']]) {
      const r = await l2lab(...args, '--storage', typo);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`error: No study store at ${typo.replace(/[.]/g, '\\.')}: the file does not exist\\. .*--storage`));
      assert.equal(fs.existsSync(typo), false, `${args.join(' ')} created ${typo}`);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('typo')), []);
    }
  });
});

describe('evaluate on data of another shape', () => {
  it('names the feature mismatch (4 against 13) before any label the model lacks', async () => {
    const model = at('wine.onnx');
    assert.equal((await l2lab('train', '--data', 'wine', '--model', 'softmax', '--lambda', '1', '--out', model)).code, 0);
    // Digits exported as a CSV: four pixels and labels 0–9, none of them a wine class.
    const digits = at('digits.csv');
    fs.writeFileSync(digits, ['px0,px1,px2,px3,target', ...Array.from({ length: 20 }, (_, i) => `${i % 3},${i % 5},${i % 7},${i % 2},${i % 10}`)].join('\n'));
    const r = await l2lab('evaluate', '--model', model, '--data', digits);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: .*digits\.csv has 4 features but the model .*wine\.onnx was trained on 13 \(alcohol, /);
    assert.doesNotMatch(r.stderr, /class label/);
  });
});

describe('tune on too few rows for its folds', () => {
  it("names --folds and the rows available, not kFold's 'k'", async () => {
    const tiny = at('three-rows.csv');
    fs.writeFileSync(tiny, 'a,b,target\n1,2,x\n2,3,y\n3,1,x\n');
    const r = await l2lab('tune', '--data', tiny, '--model', 'logistic', '--folds', '5', '--storage', at('tiny.db'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: --folds 5 needs at least 5 rows in the training part, which has 2 \(3 rows less the test split, --test 0\.2\)\. Use --folds 2 or fewer, or more data\./);
    assert.doesNotMatch(r.stderr, /'k'|kFold/);
    assert.equal(fs.existsSync(at('tiny.db')), false, 'refused before any study store');
  });
});

describe('a CSV separated by semicolons or tabs', () => {
  it('names the delimiter instead of a missing target column', async () => {
    for (const [name, sep] of [['semicolon', ';'], ['tab', '\t']]) {
      const file = at(`${name}.csv`);
      fs.writeFileSync(file, [['a', 'b', 'target'], ['1', '2', 'x'], ['2', '1', 'y']].map((r) => r.join(sep)).join('\n'));
      const r = await l2lab('train', '--data', file, '--model', 'logistic', '--lambda', '1');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`error: .*${name}\\.csv, line 1: the header is one column, .*, whose fields are separated by ${name}s: l2lab reads comma-separated values\\. Save the file with commas between the fields`));
      assert.doesNotMatch(r.stderr, /no column named/);
    }
  });
});

describe('classes too small for the folds or the hold-out', () => {
  // 15 classes of 2 rows each: after the test split, 1 or 2 rows a class in the training part.
  const file = at('fifteen-classes.csv');
  fs.writeFileSync(file, ['a,b,target', ...Array.from({ length: 30 }, (_, i) => `${i % 15},${(i * 7) % 11},c${i % 15}`)].join('\n'));
  const run = (...args: string[]) => l2lab('tune', '--data', file, '--model', 'softmax', '--lambdas', '0.1,1,10', '--storage', at('classes.db'), ...args);

  it('--folds 5: warns, naming the classes', async () => {
    const r = await run('--folds', '5');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nwarning: 15 classes have fewer rows in the training part than --folds 5 needs \(one in each fold\): c0 \(\d rows?\), c1 \(\d rows?\), .* and 10 more\. /);
  });

  it('--holdout 0.2: warns, naming the classes', async () => {
    const r = await run('--holdout', '0.2', '--json');
    assert.equal(r.code, 0, r.stderr);
    const { class_warning } = JSON.parse(r.stdout) as { class_warning?: string };
    assert.match(class_warning ?? '', /^\d+ classes have too few rows in the training part for --holdout 0\.2 \(one held out, one to train on\): c\d+ /);
  });

  it('says nothing when every class fills every fold', async () => {
    const r = await l2lab('tune', '--data', 'wine', '--model', 'softmax', '--lambdas', '1', '--folds', '3', '--storage', at('classes.db'), '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { class_warning?: string }).class_warning, undefined);
  });
});

describe('train with the exact solver', () => {
  const args = ['train', '--data', 'breast-cancer', '--model', 'logistic', '--lambda', '1'];

  it('prints Newton iterations, not epochs, and says that τ does not apply', async () => {
    const r = await l2lab(...args);
    assert.equal(r.code, 0, r.stderr);
    const [head, init, last] = r.stdout.split('\n');
    assert.match(head, /^ *iteration +data loss +penalty +cost +val loss +val acc$/);
    assert.match(init, /^ +init +0\.6931 /);
    const iterations = Number(last.trim().split(/\s+/)[0]);
    assert.ok(Number.isInteger(iterations) && iterations > 1, last);
    assert.match(r.stdout, new RegExp(`\\nexact solver: newton, converged after ${iterations} iterations, ‖∇cost‖∞ = [\\d.e+-]+; λ timescale τ: does not apply \\(no steps: λ acts fully at the minimum\\)\\n`));
    assert.doesNotMatch(r.stdout, /epoch/);
  });

  it('--json keeps every field it had', async () => {
    const r = await l2lab(...args, '--json');
    assert.equal(r.code, 0, r.stderr);
    const keys = Object.keys(JSON.parse(r.stdout) as object);
    for (const k of ['params', 'weights', 'm', 'lambda', 'convention', 'coefficients', 'init', 'epochs', 'lambda_timescale_epochs', 'converged', 'test', 'diverged', 'best_epoch', 'seconds', 'solver']) assert.ok(keys.includes(k), k);
  });
});

describe('progress where it is watched', () => {
  const sink = (tty: boolean) => {
    const out: string[] = [];
    return { out, p: new ProgressLine({ write: (t) => void out.push(t), tty }) };
  };

  it('folds trained one after another report their own fold', async () => {
    const folds: number[] = [];
    await tune({ strategy: 'grid', data: 'wine', model: 'mlp:4', lambdas: [1], folds: 3, epochs: 2, stacking: 'never', threads: 1, storage: ':memory:', onProgress: (e) => e.kind === 'epoch' && folds.push(e.fold) });
    // Each fold: initialization (epoch 0) and two epochs.
    assert.deepEqual(folds, [0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it('a terminal: the live line shows the fold training, or the folds a population trains at once', () => {
    const { out, p } = sink(true);
    p.onProgress({ kind: 'stored', fromStore: 0, done: 0, total: 3, elapsed: 0 });
    for (let fold = 0; fold < 3; fold++) p.onProgress({ kind: 'epoch', lambda: 1, dropout: 0, fold, epoch: 4, elapsed: 1 });
    p.onProgress({ kind: 'trial', lambda: 1, dropout: 0, state: 'COMPLETE', value: 0.5, done: 1, total: 3, elapsed: 2 });
    assert.match(out[out.length - 1], /trials 1\/3 · λ 1 folds 1–3 · epoch 4 · /);
    p.onProgress({ kind: 'epoch', lambda: 10, dropout: 0, fold: 1, epoch: 2, elapsed: 3 });
    p.onProgress({ kind: 'trial', lambda: 10, dropout: 0, state: 'COMPLETE', value: 0.6, done: 2, total: 3, elapsed: 4 });
    assert.match(out[out.length - 1], /trials 2\/3 · λ 10 fold 2 · epoch 2 · /);
    // Every trial done: what follows (the refit) trains no trial's member.
    p.onProgress({ kind: 'trial', lambda: 100, dropout: 0, state: 'COMPLETE', value: 0.7, done: 3, total: 3, elapsed: 5 });
    assert.match(out[out.length - 1], /trials 3\/3 · 0:05 elapsed/);
    p.end();
  });

  it('not a terminal: a plain line at least every 5 s while no trial ends', () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'] });
    try {
      const { out, p } = sink(false);
      const events: ProgressEvent[] = [
        { kind: 'stored', fromStore: 0, done: 0, total: 6, elapsed: 0 },
        { kind: 'epoch', lambda: 0.1, dropout: 0, fold: 0, epoch: 1, elapsed: 0 },
      ];
      events.forEach(p.onProgress);
      mock.timers.tick(4000);
      assert.deepEqual(out, []);
      mock.timers.tick(1000);
      assert.deepEqual(out, ['trials 0/6 · λ 0.1 fold 1 · epoch 1 · 0:05 elapsed\n']);
      p.onProgress({ kind: 'epoch', lambda: 0.1, dropout: 0, fold: 0, epoch: 2, elapsed: 5 });
      mock.timers.tick(5000);
      assert.equal(out[1], 'trials 0/6 · λ 0.1 fold 1 · epoch 2 · 0:10 elapsed\n');
      p.end();
      mock.timers.tick(20000);
      assert.equal(out.length, 2, 'nothing after end()');
    } finally {
      mock.timers.reset();
    }
  });
});

describe('the trial table of a bayes run with pruned trials', () => {
  it('keeps to its content: reasons go below the table, in tune and in show', async () => {
    const store = at('bayes.db');
    const args = ['--data', 'wine', '--model', 'mlp:4', '--strategy', 'bayes', '--trials', '30', '--epochs', '30', '--lr', '0.5', '--storage', store, '--study', 'b'];
    const r = await l2lab('tune', ...args);
    assert.equal(r.code, 0, r.stderr);
    const s = await l2lab('show', 'b', '--storage', store);
    assert.equal(s.code, 0, s.stderr);
    for (const out of [r.stdout, s.stdout]) {
      const rows = out.split('\n\n')[1].split('\n');
      assert.match(rows[0], /^ +λ +/);
      for (const row of rows) assert.ok(row.length <= 80 && row === row.trimEnd(), `a table row of ${row.length} characters: '${row}'`);
      assert.match(rows.join('\n'), / PRUNED/);
      assert.match(out, /\n {2}λ = [\d.]+: pruned at epoch \d+: best validation loss /);
    }
  });
});

describe("the demo's next step", () => {
  it('carries the demo recipe, and the middle of its λ range acts within the epochs it trains', async () => {
    const demo = await l2lab('demo', '--epochs', '1');
    assert.equal(demo.code, 0, demo.stderr);
    const line = demo.stdout.match(/\n +l2lab (tune [^\n(]*?) +\(/)?.[1];
    assert.ok(line, demo.stdout);
    const argv = line.split(/\s+/);
    const flag = (name: string) => argv[argv.indexOf(name) + 1];
    assert.deepEqual(['--optimizer', '--lr', '--batch-size'].map(flag), ['momentum', '0.05', '64']);
    const [lo, hi] = flag('--log-range').split(':').map(Number);
    const epochs = Number(flag('--epochs'));
    // τ of the range's geometric middle, as inspect computes it for the same recipe.
    const shown = await l2lab('inspect', '--data', 'mnist-10k', '--model', 'mlp:128', '--optimizer', 'momentum', '--lr', '0.05', '--batch-size', '64', '--epochs', String(epochs), '--lambda', String(Math.sqrt(lo * hi)));
    assert.equal(shown.code, 0, shown.stderr);
    const tau = Number(shown.stdout.match(/timescale +τ = .* = ([\d.]+) epochs/)?.[1]);
    assert.ok(tau <= epochs, `τ = ${tau} epochs in the middle of ${lo}…${hi}, trained ${epochs}`);
  });
});
