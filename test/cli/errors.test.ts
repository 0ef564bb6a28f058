/**
 * Bad input to `l2lab train` / `l2lab evaluate`: each case exits non-zero with one clear error line that
 * names the file, line/column or option and the fix, and leaves no output file behind.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { l2lab, scratch } from './helpers.js';

const dir = scratch('cli-errors');
const file = (name: string, content: string | Buffer): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};

/** A small binary CSV dataset with string labels (so it is classification), 2 features. */
const GOOD_ROWS = Array.from({ length: 20 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'yes' : 'no'}`);
const good = file('good.csv', ['a,b,target', ...GOOD_ROWS].join('\n'));
const bad = (name: string, line3: string): string => file(name, ['a,b,target', GOOD_ROWS[0], line3, ...GOOD_ROWS.slice(2)].join('\n'));

function idx(kind: 'images' | 'labels', n: number, labels?: number[]): Buffer {
  if (kind === 'labels') {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(0x801, 0);
    head.writeUInt32BE(n, 4);
    return Buffer.concat([head, Buffer.from(labels ?? Array.from({ length: n }, (_, i) => i % 2))]);
  }
  const head = Buffer.alloc(16);
  [0x803, n, 2, 2].forEach((v, i) => head.writeUInt32BE(v, 4 * i));
  return Buffer.concat([head, Buffer.from(Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256))]);
}
const goodIdx = file('good-images-idx3-ubyte', idx('images', 20));
file('good-labels-idx1-ubyte', idx('labels', 20));
const wrongMagic = idx('images', 20);
wrongMagic.writeUInt32BE(0x1234, 0);
file('magic-images-idx3-ubyte', wrongMagic);
file('magic-labels-idx1-ubyte', idx('labels', 20));
file('short-images-idx3-ubyte', idx('images', 20).subarray(0, 16 + 20 * 4 - 7));
file('short-labels-idx1-ubyte', idx('labels', 20));
const gz = gzipSync(idx('images', 20));
file('corrupt-images-idx3-ubyte.gz', gz.subarray(0, gz.length >> 1));
file('corrupt-labels-idx1-ubyte.gz', gzipSync(idx('labels', 20)));
file('five-images-idx3-ubyte', idx('images', 20));
file('five-labels-idx1-ubyte', idx('labels', 20, Array.from({ length: 20 }, (_, i) => (i === 7 ? 5 : i % 2))));

interface Case {
  args: string[];
  /** Expected on stderr: what is wrong, where, and the fix. */
  stderr: RegExp[];
  code?: number;
  /** Default true: pass --out and check nothing was written. */
  out?: boolean;
}

const train = (data: string, ...rest: string[]): string[] => ['train', '--data', data, '--model', 'logistic', '--lambda', '1', '--epochs', '2', ...rest];

const CASES: Record<string, Case> = {
  'ragged CSV row': {
    args: train(bad('ragged.csv', '3,4')),
    stderr: [/ragged\.csv, line 3, column 3: the row has 2 fields but the header has 3/, /Give every row one value per header column/],
  },
  'non-numeric feature': {
    args: train(bad('text.csv', '3,abc,yes')),
    stderr: [/text\.csv, line 3, column 2 \('b'\): "abc" is not a number/, /encode the column as numbers/],
  },
  'empty feature': {
    args: train(bad('blank.csv', '3,,yes')),
    stderr: [/blank\.csv, line 3, column 2 \('b'\): value is empty/, /Fill in the missing value/],
  },
  'NaN feature': {
    args: train(bad('nan.csv', 'NaN,1,yes')),
    stderr: [/nan\.csv, line 3, column 1 \('a'\): "NaN" is not a finite number/, /Replace it with a finite value/],
  },
  'Inf feature': {
    args: train(bad('inf.csv', '1,-Infinity,yes')),
    stderr: [/inf\.csv, line 3, column 2 \('b'\): "-Infinity" is not a finite number/],
  },
  'missing target column': {
    args: train(good, '--target', 'label'),
    stderr: [/good\.csv, line 1: there is no column named 'label'\. The columns are: a, b, target\./, /target/],
  },
  'IDX with the wrong magic number': {
    args: train(path.join(dir, 'magic-images-idx3-ubyte')),
    stderr: [/magic-images-idx3-ubyte: wrong magic number 0x00001234, expected 0x00000803/, /Pass an IDX file in the MNIST format/],
  },
  'truncated IDX': {
    args: train(path.join(dir, 'short-images-idx3-ubyte')),
    stderr: [/short-images-idx3-ubyte: expected 96 bytes .* but the file has 89\. The file is truncated: re-download it/],
  },
  'corrupt gzip': {
    args: train(path.join(dir, 'corrupt-images-idx3-ubyte.gz')),
    stderr: [/corrupt-images-idx3-ubyte\.gz: corrupt gzip data/, /Re-download the file/],
  },
  'negative λ': {
    args: ['train', '--data', good, '--model', 'logistic', '--lambda', '-1'],
    stderr: [/The 'lambda' option of train must be a number in \[0, ∞\)\. Got -1 instead\./],
  },
  'NaN λ': {
    args: ['train', '--data', good, '--model', 'logistic', '--lambda', 'NaN'],
    stderr: [/The 'lambda' option of train must be a number in \[0, ∞\)\. Got NaN instead\./],
  },
  'missing λ': {
    args: ['train', '--data', good, '--model', 'logistic'],
    stderr: [/needs --lambda \(e\.g\. --lambda 0\.01; 0 trains without a penalty\)/],
  },
  'C = 0 in sklearn-logistic': {
    args: train(good, '--convention', 'sklearn-logistic', '--lambda', '0'),
    stderr: [/The 'lambda' option of train must be a number in \(0, ∞\) under --convention sklearn-logistic \(C = 1\/λ: C = 0 would be an infinite penalty\)/, /use --convention seed --lambda 0/],
  },
  'unknown convention': {
    args: train(good, '--convention', 'tensorflow'),
    stderr: [/Unknown --convention 'tensorflow'\. Use one of: seed, keras, pytorch/],
  },
  'batch size larger than m': {
    args: train(good, '--batch-size', '64'),
    stderr: [/--batch-size 64 is larger than the training split \(m = 14 samples\)\. Use --batch-size 14 or less\./],
  },
  'empty split': {
    args: train(good, '--test', '0.01'),
    stderr: [/The test split is empty: a 'test' fraction of 0\.01 leaves no samples \(train 18, validation 2, test 0 of 20 samples\)/, /Raise 'test' to at least/],
  },
  'no training rows': {
    args: train(good, '--validation', '0.5', '--test', '0.5'),
    stderr: [/add up to 1, leaving no training samples\. Make their sum less than 1\./],
  },
  'unknown dataset name': {
    args: train('mnist-60k'),
    stderr: [/Unknown dataset 'mnist-60k'\. Built-in datasets: mnist-10k, fashion-mnist, wine, breast-cancer, diabetes\./],
  },
  'unknown model spec': {
    args: ['train', '--data', good, '--model', 'rnn:32', '--lambda', '1'],
    stderr: [/Unknown model 'rnn:32'\. Use linear, logistic, softmax, mlp:W1,W2,… \(e\.g\. mlp:256,128\) or cnn:…/],
  },
  'cnn spec on tabular data': {
    args: ['train', '--data', good, '--model', 'cnn:c8k3,p2', '--lambda', '1'],
    stderr: [/Model spec 'cnn:c8k3,p2' needs images, but the data is tabular/],
  },
  'MLP spec without widths': {
    args: ['train', '--data', good, '--model', 'mlp:', '--lambda', '1'],
    stderr: [/Model spec 'mlp:': an MLP needs positive integer hidden widths, e\.g\. mlp:256/],
  },
  'model that does not fit the target': {
    args: ['train', '--data', 'wine', '--model', 'logistic', '--lambda', '1'],
    stderr: [/Model 'logistic' needs 2 classes; the data has 3 classes\. Use --model softmax\./],
  },
  'momentum out of range': {
    args: train(good, '--optimizer', 'momentum', '--momentum', '1.5'),
    stderr: [/The 'momentum' option of train must be a number in \[0, 1\)\. Got 1\.5 instead\./],
  },
  'fractional thread count': {
    args: train(good, '--threads', '1.5'),
    stderr: [/The 'threads' option of train must be a number in integers \[1, \d+\] \(\d+ = this machine's cores\)\. Got 1\.5 instead\. Use --threads \d+, or leave it out/],
  },
  'patience 0': {
    args: train(good, '--patience', '0'),
    stderr: [/The 'patience' option of train must be a number in integers \[1, ∞\)\. Got 0 instead\./],
  },
  '--out into a missing directory (refused before training)': {
    args: [...train(good), '--out', path.join(dir, 'no-such-dir', 'm.onnx')],
    out: false,
    stderr: [/Cannot write --out .*no-such-dir.*m\.onnx: directory .*no-such-dir does not exist\. Create it first/],
  },
  'unknown option': {
    args: train(good, '--learning-rate', '0.1'),
    stderr: [/Unknown option '--learning-rate'.*l2lab train --help/],
  },
  'divergence (--lr 1e6)': {
    args: ['train', '--data', 'breast-cancer', '--model', 'mlp:8', '--lambda', '0', '--lr', '1e6', '--batch-size', '16', '--epochs', '3'],
    code: 3,
    // NaN/Inf, or a loss exploding far past its start: either way the epoch and the step are named.
    stderr: [/training diverged: data loss .* at epoch 1, step \d+ of 24\. Lower --lr or --lambda\. Nothing was written to /],
  },
  'divergence with one (full-batch) step per epoch': {
    args: ['train', '--data', 'wine', '--model', 'mlp:8', '--lambda', '0', '--lr', '1e6', '--epochs', '10'],
    code: 3,
    stderr: [/training diverged: .* at epoch \d+, (after )?step 1 of 1\. Lower --lr or --lambda\. Nothing was written to /],
  },
};

describe('l2lab train: bad input', { concurrency: 4 }, () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const outDir = fs.mkdtempSync(path.join(dir, 'out-'));
      const out = path.join(outDir, 'model.onnx');
      const r = await l2lab(...c.args, ...(c.out === false ? [] : ['--out', out]));
      assert.equal(r.code, c.code ?? 2, `exit code; stderr: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one error line, no stack trace:\n${r.stderr}`);
      assert.match(lines[0], /^l2lab (train|evaluate): error: /);
      for (const re of c.stderr) assert.match(lines[0], re);
      assert.deepEqual(fs.readdirSync(outDir), [], 'no output file (nor a temporary one) is left behind');
      if ((c.code ?? 2) === 2) assert.equal(r.stdout, '', 'nothing on stdout before an input error');
    });
  }

  it('divergence with --json: exit 3, the JSON object says diverged with epoch and step, no --out file', async () => {
    const outDir = fs.mkdtempSync(path.join(dir, 'out-'));
    const r = await l2lab('train', '--data', 'breast-cancer', '--model', 'mlp:8', '--lambda', '0', '--lr', '1e6', '--batch-size', '16', '--json', '--out', path.join(outDir, 'm.onnx'));
    assert.equal(r.code, 3, r.stderr);
    const out = JSON.parse(r.stdout) as { diverged: boolean; divergence: { epoch: number; step: number; message: string } };
    assert.equal(out.diverged, true);
    assert.equal(out.divergence.epoch, 1);
    assert.ok(out.divergence.step >= 1 && out.divergence.step <= 24, `step ${out.divergence.step}`);
    assert.match(r.stderr, /training diverged: .*epoch 1, step/);
    assert.deepEqual(fs.readdirSync(outDir), []);
  });
});

describe('l2lab evaluate: bad input', { concurrency: 4 }, () => {
  const models = path.join(dir, 'models');
  let csvModel = '';
  let idxModel = '';
  before(async () => {
    fs.mkdirSync(models);
    csvModel = path.join(models, 'yesno.onnx');
    idxModel = path.join(models, 'idx.onnx');
    const [a, b] = await Promise.all([l2lab(...train(good, '--out', csvModel)), l2lab(...train(goodIdx, '--out', idxModel))]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
  });

  const evaluate = async (model: () => string, data: string, res: RegExp[]): Promise<void> => {
    const r = await l2lab('evaluate', '--model', model(), '--data', data);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    for (const re of res) assert.match(r.stderr, re);
  };

  it('evaluates good data (CSV and IDX)', async () => {
    const [a, b] = await Promise.all([l2lab('evaluate', '--model', csvModel, '--data', good), l2lab('evaluate', '--model', idxModel, '--data', goodIdx)]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /good\.csv: n = 4, loss \d\.\d+, accuracy \d+\.\d+%\nrows scored: test split: 4 of 20 rows \(seed 0, test 0\.2\)\n/);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /good-images-idx3-ubyte: n = \d+, loss \d[^\n]*\nrows scored: test split: \d+ of 20 rows/);
  });

  it('feature count that differs from the model', () =>
    evaluate(() => csvModel, 'wine', [/wine has 13 features but the model .*yesno\.onnx was trained on 2 \(a, b\)\. Use data with the same feature columns\./]));

  it('class label the model does not know (CSV)', () =>
    evaluate(() => csvModel, bad('maybe.csv', '3,4,maybe'), [/maybe\.csv, line 3, column 3 \('target'\): class label 'maybe' is not one of the classes no, yes\./, /Drop the samples/]));

  it('class label out of range (IDX labels)', () =>
    evaluate(() => idxModel, path.join(dir, 'five-images-idx3-ubyte'), [/five-labels-idx1-ubyte, label 7: class label 5 is out of range: the classes are 0, 1, so labels must be in \[0, 1\]\./, /drop the samples of other classes/]));

  it('bad values in the data are reported as for train', () =>
    evaluate(() => csvModel, path.join(dir, 'nan.csv'), [/nan\.csv, line 3, column 1 \('a'\): "NaN" is not a finite number/]));

  it('missing model, missing sidecar, and a file that is not a model', async () => {
    await evaluate(() => path.join(dir, 'none.onnx'), good, [/Model file .*none\.onnx not found\. Train one with 'l2lab train … --out /]);
    const lone = path.join(dir, 'lone.onnx');
    fs.copyFileSync(csvModel, lone);
    await evaluate(() => lone, good, [/Model sidecar .*lone\.onnx\.json not found: l2lab writes it beside the \.onnx file; copy both together\./]);
    const junk = path.join(dir, 'junk.onnx');
    fs.writeFileSync(junk, 'not a model');
    fs.copyFileSync(`${csvModel}.json`, `${junk}.json`);
    await evaluate(() => junk, good, [/junk\.onnx is not a model ONNX Runtime can load/, /Re-export it/]);
  });
});
