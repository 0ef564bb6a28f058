import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidOptionError, MissingDependencyError } from '../../src/errors.js';
import { FASHION_MNIST_DIR, listDatasets, loadDataset, loadFashionMnist, type Dataset } from '../../src/data/index.js';
import { fashionMnistAvailable } from '../../src/data/fashion-mnist.js';

function classCounts(ds: Dataset): number[] {
  assert.ok(ds.task === 'classification');
  const counts = ds.classes.map(() => 0);
  for (const c of ds.y) counts[c]++;
  return counts;
}

function inUnitRange(x: Float32Array): boolean {
  return x.every((v) => v >= 0 && v <= 1);
}

describe('built-in datasets', () => {
  it('lists each with its shape, task, source, licence and availability', () => {
    const list = listDatasets();
    assert.deepEqual(list.map((d) => d.name), ['mnist-10k', 'fashion-mnist', 'wine', 'breast-cancer', 'diabetes']);
    for (const info of list) {
      assert.ok(info.n > 0 && info.d > 0 && info.description && info.source && info.license && info.install, info.name);
      assert.equal(info.classes === 0, info.task === 'regression', info.name);
    }
    const byName = Object.fromEntries(list.map((d) => [d.name, d]));
    assert.equal(byName['mnist-10k'].available, true);
    assert.equal(byName['fashion-mnist'].install, 'apt-get install -y dataset-fashion-mnist');
  });

  it('loads mnist-10k: 10,000 × 784 pixels in [0, 1], labels 0–9', () => {
    const ds = loadDataset('mnist-10k');
    assert.deepEqual([ds.name, ds.n, ds.d, ds.x.length], ['mnist-10k', 10_000, 784, 10_000 * 784]);
    const counts = classCounts(ds);
    assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    assert.equal(counts.reduce((a, b) => a + b), 10_000);
    assert.ok(inUnitRange(ds.x));
    assert.ok(ds.x.some((v) => v === 1));
  });

  it('hands out copies of the cached mnist-10k arrays', () => {
    const a = loadDataset('mnist-10k');
    a.x.fill(7);
    a.y.fill(7);
    const b = loadDataset('mnist-10k');
    assert.ok(inUnitRange(b.x));
    assert.equal(b.y[0], 0);
  });

  it('loads fashion-mnist: 70,000 × 784, 7,000 per class', { skip: !fashionMnistAvailable() && !process.env.CI && 'needs apt-get install -y dataset-fashion-mnist' }, () => {
    const ds = loadDataset('fashion-mnist');
    assert.deepEqual([ds.name, ds.n, ds.d], ['fashion-mnist', 70_000, 784]);
    assert.deepEqual(classCounts(ds), Array(10).fill(7000));
    assert.ok(ds.task === 'classification' && ds.classes[9] === 'Ankle boot');
    assert.ok(inUnitRange(ds.x));
    // The first training image of Fashion-MNIST is an ankle boot (label 9); the first test image too.
    assert.equal(ds.y[0], 9);
    assert.equal(ds.y[60_000], 9);
  });

  it('says how to install Fashion-MNIST when its files are absent', () => {
    const empty = mkdtempSync(join(tmpdir(), 'l2lab-fashion-'));
    assert.throws(
      () => loadFashionMnist(empty),
      (e: unknown) => e instanceof MissingDependencyError && e.message.includes('train-images-idx3-ubyte.gz is missing') && e.message.includes('apt-get install -y dataset-fashion-mnist'),
    );
    assert.equal(FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist');
  });

  it('loads the shipped tabular sets', () => {
    const wine = loadDataset('wine');
    assert.deepEqual([wine.name, wine.n, wine.d], ['wine', 178, 13]);
    assert.deepEqual(classCounts(wine), [59, 71, 48]);
    const cancer = loadDataset('breast-cancer');
    assert.deepEqual([cancer.n, cancer.d], [569, 30]);
    assert.ok(cancer.task === 'classification');
    assert.deepEqual(cancer.classes, ['benign', 'malignant']);
    assert.deepEqual(classCounts(cancer), [357, 212]);
    const diabetes = loadDataset('diabetes');
    assert.deepEqual([diabetes.n, diabetes.d, diabetes.task], [442, 10, 'regression']);
    assert.deepEqual(diabetes.featureNames, ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']);
    assert.deepEqual([diabetes.y[0], diabetes.y[441]], [151, 57]);
  });

  it('names the built-ins and the accepted extensions for an unknown name', () => {
    assert.throws(
      () => loadDataset('mnist'),
      (e: unknown) =>
        e instanceof InvalidOptionError &&
        e.message.includes("Unknown dataset 'mnist'") &&
        e.message.includes('mnist-10k, fashion-mnist, wine, breast-cancer, diabetes') &&
        e.message.includes('must end in .csv or .json'),
    );
    assert.throws(() => loadDataset('table.txt'), /Unknown dataset 'table.txt'/);
  });

  it('rejects options that a source would ignore', () => {
    assert.throws(() => loadDataset('wine', { target: 'class' }), (e: unknown) => e instanceof InvalidOptionError && e.message.includes("The 'target' option does not apply to the built-in dataset 'wine'"));
    assert.throws(() => loadDataset('x.json', { target: 'y' }), /'target' option does not apply to a JSON file \(x.json\), which takes only 'task', 'numClasses'/);
  });
});
