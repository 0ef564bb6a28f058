/** The seeded generator: reproducible, no short cycle, the moments of U(0,1) and N(0,1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';

test('the same seed gives the same stream; different seeds different ones', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.nextU32()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.nextU32()));
});

test('a million uniforms repeat no value and have mean 1/2 and variance 1/12 (within 5 standard errors)', () => {
  const r = new Rng(7);
  const N = 1_000_000;
  const seen = new Set<number>();
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < N; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    if (i < 300_000) seen.add(u);
    sum += u;
    sq += u * u;
  }
  assert.equal(seen.size, 300_000, 'no cycle within 300,000 draws');
  const mean = sum / N;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / N), `mean ${mean}`);
  assert.ok(Math.abs(sq / N - mean * mean - 1 / 12) < 5 * Math.sqrt(1 / 180 / N), `variance ${sq / N - mean * mean}`);
});

test('normals have variance 1 and permutations hold every index once', () => {
  const r = new Rng(3);
  const N = 200_000;
  let sq = 0;
  for (let i = 0; i < N; i++) sq += r.normal() ** 2;
  assert.ok(Math.abs(sq / N - 1) < 5 * Math.sqrt(2 / N), `variance ${sq / N}`);
  const p = r.permutation(1000);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
});
