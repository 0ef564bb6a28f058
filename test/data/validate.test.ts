import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateDataset } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'l2lab-validate-'));
function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('validateDataset', () => {
  it('returns the data when the file is sound', () => {
    const v = validateDataset(write('ok.csv', 'a,target\n1,x\n2,y\n'));
    assert.ok(v.ok);
    assert.equal(v.data.n, 2);
    assert.ok(validateDataset('wine').ok);
  });

  it('lists every bad value instead of throwing', () => {
    const path = write('bad.csv', 'a,b,target\n1,2,x\n1,,y\n1,NaN,x\n1,2\n');
    const v = validateDataset(path);
    assert.ok(!v.ok);
    assert.equal(v.issues.length, 3);
    assert.match(v.issues[0], /line 3, column 2 \('b'\): value is empty/);
    assert.match(v.issues[1], /line 4, column 2 \('b'\): "NaN" is not a finite number/);
    assert.match(v.issues[2], /line 5, column 3: the row has 2 fields/);
  });

  it('caps a long list with a count', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},?,${i % 2}`).join('\n');
    const v = validateDataset(write('many.csv', `a,b,target\n${rows}\n`), { task: 'classification' });
    assert.ok(!v.ok);
    assert.equal(v.issues.length, 21);
    assert.equal(v.issues[20], '… and 10 more issues.');
  });

  it('reports JSON entries, structural problems, unknown names and bad options as issues', () => {
    const json = validateDataset(write('bad.json', JSON.stringify({ x: [[1, 'a'], [2]], y: [0, 1] })));
    assert.ok(!json.ok);
    assert.deepEqual(json.issues.map((s) => s.split(':')[0]), [`${dir}/bad.json, x[0][1]`, `${dir}/bad.json, x[1]`]);
    const empty = validateDataset(write('empty.csv', ''));
    assert.ok(!empty.ok && empty.issues[0].includes('the file is empty'));
    const unknown = validateDataset('no-such-set');
    assert.ok(!unknown.ok && unknown.issues[0].includes("Unknown dataset 'no-such-set'"));
    const option = validateDataset(write('opt.csv', 'a,target\n1,2\n2,3\n'), { numClasses: 0 });
    assert.ok(!option.ok && option.issues[0].includes("'numClasses' option"));
    const missing = validateDataset(join(dir, 'absent.json'));
    assert.ok(!missing.ok && missing.issues[0].includes('Cannot read dataset file'));
  });
});
