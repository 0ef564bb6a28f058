import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidDataError, InvalidOptionError } from '../../src/errors.js';
import { fromArrays, loadDataset, loadJson } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'l2lab-json-'));
function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

function throwsData(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidDataError, `expected InvalidDataError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message lacks "${p}": ${e.message}`);
    return true;
  });
}

describe('loadJson', () => {
  it('loads numeric targets as regression with default feature names', () => {
    const path = write('reg.json', { x: [[1, 2], [3, 4], [5, 6]], y: [0.5, 1.5, -2] });
    const ds = loadJson(path);
    assert.equal(ds.task, 'regression');
    assert.equal(ds.name, path);
    assert.deepEqual([ds.n, ds.d], [3, 2]);
    assert.deepEqual(ds.featureNames, ['x0', 'x1']);
    assert.deepEqual([...ds.x], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...ds.y], [0.5, 1.5, -2]);
  });

  it('maps string targets to sorted classes and keeps "features"', () => {
    const ds = loadDataset(write('cls.json', { x: [[1], [2], [3]], y: ['b', 'a', 'b'], features: ['height'] }));
    assert.ok(ds.task === 'classification');
    assert.deepEqual(ds.classes, ['a', 'b']);
    assert.deepEqual([...ds.y], [1, 0, 1]);
    assert.deepEqual(ds.featureNames, ['height']);
  });

  it('honours "task" in the file, overridden by the option', () => {
    const path = write('task.json', { x: [[1], [2]], y: [3, 7], task: 'classification' });
    const ds = loadJson(path);
    assert.ok(ds.task === 'classification');
    assert.deepEqual(ds.classes, ['3', '7']);
    assert.equal(loadJson(path, { task: 'regression' }).task, 'regression');
  });

  it('names the bad entry and the fix', () => {
    throwsData(() => loadJson(write('syntax.json', '{"x": [[1, NaN]], "y": [1]}')), 'syntax.json: not valid JSON', 'NaN and Infinity are not JSON');
    throwsData(() => loadJson(write('arr.json', [1, 2])), 'top level is not an object', '{"x": number[][]');
    throwsData(() => loadJson(write('nox.json', { y: [1] })), '"x" is missing');
    throwsData(() => loadJson(write('emptyx.json', { x: [], y: [] })), '"x" is an array of 0', 'non-empty');
    throwsData(() => loadJson(write('ylen.json', { x: [[1], [2]], y: [1] })), '"y" is an array of 1', '"x" has 2 rows');
    throwsData(() => loadJson(write('ragged.json', { x: [[1, 2], [3]], y: [1, 2] })), 'ragged.json, x[1]', 'x[0] has 2 values', 'same 2 features');
    throwsData(() => loadJson(write('str.json', { x: [[1, '2']], y: [1] })), 'str.json, x[0][1]', '"2" is not a number');
    throwsData(() => loadJson(write('null.json', { x: [[1, null]], y: [1] })), 'x[0][1]', 'null is not a number');
    throwsData(() => loadJson(write('inf.json', '{"x": [[1e999]], "y": [1]}')), 'x[0][0]', 'Infinity is not a finite number');
    throwsData(() => loadJson(write('mixed.json', { x: [[1], [2]], y: [1, 'a'] })), 'mixed.json, y[1]', 'is not a number like y[0]', 'all as class-name strings');
    throwsData(() => loadJson(write('badtask.json', { x: [[1], [2]], y: [1, 2], task: 'ranking' })), '"task" is "ranking"', '"regression" or "classification"');
    throwsData(() => loadJson(write('feat.json', { x: [[1, 2]], y: [1], features: ['a'] })), '"features" is an array of 1', 'one name (a string) per feature');
    throwsData(() => loadJson(write('frac.json', { x: [[1], [2]], y: [0, 1.5] }), { task: 'classification' }), 'frac.json, y[1]', 'not an integer');
  });
});

describe('fromArrays', () => {
  it('builds a dataset and checks integer labels against numClasses', () => {
    const ds = fromArrays({ x: [[0, 1], [1, 0], [1, 1]], y: [0, 2, 2] }, { numClasses: 4, name: 'toy' });
    assert.ok(ds.task === 'classification');
    assert.equal(ds.name, 'toy');
    assert.deepEqual(ds.classes, ['0', '1', '2', '3']);
    assert.deepEqual([...ds.y], [0, 2, 2]);
    throwsData(() => fromArrays({ x: [[0], [1]], y: [0, 4] }, { numClasses: 4 }), 'arrays, y[1]', 'class label 4 is out of range', '[0, 3]');
    throwsData(() => fromArrays({ x: [[0], [1]], y: [0, -1] }, { numClasses: 4 }), 'y[1]', 'class label -1 is out of range');
    throwsData(() => fromArrays({ x: [[0], [1]], y: ['a', 'b'] }, { numClasses: 3 }), 'has 2 classes (a, b)', "'numClasses' is 3");
    assert.throws(() => fromArrays({ x: [[0]], y: [0] }, { numClasses: 2.5 }), InvalidOptionError);
    assert.throws(() => fromArrays({ x: [[0], [1]], y: [0, 1] }, { numClasses: 2, task: 'regression' }), /only applies to classification/);
  });
});
