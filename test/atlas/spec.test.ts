/** Tests of the atlas spec: defaults, every error naming its field and fix, the shipped specs, and the checks against the loaded data. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { expandCells, nominalGridCost, type DataShape } from '../../src/atlas/cells.js';
import { AtlasSpecError, checkAtlasSpec, loadAtlasSpec, parseAtlasSpec, type SpecIssue } from '../../src/atlas/spec.js';
import { InvalidOptionError } from '../../src/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const minimal = { name: 'x', datasets: ['wine'], models: ['softmax'], m: [100] };

function issues(raw: unknown): SpecIssue[] {
  const r = checkAtlasSpec(raw);
  assert.equal(r.ok, false, 'expected the spec to be rejected');
  return r.ok ? [] : r.issues;
}

function issueAt(raw: unknown, path: string): string {
  const all = issues(raw);
  const hit = all.find((i) => i.path === path);
  assert.ok(hit, `no issue at ${path}; got ${JSON.stringify(all)}`);
  return hit.message;
}

test('a minimal spec gets every default', () => {
  const s = parseAtlasSpec(minimal);
  assert.equal(s.storage, 'atlas-x.db');
  assert.equal(s.out, 'atlas-x');
  assert.deepEqual(s.seeds, [0]);
  assert.deepEqual(s.strategies, [{ name: 'grid', options: {} }]);
  assert.equal(s.reference, 'grid');
  const d = s.datasets[0];
  assert.deepEqual(d.training, { epochs: 10, solver: 'exact', lr: 0.1, optimizer: 'momentum', momentum: 0.9, batchSize: 64, activation: 'relu' });
  assert.deepEqual(d.validation, { folds: 5 });
  assert.deepEqual(d.lambda, { lo: 1e-3, hi: 1e3, n: 13, extend: true });
  assert.equal(d.testRows, null);
});

test('dataset entries override the spec-wide settings field by field', () => {
  const s = parseAtlasSpec({
    ...minimal,
    training: { epochs: 5, lr: 0.05 },
    datasets: ['wine', { name: 'mnist-10k', m: [2000, 500], models: ['mlp:64'], training: { epochs: 3 }, validation: { holdout: 0.25 }, lambda: { n: 7 }, testRows: 1000 }],
  });
  const [wine, mnist] = s.datasets;
  assert.equal(wine.training.epochs, 5);
  assert.equal(mnist.training.epochs, 3);
  assert.equal(mnist.training.lr, 0.05, 'lr inherited from the spec-wide training');
  assert.deepEqual(mnist.m, [500, 2000], 'm sorted');
  assert.deepEqual(mnist.validation, { holdout: 0.25 });
  assert.deepEqual(mnist.lambda, { lo: 1e-3, hi: 1e3, n: 7, extend: true });
  assert.equal(mnist.testRows, 1000);
  assert.deepEqual(wine.models, ['softmax']);
});

test("epochs 'auto' takes a cap, inherited by dataset entries; the cap alone and an unknown solver are refused", () => {
  const s = parseAtlasSpec({ ...minimal, training: { epochs: 'auto' }, datasets: ['wine', { name: 'iris', training: { maxEpochs: 40 } }, { name: 'digits', training: { epochs: 5 } }] });
  const [wine, iris, digits] = s.datasets.map((d) => d.training);
  assert.equal(wine.epochs, 'auto');
  assert.equal(wine.maxEpochs, 200, 'the default cap');
  assert.equal(iris.epochs, 'auto');
  assert.equal(iris.maxEpochs, 40);
  assert.equal(digits.epochs, 5);
  assert.equal(digits.maxEpochs, undefined, 'no cap without auto');
  assert.match(issueAt({ ...minimal, training: { epochs: 10, maxEpochs: 50 } }, 'training.maxEpochs'), /caps "epochs": "auto" only, but epochs is 10: remove "maxEpochs" or set "epochs": "auto"/);
  assert.match(issueAt({ ...minimal, training: { solver: 'newton' } }, 'training.solver'), /must be one of exact, sgd. Got 'newton'/);
  assert.match(issueAt({ ...minimal, training: { epochs: 'forever' } }, 'training.epochs'), /"epochs": "auto"/);
});

test('cells: convex models take the spec\'s solver, MLPs always SGD', () => {
  const shapes = new Map<string, DataShape>([['wine', { n: 178, d: 13, task: 'classification', classes: 3 }]]);
  const solvers = (solver: string) => expandCells(parseAtlasSpec({ ...minimal, models: ['softmax', 'mlp:8'], training: { solver } }), shapes).cells.map((c) => c.solver);
  assert.deepEqual(solvers('exact'), ['exact', 'sgd']);
  assert.deepEqual(solvers('sgd'), ['sgd', 'sgd']);
});

test('switching a dataset to Adam takes Adam’s default learning rate and drops momentum', () => {
  const s = parseAtlasSpec({ ...minimal, datasets: [{ name: 'wine', training: { optimizer: 'adam' } }] });
  assert.equal(s.datasets[0].training.lr, 1e-3);
  assert.equal(s.datasets[0].training.momentum, undefined);
});

test('errors name the field, what was given and the fix', () => {
  assert.match(issueAt({ ...minimal, name: undefined }, 'name'), /non-empty string.*e\.g\./);
  assert.match(issueAt({ ...minimal, name: 'a b' }, 'name'), /letters, digits/);
  assert.match(issueAt({ ...minimal, training: { epoch: 3 } }, 'training.epoch'), /did you mean 'epochs'/);
  assert.match(issueAt({ ...minimal, modles: ['softmax'] }, 'modles'), /did you mean 'models'/);
  assert.match(issueAt({ ...minimal, models: ['mlp:0'] }, 'models[0]'), /positive integer widths.*mlp:64/);
  assert.match(issueAt({ ...minimal, models: ['cnn'] }, 'models[0]'), /'cnn' is not a model spec/);
  assert.match(issueAt({ ...minimal, m: [100, 100] }, 'm[1]'), /appears twice/);
  assert.match(issueAt({ ...minimal, m: [2.5] }, 'm[0]'), /integer in \[4, ∞\]. Got 2.5/);
  assert.match(issueAt({ ...minimal, lambda: { lo: 10, hi: 1 } }, 'lambda'), /lo < hi.*swap/);
  assert.match(issueAt({ ...minimal, lambda: { lo: -1 } }, 'lambda.lo'), /\(0, ∞\). Got -1/);
  assert.match(issueAt({ ...minimal, validation: { folds: 5, holdout: 0.2 } }, 'validation'), /both "folds" and "holdout"/);
  assert.match(issueAt({ ...minimal, validation: { holdout: 1.5 } }, 'validation.holdout'), /fraction in \(0, 1\)/);
  assert.match(issueAt({ ...minimal, training: { optimizer: 'lbfgs' } }, 'training.optimizer'), /one of sgd, momentum/);
  assert.match(issueAt({ ...minimal, training: { optimizer: 'adam', momentum: 0.9 } }, 'training.momentum'), /only used by the momentum and nesterov/);
  assert.match(issueAt({ ...minimal, strategies: ['grid', 'magic'] }, 'strategies[1]'), /one of grid, sh, bayes, ridge, path, evidence/);
  assert.match(issueAt({ ...minimal, strategies: ['evidence'] }, 'strategies'), /must include the reference strategy 'grid'/);
  assert.match(issueAt({ ...minimal, strategies: ['grid', { name: 'sh', etta: 3 }] }, 'strategies[1].etta'), /did you mean 'eta'/);
  assert.match(issueAt({ ...minimal, datasets: [] }, 'datasets'), /non-empty list/);
  assert.match(issueAt({ ...minimal, datasets: ['wine', 'wine'] }, 'datasets[1]'), /appears twice/);
  assert.match(issueAt({ name: 'x', datasets: ['wine'], models: ['softmax'] }, 'datasets[0].m'), /no training-set sizes/);
  assert.match(issueAt({ ...minimal, m: [40], training: { batchSize: 64 } }, 'training.batchSize'), /more than the 32 rows a fold trains on at m = 40.*dataset 'wine'/);
  assert.match(issues(42)[0].message, /JSON object/);
});

test('every problem is reported at once, and the throwing form lists them', () => {
  const raw = { name: 'x', datasets: ['wine'], models: ['nope'], m: [0], seeds: [-1] };
  assert.equal(issues(raw).length, 3);
  assert.throws(
    () => parseAtlasSpec(raw, 'spec.json'),
    (e: unknown) => e instanceof AtlasSpecError && e instanceof InvalidOptionError && e.code === 'INVALID_OPTION' && /spec.json has 3 problems/.test(e.message) && /seeds\[0\]/.test(e.message),
  );
});

test('loadAtlasSpec: a missing file and broken JSON are clear errors', () => {
  assert.throws(() => loadAtlasSpec('/nonexistent/spec.json'), /Cannot read the atlas spec '\/nonexistent\/spec.json'/);
  const bad = path.join(fs.mkdtempSync(path.join(ROOT, 'node_modules', '.atlas-test-')), 'bad.json');
  fs.writeFileSync(bad, '{"name": ');
  try {
    assert.throws(() => loadAtlasSpec(bad), /is not valid JSON/);
  } finally {
    fs.rmSync(path.dirname(bad), { recursive: true, force: true });
  }
});

const SHAPES = new Map<string, DataShape>([
  ['mnist-10k', { n: 10_000, d: 784, task: 'classification', classes: 10 }],
  ['fashion-mnist', { n: 70_000, d: 784, task: 'classification', classes: 10, image: { height: 28, width: 28, channels: 1 } }],
  ['wine', { n: 178, d: 13, task: 'classification', classes: 3 }],
  ['breast-cancer', { n: 569, d: 30, task: 'classification', classes: 2 }],
  ['diabetes', { n: 442, d: 10, task: 'regression', classes: 0 }],
]);

test('the shipped specs are valid, and the large one spans 10³ to 10⁷ parameters', () => {
  for (const name of ['smoke', 'default', 'large']) {
    const spec = loadAtlasSpec(path.join(ROOT, 'atlas', `${name}.json`));
    const { cells, issues: found } = expandCells(spec, SHAPES);
    assert.deepEqual(found, [], `${name}: ${JSON.stringify(found)}`);
    assert.ok(cells.length > 0);
    assert.ok(spec.strategies.some((s) => s.name === 'evidence'), `${name} compares the evidence`);
    // MLPs train until converged, so that λ had time to act; convex models are solved exactly.
    for (const c of cells) assert.equal(c.solver === 'exact' || c.training.epochs === 'auto', true, `${name}: ${c.id}`);
    assert.ok(cells.some((c) => c.solver === 'exact'), `${name} solves its convex cells exactly`);
    if (name === 'smoke') assert.equal(cells.length, 2);
    if (name === 'large') {
      const p = cells.map((c) => c.params);
      assert.ok(Math.min(...p) <= 2e3 && Math.max(...p) >= 1e7, `large spans ${Math.min(...p)} to ${Math.max(...p)}`);
      // CNN cells with and without BatchNorm, from ≥ 10⁵ to ≥ 10⁶ parameters.
      for (const bn of [false, true]) {
        const q = cells.filter((c) => c.model.startsWith('cnn:') && c.model.includes(',bn,') === bn).map((c) => c.params);
        assert.ok(Math.min(...q) >= 1e5 && Math.max(...q) >= 1e6, `cnn (bn: ${bn}) spans ${Math.min(...q)} to ${Math.max(...q)}`);
      }
    }
  }
});

test('the scale spec: widths 16 to 4096 in one layer, depths 1, 2 and 4 at matched P from ~10⁴ to ≥ 10⁷, two seeds, a results file', () => {
  const spec = loadAtlasSpec(path.join(ROOT, 'atlas', 'scale.json'));
  const { cells, issues } = expandCells(spec, SHAPES);
  assert.deepEqual(issues, []);
  assert.equal(cells.length, 92);
  assert.equal(spec.results, 'atlas/results/scale.jsonl');
  assert.deepEqual(spec.seeds, [0, 1]);
  const oneLayer = cells.filter((c) => c.depth === 1).map((c) => c.widths[1]);
  assert.deepEqual([Math.min(...oneLayer), Math.max(...oneLayer)], [16, 4096]);
  assert.ok(Math.max(...cells.map((c) => c.params)) >= 1e7);
  assert.ok(cells.every((c) => c.training.epochs === 'auto' && c.solver === 'sgd'));
  // Every deeper net has a shallower one within 3% of its parameter count on the same data and m.
  for (const c of cells.filter((x) => x.depth > 1)) {
    const twins = cells.filter((x) => x.dataset === c.dataset && x.m === c.m && x.seed === c.seed && x.depth !== c.depth && Math.abs(x.params / c.params - 1) <= 0.03);
    assert.ok(twins.length >= 1, `${c.id} has no matched net`);
  }
  // The larger m only for the nets under 10⁵ parameters.
  assert.ok(cells.filter((c) => c.m === 4000).every((c) => c.params < 1e5));
});

test('cells: seeds outermost, sizes from the architecture, keys that change with the settings', () => {
  const spec = parseAtlasSpec({ name: 'x', datasets: ['wine'], models: ['softmax', 'mlp:16,8'], m: [50, 100], seeds: [0, 1], training: { batchSize: 8 } });
  const { cells } = expandCells(spec, SHAPES);
  assert.equal(cells.length, 8);
  assert.deepEqual(cells.slice(0, 4).map((c) => c.seed), [0, 0, 0, 0]);
  const mlp = cells.find((c) => c.model === 'mlp:16,8')!;
  assert.equal(mlp.params, 13 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
  assert.equal(mlp.weights, 13 * 16 + 16 * 8 + 8 * 3);
  assert.equal(mlp.units, 16 + 8 + 3);
  assert.equal(mlp.depth, 2);
  assert.equal(mlp.testRows, 78, 'min(2000, n − max m)');
  assert.equal(new Set(cells.map((c) => c.key)).size, 8);
  const other = expandCells(parseAtlasSpec({ name: 'x', datasets: ['wine'], models: ['softmax', 'mlp:16,8'], m: [50, 100], seeds: [0, 1], training: { batchSize: 8, epochs: 11 } }), SHAPES).cells;
  assert.equal(other[0].id, cells[0].id);
  assert.notEqual(other[0].key, cells[0].key, 'a different training length is a different cell');
  // 13 λ × 5 folds × 40 rows × 10 epochs + the refit's 48 rows × 10 epochs (batch 8, partial batches dropped)
  assert.equal(nominalGridCost(cells[0]), 13 * 5 * 40 * 10 + 48 * 10);
});

test('cells: checks against the data name the field and the fix', () => {
  const tooMany = expandCells(parseAtlasSpec({ name: 'x', datasets: [{ name: 'wine', m: [150], testRows: 50 }], models: ['softmax'] }), SHAPES);
  assert.equal(tooMany.issues[0].path, 'datasets[0].testRows');
  assert.match(tooMany.issues[0].message, /150 plus 50 test rows is more than the 178 rows of 'wine'.*testRows to at most 28/);
  const noTest = expandCells(parseAtlasSpec({ name: 'x', datasets: ['wine'], models: ['logistic'], m: [1000], training: { batchSize: 8 } }), SHAPES);
  assert.deepEqual(noTest.issues.map((i) => i.path), ['datasets[0].m', 'datasets[0].models[0]'], 'both problems at once');
  assert.match(noTest.issues[0].message, /m = 1000 leaves no test rows among the 178 rows of 'wine': lower the largest m to at most 142/);
  const logistic = expandCells(parseAtlasSpec({ name: 'x', datasets: ['wine'], models: ['softmax', 'logistic'], m: [100] }), SHAPES);
  assert.equal(logistic.issues[0].path, 'datasets[0].models[1]');
  assert.match(logistic.issues[0].message, /needs 2 classes.*wine/);
});

test('spec entries may split a dataset (e.g. one model by hold-out) but never repeat a cell', () => {
  const split = parseAtlasSpec({ name: 'x', m: [100], training: { batchSize: 8 }, datasets: [{ name: 'wine', models: ['softmax'] }, { name: 'wine', models: ['mlp:8'], validation: { holdout: 0.25 } }] });
  const ok = expandCells(split, SHAPES);
  assert.deepEqual(ok.issues, []);
  assert.deepEqual(ok.cells.map((c) => ('folds' in c.validation ? 'cv' : 'holdout')), ['cv', 'holdout']);
  const twice = parseAtlasSpec({ name: 'x', m: [100], training: { batchSize: 8 }, datasets: [{ name: 'wine', models: ['softmax'] }, { name: 'wine', models: ['softmax', 'mlp:8'], validation: { holdout: 0.25 } }] });
  const bad = expandCells(twice, SHAPES);
  assert.equal(bad.issues[0].path, 'datasets[1]');
  assert.match(bad.issues[0].message, /model 'softmax' at m = 100 on 'wine' is also in datasets\[0\]/);
});
