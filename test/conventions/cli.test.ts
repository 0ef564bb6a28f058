/** `l2lab convert` end to end: spawns the CLI and checks exit codes, stdout, stderr and the JSON shape. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONVENTION_IDS } from '../../src/options/names.js';
import { NORMALIZATION_NOTE } from '../../src/conventions/normalization.js';
import { assertClose } from './helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function l2lab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('l2lab convert', () => {
  it('prints the value, formula, exactness and note', () => {
    const r = l2lab('--lambda', '0.01', '--from', 'seed', '--to', 'pytorch', '--m', '50000');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /seed λ = 0\.01 {2}→ {2}pytorch wd = 2e-7/);
    assert.match(r.stdout, /formula: wd = λ\/m {3}\(m = 50000\)/);
    assert.match(r.stdout, /exact: yes/);
    assert.match(r.stdout, /note: .*biases/);
    assert.equal(r.stderr, '');
  });

  it('ends its text output, one conversion or all, with the note on weights that feed a BatchNorm; --json leaves it out', () => {
    for (const args of [['--to', 'pytorch', '--m', '1000'], ['--m', '1000']]) {
      const r = l2lab('--lambda', '1', ...args);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.trimEnd().endsWith(`normalization:\n${NORMALIZATION_NOTE.join('\n')}`), r.stdout);
      assert.match(r.stdout, /no longer holds: λ as a Gaussian prior/);
      assert.match(r.stdout, /still holds: every conversion above/);
    }
    assert.doesNotMatch(l2lab('--lambda', '1', '--m', '1000', '--json').stdout, /normalization/);
  });

  it('--json prints exactly {lambda, from, to, value, formula, exact, note}', () => {
    const r = l2lab('--lambda', '1e-7', '--from', 'keras', '--to', 'adamw', '--optimizer', 'adam', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['lambda', 'from', 'to', 'value', 'formula', 'exact', 'note']);
    assert.equal(out.lambda, 1e-7);
    assert.equal(out.from, 'keras');
    assert.equal(out.to, 'adamw');
    assertClose(out.value as number, 2e-7);
    assert.equal(out.formula, 'wd = λ/m, where λ/m = 2·l');
    assert.equal(out.exact, false);
    assert.match(out.note as string, /√v̂/);
  });

  it('--to all --json lists every convention, marking the ones it cannot compute', () => {
    const r = l2lab('--lambda', '0.01', '--to', 'all', '--m', '50000', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { lambda: number; from: string; conversions: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(out), ['lambda', 'from', 'conversions']);
    assert.equal(out.from, 'seed');
    assert.deepEqual(out.conversions.map((c) => c.to), [...CONVENTION_IDS]);
    for (const c of out.conversions) {
      for (const key of ['to', 'value', 'formula', 'exact', 'note']) assert.ok(key in c, `${String(c.to)} lacks ${key}`);
    }
    const mlp = out.conversions.find((c) => c.to === 'sklearn-mlp');
    assert.equal(mlp?.value, null);
    assert.match(String(mlp?.error), /needs --batch-size/);
    assertClose(out.conversions.find((c) => c.to === 'keras')?.value as number, 1e-7);
  });

  it('prints a table by default (--to all)', () => {
    const r = l2lab('--lambda', '0.01', '--m', '50000', '--batch-size', '100', '--lr', '0.001');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /convention\s+symbol\s+value\s+exact\s+formula/);
    assert.match(r.stdout, /sklearn-mlp\s+α\s+2e-5\s+yes\s+α = λ·B\/m/);
    assert.match(r.stdout, /composer\s+wd\s+2e-10\s+no\s+wd = lr·λ\/m/); // decoupled, optimizer unknown
    assert.match(r.stdout, /sklearn-logistic\s+C\s+100\s+yes\s+C = 1\/λ/);
  });

  it('fails with a helpful message on a missing value', () => {
    const r = l2lab('--lambda', '0.01', '--to', 'keras');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^l2lab convert: error: Converting from seed to keras needs --m \(the training-set size m\): l = λ\/\(2m\)\./);
  });

  it('fails on a bad value, an unknown convention, a missing --lambda and a stray argument', () => {
    const negative = l2lab('--lambda=-1', '--to', 'keras', '--m', '10');
    assert.equal(negative.code, 2);
    assert.match(negative.stderr, /The 'lambda' option of convert must be a number in \[0, ∞\) \(seed's λ\)\. Got -1 instead\./);
    const text = l2lab('--lambda', 'abc', '--to', 'keras');
    assert.equal(text.code, 2);
    assert.match(text.stderr, /Got abc instead/);
    const unknown = l2lab('--lambda', '1', '--from', 'tensorflow', '--to', 'keras');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown convention 'tensorflow' in --from\. Known conventions: seed, keras/);
    const missing = l2lab('--to', 'keras');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --lambda/);
    const stray = l2lab('--lambda', '1', 'keras');
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /no positional arguments/);
    const optimizer = l2lab('--lambda', '1', '--to', 'adamw', '--optimizer', 'rmsprop');
    assert.equal(optimizer.code, 2);
    assert.match(optimizer.stderr, /Unknown --optimizer 'rmsprop'\. Known optimizers: sgd, momentum, nesterov, adam, adamw\./);
  });

  it('--help shows an example and every default', () => {
    const r = l2lab('--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Example:\n {2}l2lab convert --lambda 0\.01/);
    for (const option of ['--lambda', '--from', '--to', '--m', '--batch-size', '--lr', '--optimizer', '--noise-precision', '--json']) {
      const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${option} `));
      assert.ok(line, `help lists ${option}`);
    }
    assert.match(r.stdout, /--from A .*\(default: seed\)/);
    assert.match(r.stdout, /--to B .*\(default: all\)/);
    assert.match(r.stdout, /--json .*\(default: false\)/);
    for (const id of CONVENTION_IDS) assert.match(r.stdout, new RegExp(`^ {2}${id} `, 'm'));
  });
});
