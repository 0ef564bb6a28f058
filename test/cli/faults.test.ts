/** Regression tests of the faults a careful user hit (issue 9, item 2), each through the command line or the library call it concerns. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset, loadIdx, type ClassificationDataset } from '../../src/data/index.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import { deleteStudyNamed, openStorage, StudyConfigMismatchError } from '../../src/study/index.js';
import { tune } from '../../src/tune/tune.js';
import { datasetCsv, l2labHere as l2lab, scratch } from './helpers.js';

process.env.L2LAB_THREADS = '1';
const dir = scratch('faults');
const at = (name: string): string => path.join(dir, name);

describe('a study is never blocked by a failed configuration, nor reused after its data changed', () => {
  it('a first run whose every trial failed is replaced by the corrected command (stated on stderr)', async () => {
    const store = at('replace.db');
    const base = ['tune', '--data', 'wine', '--model', 'mlp:4', '--lambdas', '0,0.00001', '--folds', '2', '--epochs', '2', '--storage', store, '--study', 's'];
    const bad = await l2lab(...base, '--lr', '1e6');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Every trial of study 's' failed .*Lower --lr/);
    const good = await l2lab(...base, '--lr', '0.1');
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stderr, /study s: its stored config had no result .* so this run replaces it/);
    // Now it holds results: another config is refused, naming the two ways out.
    const other = await l2lab(...base, '--lr', '0.2');
    assert.equal(other.code, 2);
    assert.match(other.stderr, /Study 's' already exists .* different config \(differs at: data\.lr\)/);
    assert.match(other.stderr, /--study s-2.*l2lab studies --delete s, with the same --storage/s);
    // `l2lab studies --delete` clears the way.
    const del = await l2lab('studies', '--delete', 's', '--storage', store);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /deleted study s from SQLite file/);
    assert.equal((await l2lab(...base, '--lr', '0.2')).code, 0);
  });

  it('deleteStudyNamed deletes a study with its trials, and names the studies when there is none', async () => {
    const storage = await openStorage(at('delete.db'));
    try {
      const { value } = await storage.createStudy('a', { strategy: null, data: null, model: null, convention: null });
      await storage.createTrial(value.id, { lambda: 1 });
      const deleted = await deleteStudyNamed(storage, 'a');
      assert.equal(deleted.name, 'a');
      assert.equal(await storage.getStudy('a'), null);
      await storage.createStudy('b', { strategy: null, data: null, model: null, convention: null });
      await assert.rejects(deleteStudyNamed(storage, 'a'), /No study 'a' in .*Studies there: b\./);
    } finally {
      await storage.close();
    }
  });

  it('a changed data file is a new study: refused under the same --study, a new default name otherwise', async () => {
    const wine = loadDataset('wine');
    const file = at('wine.csv');
    const rows = Int32Array.from({ length: wine.n }, (_, i) => i);
    fs.writeFileSync(file, datasetCsv(wine, rows));
    const options = { strategy: 'grid' as const, data: file, model: 'softmax', lambdas: [0.1, 1], folds: 2, storage: at('hash.db') };
    const first = await tune({ ...options, study: 'w' });
    const firstDefault = await tune(options);
    // One value changes.
    fs.writeFileSync(file, datasetCsv(wine, rows).replace(/\n([0-9.]+),/, (_m, v: string) => `\n${Number(v) + 1},`));
    await assert.rejects(tune({ ...options, study: 'w' }), (e: unknown) => e instanceof StudyConfigMismatchError && /differs at: data\.dataHash/.test(e.message) && /--study w-2/.test(e.message));
    const changed = await tune(options);
    assert.notEqual(changed.study, firstDefault.study);
    assert.notEqual(changed.trials[0].cv_mean, first.trials[0].cv_mean);
  });

  it('tune({ populationSize: 0 }) is refused at once, without a study', async () => {
    const storage = at('population.db');
    await assert.rejects(tune({ strategy: 'grid', data: 'wine', model: 'softmax', populationSize: 0, storage }), /The 'population-size' option of tune must be a number in integers \[1, ∞\)\. Got 0 instead\./);
    const s = await openStorage(storage);
    assert.deepEqual(await s.listStudies(), []);
    await s.close();
  });
});

describe('evaluate reads a CSV by its column names and the model classes', () => {
  it('columns in another order score the same; a CSV holding one class is scored; a renamed column is refused', async () => {
    const model = at('wine.onnx');
    assert.equal((await l2lab('train', '--data', 'wine', '--model', 'softmax', '--lambda', '1', '--out', model)).code, 0);
    const wine = loadDataset('wine') as ClassificationDataset;
    const csv = datasetCsv(wine, Int32Array.from({ length: wine.n }, (_, i) => i)).trim().split('\n').map((l) => l.split(','));
    const write = (name: string, rows: string[][]) => {
      fs.writeFileSync(at(name), rows.map((r) => r.join(',')).join('\n'));
      return at(name);
    };
    const reversed = write('reversed.csv', csv.map((r) => [...r.slice(0, -1).reverse(), r[r.length - 1]]));
    const oneClass = write('one-class.csv', csv.filter((r, i) => i === 0 || r[r.length - 1] === wine.classes[0]));
    const score = async (data: string) => {
      const r = await l2lab('evaluate', '--model', model, '--data', data, '--json');
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { n: number; accuracy: number; loss: number };
    };
    const [plain, turned, one] = [await score('wine'), await score(reversed), await score(oneClass)];
    assert.deepEqual(turned, plain);
    assert.equal(one.n, wine.y.filter((c) => c === 0).length);
    assert.ok(one.accuracy > 0.9, `accuracy on class ${wine.classes[0]} alone: ${one.accuracy}`);
    const renamed = write('renamed.csv', [csv[0].map((c, j) => (j === 0 ? 'alcohol_pct' : c)), ...csv.slice(1)]);
    const r = await l2lab('evaluate', '--model', model, '--data', renamed);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /renamed\.csv lacks the model's columns alcohol .*Use data with the same feature columns\./);
  });
});

describe('shapes and labels checked before any work', () => {
  it('an MLP too large to allocate is refused by parseModelSpec (no RangeError)', () => {
    assert.throws(() => parseModelSpec('mlp:4000000000', 13, { task: 'classification', classes: 3 }), /has 68,000,000,003 parameters on 13 features; l2lab trains at most 100,000,000/);
  });

  it('an IDX label of 200 among 0–9 is refused, not made a 201-class model; declared classes bound the labels', () => {
    const labels = Array.from({ length: 20 }, (_, i) => (i === 11 ? 200 : i % 10));
    const images = Buffer.alloc(16 + labels.length * 4);
    [0x803, labels.length, 2, 2].forEach((v, i) => images.writeUInt32BE(v, 4 * i));
    const head = Buffer.alloc(8);
    head.writeUInt32BE(0x801, 0);
    head.writeUInt32BE(labels.length, 4);
    fs.writeFileSync(at('s-images-idx3-ubyte'), images);
    fs.writeFileSync(at('s-labels-idx1-ubyte'), Buffer.concat([head, Buffer.from(labels)]));
    assert.throws(() => loadIdx(at('s-images-idx3-ubyte'), at('s-labels-idx1-ubyte')), /label 11: class label 200 leaves class 10 without a sample/);
    assert.throws(() => loadIdx(at('s-images-idx3-ubyte'), at('s-labels-idx1-ubyte'), { numClasses: 10 }), /class label 200 is out of range: there are 10 classes/);
    fs.writeFileSync(at('s-labels-idx1-ubyte'), Buffer.concat([head, Buffer.from(labels.map((v) => v % 10))]));
    assert.equal(loadIdx(at('s-images-idx3-ubyte'), at('s-labels-idx1-ubyte')).classes.length, 10);
  });

  it('saving a model onto a directory fails clearly and leaves no temporary file', async () => {
    const target = at('model-dir');
    fs.mkdirSync(target);
    const r = await l2lab('train', '--data', 'wine', '--model', 'softmax', '--lambda', '1', '--out', target);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Cannot write --out .*model-dir: it is a directory/);
    assert.deepEqual(fs.readdirSync(target), []);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
  });
});
