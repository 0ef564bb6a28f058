import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidDataError } from '../../src/errors.js';
import { fitStandardizer, fromArrays, loadDataset, splitIndices, standardize, standardizeSplits } from '../../src/data/index.js';

describe('standardization', () => {
  // Column 0 varies, column 1 is constant on the training rows 0–2.
  const data = fromArrays({ x: [[1, 5], [2, 5], [3, 5], [100, 9]], y: [0, 1, 2, 3] });

  it('fits means and population stds on the given rows only', () => {
    const s = fitStandardizer(data, [0, 1, 2]);
    assert.deepEqual(s.mean, [2, 5]);
    assert.ok(Math.abs(s.std[0] - Math.sqrt(2 / 3)) < 1e-12);
    assert.equal(s.std[1], 1, 'a constant feature is left unscaled');
    const out = standardize(data, s);
    assert.ok(Math.abs(out.x[0] - -1 / Math.sqrt(2 / 3)) < 1e-6);
    assert.equal(out.x[1], 0);
    // Row 3 is scaled with the training statistics, not its own.
    assert.ok(Math.abs(out.x[6] - 98 / Math.sqrt(2 / 3)) < 1e-3);
    assert.equal(out.x[7], 4);
    assert.deepEqual([...data.x.subarray(0, 2)], [1, 5], 'the input is not changed');
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'saves as JSON');
  });

  it('gives the training split zero mean and unit variance, and not the others', () => {
    const wine = loadDataset('wine');
    const split = splitIndices(wine, { seed: 2 });
    const { train, test, standardizer } = standardizeSplits(wine, split);
    assert.deepEqual(standardizer, fitStandardizer(wine, split.train));
    const column = (ds: typeof train, j: number) => Array.from({ length: ds.n }, (_, i) => ds.x[i * ds.d + j]);
    for (let j = 0; j < wine.d; j++) {
      const v = column(train, j);
      const mean = v.reduce((a, b) => a + b) / v.length;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
      assert.ok(Math.abs(mean) < 1e-5 && Math.abs(variance - 1) < 1e-4, `feature ${j}`);
    }
    const testMeans = Array.from({ length: wine.d }, (_, j) => column(test, j).reduce((a, b) => a + b) / test.n);
    assert.ok(testMeans.some((m) => Math.abs(m) > 0.01), 'test data is scaled by training statistics');
  });

  it('rejects a standardizer fitted on other features', () => {
    assert.throws(
      () => standardize(loadDataset('diabetes'), fitStandardizer(data)),
      (e: unknown) => e instanceof InvalidDataError && e.message.includes('fitted on 2 features but diabetes has 10') && e.message.includes('same columns'),
    );
    assert.throws(() => fitStandardizer(data, []), /no rows to fit on/);
  });
});
