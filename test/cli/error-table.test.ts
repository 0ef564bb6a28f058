/**
 * Every bad input we have tried, run through the CLI's own dispatcher (in this process, one after
 * another: spawning ~90 processes takes minutes on a loaded machine): each exits non-zero with an
 * error line that names the option or file, never throws (what node would print as a stack trace),
 * and leaves nothing behind. The table of
 * command, exit code and first line is docs/errors.md: `L2LAB_WRITE_DOCS=1` rewrites it, otherwise
 * the test checks the committed file is current.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { openStorage } from '../../src/study/index.js';
import { loadDataset } from '../../src/data/index.js';
import { datasetCsv, l2labHere as l2lab, ROOT, scratch, type CliResult } from './helpers.js';

// One engine thread, as the other CLI tests; the cases run one at a time.
process.env.L2LAB_THREADS = '1';

const dir = scratch('error-table');
const at = (name: string): string => path.join(dir, name);
const write = (name: string, content: string | Buffer): string => {
  fs.writeFileSync(at(name), content);
  return at(name);
};

const ROWS = Array.from({ length: 20 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'yes' : 'no'}`);
const good = write('good.csv', ['a,b,target', ...ROWS].join('\n'));
const ragged = write('ragged.csv', ['a,b,target', ROWS[0], '3,4', ...ROWS.slice(2)].join('\n'));
const semicolons = write('semicolons.csv', ['a,b,target', ...ROWS].join('\n').replace(/,/g, ';'));
fs.mkdirSync(at('a-directory'));
const storage = at('studies.db');

function idx(kind: 'images' | 'labels', labels: number[]): Buffer {
  const n = labels.length;
  if (kind === 'labels') {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(0x801, 0);
    head.writeUInt32BE(n, 4);
    return Buffer.concat([head, Buffer.from(labels)]);
  }
  const head = Buffer.alloc(16);
  [0x803, n, 2, 2].forEach((v, i) => head.writeUInt32BE(v, 4 * i));
  return Buffer.concat([head, Buffer.from(Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256))]);
}
const stray = Array.from({ length: 20 }, (_, i) => (i === 11 ? 200 : i % 10));
const strayIdx = write('stray-images-idx3-ubyte', idx('images', stray));
write('stray-labels-idx1-ubyte', idx('labels', stray));
const digits = Array.from({ length: 20 }, (_, i) => i % 10);
const digitsIdx = write('digits-images-idx3-ubyte', idx('images', digits));
write('digits-labels-idx1-ubyte', idx('labels', digits));
// Wine's own columns, with one label no wine model knows.
const wine = loadDataset('wine');
const foreignClass = write('foreign-class.csv', datasetCsv(wine, Int32Array.from({ length: wine.n }, (_, i) => i)).replace(/,class_2\n/, ',class_9\n'));

const wineModel = at('wine.onnx');
const cancerModel = at('cancer.onnx');
const swapped = at('swapped.onnx');

/** `l2lab train` on the small CSV with `rest`, and the defaults `rest` does not override. */
const train = (...rest: string[]): string[] => [
  'train',
  ...Object.entries({ '--data': good, '--model': 'logistic', '--lambda': '1' }).flatMap(([flag, value]) => (rest.includes(flag) ? [] : [flag, value])),
  ...rest,
];
const tune = (...rest: string[]): string[] => ['tune', '--data', good, '--model', 'logistic', '--storage', storage, ...rest];
/** A first `l2lab ask` with a full context, `rest` overriding its flags. */
const ask = (...rest: string[]): string[] => [
  'ask',
  ...Object.entries({ '--study': 'loop', '--storage': storage, '--convention': 'pytorch', '--m': '6400', '--batch-size': '128', '--optimizer': 'momentum', '--lr': '0.1', '--epochs': '20' }).flatMap(([flag, value]) => (rest.includes(flag) ? [] : [flag, value])),
  ...rest,
];
const noStore = at('no-store.db');

/** Each case: the arguments after `l2lab`, and the exit code it must give. */
const CASES: [string[], number][] = [
  [['frobnicate'], 2],
  // train: required options, numbers and ranges
  [['train'], 2],
  [['train', '--data', 'wine'], 2],
  [['train', '--data', 'wine', '--model', 'softmax'], 2],
  [train('--lambda', '-1'), 2],
  [train('--lambda', 'NaN'), 2],
  [train('--lambda', 'abc'), 2],
  [train('--epochs', '1e300'), 2],
  [train('--epochs', '-3'), 2],
  [train('--epochs', '2.5'), 2],
  [train('--threads', '1000'), 2],
  [train('--threads', '0'), 2],
  [train('--threads', '1.5'), 2],
  [train('--seed', '1.5'), 2],
  [train('--lr', '0'), 2],
  [train('--lr', '-1'), 2],
  [train('--batch-size', '0'), 2],
  [train('--batch-size', '100000'), 2],
  [train('--test', '1'), 2],
  [train('--test', '0.01'), 2],
  [train('--validation', '0.5', '--test', '0.5'), 2],
  [train('--patience', '0'), 2],
  [train('--min-delta', '0.1'), 2],
  [train('--max-epochs', '5'), 2],
  [train('--momentum', '1.5', '--optimizer', 'momentum'), 2],
  [train('--optimizer', 'rmsprop2'), 2],
  [train('--solver', 'newton'), 2],
  [train('--init', 'zeros2'), 2],
  [train('--convention', 'tensorflow'), 2],
  [train('--convention', 'sklearn-logistic', '--lambda', '0'), 2],
  [train('--schedule', 'step', '--step-every', '0'), 2],
  [train('--step-every', '5'), 2],
  [train('--schedule', 'step', '--gamma', '2'), 2],
  [train('--dropout', '0.5'), 2],
  [train('--learning-rate', '0.1'), 2],
  // train: models
  [['train', '--data', good, '--model', 'mlp:1e12', '--lambda', '1'], 2],
  [['train', '--data', good, '--model', 'mlp:100000000', '--lambda', '1'], 2],
  [['train', '--data', good, '--model', 'mlp:8,,4', '--lambda', '1'], 2],
  [['train', '--data', good, '--model', 'mlp:', '--lambda', '1'], 2],
  [['train', '--data', good, '--model', 'cnn:3', '--lambda', '1'], 2],
  [['train', '--data', good, '--model', 'rnn:3', '--lambda', '1'], 2],
  [['train', '--data', good, '--model', 'mlp:4', '--activation', 'swish', '--lambda', '1'], 2],
  [['train', '--data', good, '--model', 'mlp:4', '--dropout', '1', '--lambda', '1'], 2],
  [['train', '--data', 'wine', '--model', 'logistic', '--lambda', '1'], 2],
  [['train', '--data', 'wine', '--model', 'linear', '--lambda', '1'], 2],
  // train: data and output paths
  [train('--data', at('missing.csv')), 2],
  [train('--data', 'mnist-60k'), 2],
  [train('--data', ragged), 2],
  [train('--data', semicolons), 2],
  [train('--target', 'label'), 2],
  [['train', '--data', strayIdx, '--model', 'softmax', '--lambda', '1'], 2],
  [train('--out', at('no-such-dir/m.onnx')), 2],
  [train('--out', at('a-directory')), 2],
  [train('--out', path.join(good, 'm.onnx')), 2],
  // tune
  [['tune'], 2],
  [tune('--population-size', '0'), 2],
  [tune('--strategy', 'random'), 2],
  [tune('--lambdas', 'a,b'), 2],
  [tune('--lambdas', '1', '--log-range', '0.1:1:3'), 2],
  [tune('--log-range', '0.1:1'), 2],
  [tune('--folds', '1'), 2],
  [tune('--folds', '30'), 2],
  [tune('--folds', '3', '--holdout', '0.2'), 2],
  [tune('--holdout', '1'), 2],
  [tune('--eta', '3'), 2],
  [tune('--strategy', 'sh', '--eta', '1'), 2],
  [tune('--strategy', 'bayes', '--trials', '0'), 2],
  [tune('--epochs', '1e300'), 2],
  [tune('--threads', '1000'), 2],
  [tune('--heartbeat-timeout', '0'), 2],
  [tune('--select', 'max'), 2],
  // ask, report, tell, best: a training loop l2lab does not run
  [ask('--lr', '-1'), 2],
  [ask('--strategy', 'ridge'), 2],
  [ask('--optimizer', 'adamw'), 2],
  [ask('--momentum', '0.9', '--optimizer', 'adam'), 2],
  [ask('--log-range', '0.001:100:5'), 2],
  [['ask', '--study', 'loop', '--storage', storage, '--convention', 'pytorch', '--m', '6400'], 2],
  [['ask', '--study', 'loop', '--storage', noStore], 2],
  [['report', '--study', 'loop', '--storage', noStore, '--trial', '0', '--epoch', '1', '--val-loss', '0.5'], 2],
  [['report', '--study', 'loop', '--storage', noStore, '--trial', '0', '--epoch', '1', '--val-loss', 'abc'], 2],
  [['tell', '--study', 'loop', '--storage', noStore, '--trial', '0', '--val-loss', '1', '--state', 'failed'], 2],
  [['best', '--study', 'loop', '--storage', noStore], 2],
  [tune('--plot', at('no-such-dir/c.svg')), 2],
  [tune('--plot', at('a-directory')), 2],
  [['tune', '--data', good, '--model', 'logistic', '--storage', 'postgres://me:secret@db.example:notaport/l2lab'], 2],
  // evaluate
  [['evaluate'], 2],
  [['evaluate', '--model', at('missing.onnx'), '--data', good], 2],
  [['evaluate', '--model', swapped, '--data', 'wine'], 2],
  [['evaluate', '--model', wineModel, '--data', good], 2],
  [['evaluate', '--model', cancerModel, '--data', 'wine'], 2],
  [['evaluate', '--model', wineModel, '--data', digitsIdx], 2],
  [['evaluate', '--model', wineModel, '--data', foreignClass], 2],
  // inspect, atlas, demo, studies, show, convert
  [['inspect', '--data', 'wine', '--model', 'mlp:1e12', '--lambda', '1'], 2],
  [['inspect', '--data', 'wine', '--model', 'softmax', '--lambda', '1', '--threads', '1000'], 2],
  [['atlas'], 2],
  [['atlas', at('missing.json')], 2],
  [['atlas', 'atlas/smoke.json', '--threads', '1000', '--storage', storage], 2],
  [['atlas', 'atlas/smoke.json', '--out', good, '--storage', storage], 2],
  [['demo', '--epochs', '1e300'], 2],
  [['demo', '--lambda', '-1'], 2],
  [['studies', '--delete', 'no-such-study', '--storage', storage], 2],
  [['show', '--storage', storage], 2],
  [['show', 'no-such-study', '--storage', storage], 2],
  [['studies', '--storage', at('typo.db')], 2],
  [['show', 'no-such-study', '--storage', at('typo.db')], 2],
  [['studies', '--delete', 'no-such-study', '--storage', at('typo.db')], 2],
  [['convert', '--lambda', '-1'], 2],
  [['convert', '--lambda', '1', '--to', 'tensorflow'], 2],
];

/** What differs between machines and runs, written as placeholders: the scratch folder and the core count. */
function portable(text: string): string {
  const cores = os.availableParallelism();
  return text
    .split(dir)
    .join('$TMP')
    .replace(new RegExp(`cores \\(${cores}\\)\\. Use --threads ${cores}`, 'g'), 'cores ($CORES). Use --threads $CORES')
    .replace(new RegExp(`\\[1, ${cores}\\] \\(${cores} = this machine's cores\\)(.*) Use --threads ${cores},`, 'g'), "[1, $CORES] ($CORES = this machine's cores)$1 Use --threads $CORES,");
}

function row(args: string[], r: CliResult): string {
  const first = (r.stderr.trim() || r.stdout.trim()).split('\n')[0];
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return `| \`${cell(portable(['l2lab', ...args].join(' ')))}\` | ${r.code} | ${cell(portable(first))} |`;
}

const DOC = path.join(ROOT, 'docs/errors.md');

describe('every bad input tried: exit code, one error line, no stack trace (docs/errors.md)', () => {
  const results: (CliResult | undefined)[] = [];
  before(async () => {
    process.chdir(ROOT);
    // Two real models, and one whose sidecar belongs to the other.
    const a = await l2lab('train', '--data', 'wine', '--model', 'softmax', '--lambda', '1', '--out', wineModel);
    const b = await l2lab('train', '--data', 'breast-cancer', '--model', 'logistic', '--lambda', '1', '--out', cancerModel);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    fs.copyFileSync(cancerModel, swapped);
    fs.copyFileSync(`${wineModel}.json`, `${swapped}.json`);
    // An existing store without studies, for the cases that name a study it lacks.
    await (await openStorage(storage)).close();
    for (const [args] of CASES) results.push(await l2lab(...args));
  });

  it(`has at least 60 cases (${CASES.length})`, () => assert.ok(CASES.length >= 60));

  it('each exits with its code and one error line naming the command, without a stack trace', () => {
    for (const [i, [args, code]] of CASES.entries()) {
      const r = results[i]!;
      const what = `l2lab ${args.join(' ')}\n${r.stderr}`;
      assert.equal(r.code, code, what);
      assert.match(r.stderr, /^l2lab( [a-z]+)?: (error: )?\S/, what);
      assert.doesNotMatch(r.stderr, /^\s+at |node:internal|Error: |RangeError|TypeError/m, what);
      assert.equal(r.stdout, '', `nothing on stdout before an input error: ${what}`);
    }
  });

  it('leaves nothing behind: no output file, no temporary file, no study', async () => {
    const left = fs.readdirSync(dir).filter((f) => !/^(good|ragged|semicolons|numbers|foreign-class)\.csv$|^(stray|digits)-|^a-directory$|^(wine|cancer|swapped)\.onnx(\.json)?$|^studies\.db/.test(f));
    assert.deepEqual(left, []);
    assert.deepEqual(fs.readdirSync(at('a-directory')), []);
    const store = await openStorage(storage);
    assert.deepEqual(await store.listStudies(), [], 'every tune case was refused before its study was created');
    await store.close();
  });

  it('docs/errors.md is the table of these cases', () => {
    const table = [
      '# Errors: every bad input tried',
      '',
      'Generated by `test/cli/error-table.test.ts` (rewrite with `L2LAB_WRITE_DOCS=1 node --import tsx --test test/cli/error-table.test.ts`).',
      'Each command exits non-zero and prints one error line that names the option or file and a fix; `$TMP` is a scratch folder, `$CORES` the machine\'s cores.',
      '',
      '| command | exit | first line of output |',
      '| --- | --- | --- |',
      ...CASES.map(([args], i) => row(args, results[i]!)),
      '',
    ].join('\n');
    if (process.env.L2LAB_WRITE_DOCS === '1') fs.writeFileSync(DOC, table);
    assert.equal(fs.readFileSync(DOC, 'utf8'), table, 'docs/errors.md is stale: rewrite it with L2LAB_WRITE_DOCS=1 node --import tsx --test test/cli/error-table.test.ts');
  });
});
