/** Canonical JSON (the basis of config comparison and default trial keys) and structural diffs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { L2labError } from '../../src/errors.js';
import { canonicalJson, jsonDiffPaths } from '../../src/study/json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined }, 'x'), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    assert.equal(canonicalJson({ lambda: 1e-4, fold: 0 }, 'params'), canonicalJson({ fold: 0, lambda: 0.0001 }, 'params'));
  });

  it('rejects what JSON cannot hold, naming the path', () => {
    const cases: [unknown, RegExp][] = [
      [{ a: [1, Number.NaN] }, /x\.a\[1\] must be JSON, but it is NaN/],
      [{ a: Number.POSITIVE_INFINITY }, /x\.a .*Infinity/],
      [{ f: () => 1 }, /x\.f must be JSON, but it is a function/],
      [{ d: new Date(0) }, /x\.d must be a plain JSON object, but it is a Date/],
      [{ n: 1n }, /x\.n must be JSON, but it is a bigint/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => canonicalJson(value, 'x'), (e: unknown) => e instanceof L2labError && e.code === 'INVALID_OPTION' && message.test(e.message));
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic, 'x'), /cycle/);
    const shared = { v: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }, 'x'), '{"a":{"v":1},"b":{"v":1}}', 'a shared value is not a cycle');
  });
});

describe('jsonDiffPaths', () => {
  it('lists the differing paths', () => {
    assert.deepEqual(jsonDiffPaths({ a: 1, b: { c: 2, d: [1, 2] } }, { a: 1, b: { c: 3, d: [1, 5] }, e: 0 }), ['b.c', 'b.d[1]', 'e']);
    assert.deepEqual(jsonDiffPaths([1, 2], [1, 2, 3]), ['(root)']);
    assert.deepEqual(jsonDiffPaths({ a: 1 }, { a: 1 }), []);
  });
});
