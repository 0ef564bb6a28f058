import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InvalidDataError, InvalidOptionError } from '../../src/errors.js';
import { loadDataset, loadIdx, loadIdxDir } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'l2lab-idx-'));
function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** An IDX uint8 file: magic 0x0000080N, big-endian dimensions, then the bytes. */
function idx(dims: number[], values: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((v, k) => header.writeUInt32BE(v, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(values)]);
}

// Three 2×2 images and their labels.
const IMAGES = idx([3, 2, 2], [0, 51, 102, 255, 255, 0, 0, 0, 1, 2, 3, 4]);
const LABELS = idx([3], [2, 0, 1]);

function throwsData(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidDataError, `expected InvalidDataError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message lacks "${p}": ${e.message}`);
    return true;
  });
}

describe('loadIdx', () => {
  it('reads uint8 images scaled to [0, 1] and their labels', () => {
    const ds = loadIdx(write('a-images-idx3-ubyte', IMAGES), write('a-labels-idx1-ubyte', LABELS));
    assert.deepEqual([ds.n, ds.d], [3, 4]);
    assert.deepEqual(ds.featureNames, ['px0_0', 'px0_1', 'px1_0', 'px1_1']);
    assert.deepEqual([...ds.x.subarray(0, 4)], [0, 0.2, 0.4, 1].map(Math.fround));
    assert.deepEqual([...ds.y], [2, 0, 1]);
    assert.deepEqual(ds.classes, ['0', '1', '2']);
  });

  it('reads gzipped files the same, and finds the labels file by name', () => {
    const images = write('g-images-idx3-ubyte.gz', gzipSync(IMAGES));
    write('g-labels-idx1-ubyte.gz', gzipSync(LABELS));
    const plain = loadIdx(write('p-images-idx3-ubyte', IMAGES), write('p-labels-idx1-ubyte', LABELS));
    const ds = loadDataset(images);
    assert.equal(ds.name, images);
    assert.deepEqual([...ds.x], [...plain.x]);
    assert.deepEqual([...ds.y], [...plain.y]);
    const other = write('digits.idx', IMAGES);
    assert.equal(loadDataset(other, { labels: join(dir, 'p-labels-idx1-ubyte') }).n, 3);
    assert.throws(
      () => loadDataset(other),
      (e: unknown) => e instanceof InvalidOptionError && e.message.includes("Cannot find the labels file") && e.message.includes("'labels' option"),
    );
  });

  it('says which magic it found and expected', () => {
    const labels = write('m-labels-idx1-ubyte', LABELS);
    const images = write('m-images-idx3-ubyte', IMAGES);
    throwsData(() => loadIdx(labels, images), 'wrong magic number 0x00000801, expected 0x00000803', 'look swapped');
    throwsData(() => loadIdx(write('png.idx', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])), labels), 'wrong magic number 0x89504e47', 'MNIST format');
  });

  it('gives expected and actual byte counts for a truncated or padded file', () => {
    const labels = write('t-labels-idx1-ubyte', LABELS);
    throwsData(() => loadIdx(write('t-images-idx3-ubyte', IMAGES.subarray(0, 20)), labels), 'expected 28 bytes (16-byte header + 3×2×2 values) but the file has 20', 'truncated', 're-download');
    throwsData(() => loadIdx(write('t2-images-idx3-ubyte.gz', gzipSync(IMAGES.subarray(0, 10))), labels), 'expected a 16-byte header but the file has 10 bytes after gunzip');
    throwsData(() => loadIdx(write('t3-images-idx3-ubyte', Buffer.from([0, 0])), labels), 'the file has 2', 'truncated');
    throwsData(() => loadIdx(write('pad-images-idx3-ubyte', Buffer.concat([IMAGES, Buffer.from([9])])), labels), 'expected 28 bytes', 'has 29', 'trailing bytes');
  });

  it('reports corrupt gzip data', () => {
    const corrupt = gzipSync(IMAGES);
    corrupt.fill(0x55, 12, 30);
    throwsData(() => loadIdx(write('c-images-idx3-ubyte.gz', corrupt), write('c-labels-idx1-ubyte', LABELS)), 'corrupt gzip data', 'Re-download');
  });

  it('rejects mismatched image and label counts and out-of-range labels', () => {
    const images = write('n-images-idx3-ubyte', IMAGES);
    throwsData(() => loadIdx(images, write('n-labels-idx1-ubyte', idx([2], [0, 1]))), 'has 3 images but', 'has 2 labels', 'belongs to these images');
    throwsData(() => loadIdx(images, write('r-labels-idx1-ubyte', LABELS), { numClasses: 2 }), 'label 0: class label 2 is out of range', '[0, 1]');
  });
});

describe('loadIdxDir', () => {
  it('concatenates train before test and pairs files by name', () => {
    const sub = join(dir, 'set');
    mkdirSync(sub);
    writeFileSync(join(sub, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([1, 2, 2], [255, 255, 255, 255])));
    writeFileSync(join(sub, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([1], [1])));
    writeFileSync(join(sub, 'train-images-idx3-ubyte.gz'), gzipSync(IMAGES));
    writeFileSync(join(sub, 'train-labels-idx1-ubyte.gz'), gzipSync(LABELS));
    const ds = loadDataset(sub);
    assert.equal(ds.n, 4);
    assert.deepEqual([...ds.y], [2, 0, 1, 1]);
    assert.deepEqual([...ds.x.subarray(12)], [1, 1, 1, 1]);
    const lone = join(dir, 'lone');
    mkdirSync(lone);
    writeFileSync(join(lone, 'x-images-idx3-ubyte'), IMAGES);
    assert.throws(() => loadIdxDir(lone), /Cannot find the labels file/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    throwsData(() => loadIdxDir(empty), 'no IDX image files', 'train-images-idx3-ubyte.gz');
    throwsData(() => loadIdxDir(join(dir, 'absent')), 'Cannot read dataset directory', 'ENOENT');
  });
});
