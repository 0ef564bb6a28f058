import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '../../src/errors.js';
import { complement, fromArrays, kFold, loadDataset, splitIndices, subsample, subset, type Dataset } from '../../src/data/index.js';

const wine = loadDataset('wine');
const diabetes = loadDataset('diabetes');

function counts(ds: Dataset, rows: ArrayLike<number>): number[] {
  assert.ok(ds.task === 'classification');
  const c = ds.classes.map(() => 0);
  for (let k = 0; k < rows.length; k++) c[ds.y[rows[k]]]++;
  return c;
}

/** Each class's count in `rows` is within 1 of its share of the whole dataset. */
function assertStratified(ds: Dataset, rows: ArrayLike<number>): void {
  const all = counts(ds, Int32Array.from({ length: ds.n }, (_, i) => i));
  counts(ds, rows).forEach((c, k) => {
    const exact = (all[k] * rows.length) / ds.n;
    assert.ok(Math.abs(c - exact) <= 1, `class ${k}: ${c} vs exact ${exact}`);
  });
}

function assertPartition(n: number, parts: Int32Array[]): void {
  const seen = new Uint8Array(n);
  for (const p of parts) for (const i of p) seen[i]++;
  assert.ok(seen.every((s) => s === 1), 'every index exactly once');
}

function throwsOption(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message lacks "${p}": ${e.message}`);
    return true;
  });
}

describe('splitIndices', () => {
  it('makes disjoint splits that cover every row, sized round(n × fraction)', () => {
    const s = splitIndices(wine, { validation: 0.15, test: 0.25, seed: 3 });
    assert.deepEqual([s.train.length, s.validation.length, s.test.length], [178 - 27 - 45, 27, 45]);
    assertPartition(178, [s.train, s.validation, s.test]);
  });

  it('stratifies classification within ±1 per class', () => {
    for (const seed of [0, 1, 2]) {
      const s = splitIndices(wine, { seed });
      for (const part of [s.train, s.validation, s.test]) assertStratified(wine, part);
    }
  });

  it('is reproducible from its seed', () => {
    assert.deepEqual(splitIndices(wine, { seed: 5 }), splitIndices(wine, { seed: 5 }));
    assert.notDeepEqual(splitIndices(wine, { seed: 5 }).test, splitIndices(wine, { seed: 6 }).test);
  });

  it('splits regression data and allows skipping a split', () => {
    const s = splitIndices(diabetes, { validation: 0, test: 0.1 });
    assert.deepEqual([s.train.length, s.validation.length, s.test.length], [398, 0, 44]);
    assertPartition(442, [s.train, s.validation, s.test]);
  });

  it('rejects fractions out of range and splits left empty', () => {
    throwsOption(() => splitIndices(wine, { test: 1 }), "The 'test' option of splitIndices must be a number in [0, 1). Got 1 instead.");
    throwsOption(() => splitIndices(wine, { validation: -0.1 }), "'validation' option", 'Got -0.1');
    throwsOption(() => splitIndices(wine, { validation: 0.5, test: 0.6 }), 'add up to 1.1', 'less than 1');
    const tiny = fromArrays({ x: [[0], [1], [2], [3]], y: [0, 1, 0, 1] });
    throwsOption(() => splitIndices(tiny, { validation: 0.25, test: 0.1 }), 'The test split is empty', 'train 3, validation 1, test 0 of 4 samples', "Raise 'test' to at least 0.13");
    throwsOption(() => splitIndices(fromArrays({ x: [[0]], y: [0.5] }), { validation: 0, test: 0.5 }), 'The train split is empty', 'train 0, validation 0, test 1');
  });
});

describe('kFold', () => {
  it('puts every row in exactly one fold, balanced and stratified', () => {
    const folds = kFold(wine, 5, { seed: 1 });
    assert.equal(folds.length, 5);
    assertPartition(178, folds);
    assert.deepEqual(folds.map((f) => f.length).sort(), [35, 35, 36, 36, 36]);
    const all = counts(wine, Int32Array.from({ length: 178 }, (_, i) => i));
    for (const f of folds) {
      counts(wine, f).forEach((c, k) => assert.ok(c === Math.floor(all[k] / 5) || c === Math.ceil(all[k] / 5), `class ${k}: ${c}`));
    }
  });

  it('works unstratified and for regression, with complement giving the training rows', () => {
    const folds = kFold(diabetes, 3);
    assertPartition(442, folds);
    const train = complement(folds[0], 442);
    assert.equal(train.length + folds[0].length, 442);
    assertPartition(442, [train, folds[0]]);
    assertPartition(178, kFold(wine, 4, { stratify: false }));
  });

  it('rejects k < 2, k > n and fractional k', () => {
    throwsOption(() => kFold(wine, 1), "The 'k' option of kFold must be a number in the integers [2, n] (n = 178 samples here). Got 1 instead.");
    throwsOption(() => kFold(wine, 179), 'Got 179');
    throwsOption(() => kFold(wine, 2.5), 'Got 2.5');
  });
});

describe('subsample and subset', () => {
  it('draws m distinct rows, stratified', () => {
    const rows = subsample(wine, 50, { seed: 4 });
    assert.equal(rows.length, 50);
    assert.equal(new Set(rows).size, 50);
    assertStratified(wine, rows);
    const small = subset(wine, rows);
    assert.equal(small.n, 50);
    assert.deepEqual([...small.x.subarray(0, 13)], [...wine.x.subarray(rows[0] * 13, rows[0] * 13 + 13)]);
    assert.equal(small.y[49], wine.y[rows[49]]);
    assert.ok(small.task === 'classification' && small.classes.length === 3);
  });

  it('rejects m outside [1, n]', () => {
    throwsOption(() => subsample(diabetes, 0), "'m' option of subsample", 'n = 442');
    throwsOption(() => subsample(diabetes, 443), 'Got 443');
  });
});
