import assert from 'node:assert/strict';
import { test } from 'node:test';
import { solveGlm, type GlmProblem } from '../../src/solvers/index.js';
import { ridgeSolves } from '../../src/solvers/ridge-path.js';
import { Rng } from '../../src/util/rng.js';

/** n rows of d features (columns on different scales and means), y linear in two of them plus noise. */
function linear(n: number, d: number, seed = 3): GlmProblem {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d).map((_, i) => (1 + (i % d)) * rng.normal() + (i % d));
  const y = new Float64Array(n).map((_, i) => 3 * x[i * d] - 2 * x[i * d + 1] + 50 + rng.normal());
  return { x, n, d, k: 1, loss: 'mse', y, rate: 0 };
}

test('ridgeSolves: one decomposition gives Newton\'s minimizer at every rate from 0 to 1e8, converged to the same tolerance', async () => {
  const p = linear(120, 6);
  const rates = [0, 1e-4, 0.01, 1, 100, 1e8];
  const fast = ridgeSolves(p, rates);
  for (const [i, rate] of rates.entries()) {
    const ref = await solveGlm({ ...p, rate }, { method: 'newton' });
    assert.ok(fast[i].converged, `rate ${rate}: ${fast[i].reason}`);
    assert.equal(fast[i].method, 'spectral');
    for (let j = 0; j < ref.theta.length; j++) assert.ok(Math.abs(fast[i].theta[j] - ref.theta[j]) <= 1e-8 * (1 + Math.abs(ref.theta[j])), `rate ${rate}, θ${j}: ${fast[i].theta[j]} vs ${ref.theta[j]}`);
  }
});

test('ridgeSolves: more features than rows (rank-deficient centered rows) still meets the tolerance at λ > 0', () => {
  const p = linear(8, 20);
  for (const r of ridgeSolves(p, [1e-3, 1, 10])) assert.ok(r.converged, r.reason);
});

test('ridgeSolves refuses a classification problem', () => {
  assert.throws(() => ridgeSolves({ ...linear(10, 2), loss: 'logistic' }, [1]), /linear/);
});
