import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidDataError, InvalidOptionError } from '../../src/errors.js';
import { loadCsv, parseCsv } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'l2lab-csv-'));
function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Asserts that `fn` throws an InvalidDataError whose message contains every part. */
function throwsData(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidDataError, `expected InvalidDataError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message lacks "${p}": ${e.message}`);
    return true;
  });
}

describe('loadCsv', () => {
  it('reads features and maps string targets to sorted classes', () => {
    const path = write('iris.csv', 'a,b,target\n1,2,virginica\n3,4.5,setosa\n-1e2,.5,virginica\n');
    const ds = loadCsv(path);
    assert.equal(ds.task, 'classification');
    assert.equal(ds.name, path);
    assert.equal(ds.n, 3);
    assert.equal(ds.d, 2);
    assert.deepEqual(ds.featureNames, ['a', 'b']);
    assert.equal(ds.targetName, 'target');
    assert.deepEqual([...ds.x], [1, 2, 3, 4.5, -100, 0.5]);
    assert.ok(ds.task === 'classification');
    assert.deepEqual(ds.classes, ['setosa', 'virginica']);
    assert.deepEqual([...ds.y], [1, 0, 1]);
  });

  it('handles quoted fields, "" escapes, CRLF, a BOM, blank lines and no trailing newline', () => {
    const text = '\ufeff"size, m2","say ""hi""",price\r\n"1.5",2,10\r\n\r\n3,"4",20.5';
    const ds = parseCsv(text, 'quoted.csv', { target: 'price' });
    assert.deepEqual(ds.featureNames, ['size, m2', 'say "hi"']);
    assert.equal(ds.task, 'regression');
    assert.equal(ds.n, 2);
    assert.deepEqual([...ds.y], [10, 20.5]);
    throwsData(() => parseCsv('"a,b\n1,2\n', 'q.csv'), 'q.csv, line 1, column 1', 'never closed', 'closing quote');
  });

  it('counts lines inside multi-line quoted fields', () => {
    const text = 'a,"multi\nline",target\n1,2,3\n1,x,3\n';
    throwsData(() => parseCsv(text, 'm.csv'), 'm.csv, line 4, column 2', "('multi\nline')");
  });

  it('keeps numeric targets as regression unless classification is asked for', () => {
    const path = write('num.csv', 'x,target\n0,5\n1,1\n2,2\n3,5\n');
    assert.equal(loadCsv(path).task, 'regression');
    const ds = loadCsv(path, { task: 'classification' });
    assert.ok(ds.task === 'classification');
    assert.deepEqual(ds.classes, ['1', '2', '5']);
    assert.deepEqual([...ds.y], [2, 0, 1, 2]);
    const fixed = loadCsv(path, { numClasses: 6 });
    assert.ok(fixed.task === 'classification');
    assert.equal(fixed.classes.length, 6);
    assert.deepEqual([...fixed.y], [5, 1, 2, 5]);
  });

  it('rejects a class label outside [0, numClasses)', () => {
    const path = write('range.csv', 'x,y\n0,1\n1,3\n');
    throwsData(() => loadCsv(path, { target: 'y', numClasses: 3 }), `${path}, line 3, column 2 ('y')`, 'label 3 is out of range', '[0, 2]', "raise 'numClasses'");
    assert.throws(() => loadCsv(path, { target: 'y', numClasses: 1 }), InvalidOptionError);
  });

  it('names line and column of a ragged row', () => {
    const path = write('ragged.csv', 'a,b,target\n1,2,x\n1,2\n1,2,y,4\n');
    throwsData(() => loadCsv(path), `${path}, line 3, column 3`, '2 fields but the header has 3', 'one value per header column');
  });

  it('rejects non-numeric and empty features', () => {
    const bad = write('bad.csv', 'a,b,target\n1,2,x\n1,abc,y\n');
    throwsData(() => loadCsv(bad), `${bad}, line 3, column 2 ('b')`, '"abc" is not a number', 'one-hot');
    const hex = write('hex.csv', 'a,target\n0x10,x\n1,y\n');
    throwsData(() => loadCsv(hex), 'line 2, column 1', '"0x10" is not a number');
    const empty = write('empty-field.csv', 'a,b,target\n1,,x\n');
    throwsData(() => loadCsv(empty), `${empty}, line 2, column 2 ('b')`, 'value is empty', 'Fill in the missing value');
  });

  for (const literal of ['NaN', 'nan', 'Inf', 'inf', '-Infinity', '+INF']) {
    it(`rejects the non-finite literal ${literal}`, () => {
      throwsData(() => parseCsv(`a,b,target\n1,2,x\n3,${literal},y\n`, 'nf.csv'), "nf.csv, line 3, column 2 ('b')", `"${literal}" is not a finite number`, 'Replace it');
    });
  }

  it('rejects values outside the float32 range', () => {
    throwsData(() => parseCsv('a,target\n1e39,1\n', 'big.csv'), 'line 2, column 1', 'float32 range', 'Rescale');
  });

  it('lists the columns when the target column is missing', () => {
    const path = write('no-target.csv', 'a,b,label\n1,2,x\n3,4,y\n');
    throwsData(() => loadCsv(path), `${path}, line 1`, "no column named 'target'", 'The columns are: a, b, label', "'target' option");
    assert.equal(loadCsv(path, { target: 'label' }).n, 2);
  });

  it('rejects an empty file, a header without rows and a target-only file', () => {
    throwsData(() => loadCsv(write('empty.csv', '')), 'empty.csv: the file is empty', 'header row');
    throwsData(() => loadCsv(write('blank.csv', '\n\n')), 'the file is empty');
    throwsData(() => loadCsv(write('header.csv', 'a,target\n')), 'no data rows', 'Add one row per sample');
    throwsData(() => parseCsv('target\n1\n', 't.csv'), 'the only column is the target', 'Add at least one feature column');
  });

  it('checks targets against the task', () => {
    throwsData(() => parseCsv('a,target\n1,2.5\n2,1\n', 'c.csv', { task: 'classification' }), 'c.csv, line 2, column 2', 'target 2.5 is not an integer', "'task' option to 'regression'");
    throwsData(() => parseCsv('a,target\n1,2\n2,cat\n', 'r.csv', { task: 'regression' }), 'r.csv, line 3, column 2', 'target "cat" is not a number', "'classification'");
    throwsData(() => parseCsv('a,target\n1,cat\n2,cat\n', 'one.csv'), 'only one class (cat)', 'at least two');
    throwsData(() => parseCsv('a,target\n1,cat\n2,\n', 'gap.csv'), 'gap.csv, line 3, column 2', 'value is empty');
    throwsData(() => parseCsv('a,target\n1,2\n2,NaN\n', 'tn.csv'), 'tn.csv, line 3, column 2', '"NaN" is not a finite number');
  });

  it('names a missing file', () => {
    throwsData(() => loadCsv(join(dir, 'absent.csv')), 'Cannot read dataset file', 'ENOENT', 'Check that the path is right');
  });
});
