/** Tests of the λ grid specs: comma lists, inclusive arithmetic ranges without float drift, log ranges, and their error messages. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidOptionError } from '../../src/errors.js';
import { MAX_GRID_VALUES, parseLambdas, parseLogRange } from '../../src/options/lambda-grid.js';

test("the seed's range 0.01:0.4:0.01 gives exactly 0.01, 0.02, …, 0.4", () => {
  const got = parseLambdas('0.01:0.4:0.01');
  assert.equal(got.length, 40);
  assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => Number(((i + 1) / 100).toFixed(2))));
  for (const v of got) assert.ok(String(v).length <= 4, `drift in ${v}`);
  assert.ok(got.includes(0.3) && got.includes(0.07));
});

test('arithmetic ranges: start 0, start off the step decimals, end not on the grid, one value', () => {
  assert.deepEqual(parseLambdas('0:0.5:0.1'), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual(parseLambdas('0.005:0.03:0.01'), [0.005, 0.015, 0.025]);
  assert.deepEqual(parseLambdas('1:10:4'), [1, 5, 9]);
  assert.deepEqual(parseLambdas('0.2:0.2:0.1'), [0.2]);
  assert.deepEqual(parseLambdas(' 1e-3 : 3e-3 : 1e-3 '), [0.001, 0.002, 0.003]);
  assert.equal(parseLambdas(`1:${MAX_GRID_VALUES}:1`).length, MAX_GRID_VALUES);
});

test('comma lists keep the order written', () => {
  assert.deepEqual(parseLambdas('0.1,0,1e-3, 10'), [0.1, 0, 0.001, 10]);
  assert.deepEqual(parseLambdas('5'), [5]);
});

test('log ranges are geometric with exact, tidy endpoints', () => {
  assert.deepEqual(parseLogRange('1e-4:1:5'), [0.0001, 0.001, 0.01, 0.1, 1]);
  const g = parseLogRange('0.1:10:9');
  assert.equal(g.length, 9);
  assert.equal(g[0], 0.1);
  assert.equal(g[8], 10);
  assert.equal(g[4], 1);
  for (let i = 1; i < 9; i++) assert.ok(Math.abs(g[i] / g[i - 1] - 10 ** 0.25) < 1e-10);
});

function throwsWith(f: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InvalidOptionError, String(e));
    assert.equal(e.code, 'INVALID_OPTION');
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `'${e.message}' lacks '${p}'`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

test('--lambdas errors name the option, the bad text and a valid example', () => {
  const example = /e\.g\.|such as --lambdas 0\.01,0\.1,1/;
  throwsWith(() => parseLambdas('0.1,-1'), '--lambdas', "'0.1,-1'", '-1', 'negative', example);
  throwsWith(() => parseLambdas('0.1,abc'), '--lambdas', "'abc'", 'not a number', example);
  throwsWith(() => parseLambdas('0.1,NaN'), "'NaN'", 'not a number');
  throwsWith(() => parseLambdas('0x10'), 'not a number');
  throwsWith(() => parseLambdas('0.1,,1'), 'empty entry');
  throwsWith(() => parseLambdas(''), 'empty');
  throwsWith(() => parseLambdas('0.1,0.10'), 'appears twice');
  throwsWith(() => parseLambdas('0.1:1:0'), "'0.1:1:0'", 'step 0', '> 0', '--lambdas 0.01:0.4:0.01');
  throwsWith(() => parseLambdas('0.1:1:-0.1'), 'step -0.1');
  throwsWith(() => parseLambdas('0.4:0.01:0.01'), 'end 0.01 is below the start 0.4');
  throwsWith(() => parseLambdas('-1:1:0.5'), 'start -1 is negative');
  throwsWith(() => parseLambdas('0:1'), '3 fields');
  throwsWith(() => parseLambdas('0:1:x'), "step 'x'");
  throwsWith(() => parseLambdas('0:1:0.00001'), '100001 values', `${MAX_GRID_VALUES}`, 'larger step');
  throwsWith(() => parseLambdas(Array.from({ length: MAX_GRID_VALUES + 1 }, (_, i) => i).join(',')), `${MAX_GRID_VALUES + 1} values`);
});

test('--log-range errors name the option, the bad text and a valid example', () => {
  const example = '--log-range 1e-4:1:9';
  throwsWith(() => parseLogRange('0:1:5'), '--log-range', "'0:1:5'", 'lo = 0 must be > 0', example);
  throwsWith(() => parseLogRange('-1:1:5'), 'lo = -1');
  throwsWith(() => parseLogRange('1:0.1:5'), 'hi = 0.1 must be larger than lo = 1', example);
  throwsWith(() => parseLogRange('0.1:1:1'), 'n = 1', 'integer ≥ 2');
  throwsWith(() => parseLogRange('0.1:1:2.5'), 'n = 2.5');
  throwsWith(() => parseLogRange('0.1:1:20000'), 'n = 20000', `${MAX_GRID_VALUES}`);
  throwsWith(() => parseLogRange('0.1:1'), '3 fields');
  throwsWith(() => parseLogRange('a:1:3'), "lo 'a' is not a number");
});
