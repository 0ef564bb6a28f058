import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cost, hessian, paramCount, solveGlm, type GlmProblem } from '../../src/solvers/index.js';
import type { LossKind } from '../../src/models/architecture.js';
import { Rng } from '../../src/util/rng.js';

/** A small random problem: n rows, d features (a `zeros` fraction of them 0, as pixels), k outputs, labels from a noisy linear rule. */
function problem(loss: LossKind, n: number, d: number, k: number, rate: number, seed = 1, zeros = 0): GlmProblem {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d).map(() => (rng.uniform() < zeros ? 0 : rng.normal()));
  const y = loss === 'mse' ? new Float64Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = x[i * d] - 0.5 * x[i * d + 1] + rng.normal();
    y[i] = loss === 'mse' ? 3 * s + 10 : loss === 'logistic' ? (s > 0 ? 1 : 0) : Math.min(k - 1, Math.max(0, Math.floor(s + k / 2)));
  }
  return { x, n, d, k, loss, y, rate };
}

for (const [loss, k] of [['mse', 1], ['logistic', 1], ['softmax_ce', 3]] as const) {
  test(`${loss}: gradient and Hessian match central finite differences, on rows that are 60% zeros (the cost walks only the nonzeros)`, () => {
    const p = problem(loss, 40, 4, k, 0.3, 1, 0.6);
    const rng = new Rng(7);
    const dim = paramCount(p);
    const theta = new Float64Array(dim).map(() => 0.3 * rng.normal());
    const g = new Float64Array(dim);
    cost(p, theta, g);
    const h = hessian(p, theta);
    const eps = 1e-5;
    for (let j = 0; j < dim; j++) {
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[j] += eps;
      down[j] -= eps;
      const gu = new Float64Array(dim);
      const gd = new Float64Array(dim);
      const fd = (cost(p, up, gu) - cost(p, down, gd)) / (2 * eps);
      assert.ok(Math.abs(fd - g[j]) < 1e-8, `∂cost/∂θ${j}: ${g[j]} vs ${fd}`);
      for (let i = 0; i < dim; i++) assert.ok(Math.abs((gu[i] - gd[i]) / (2 * eps) - h[i * dim + j]) < 1e-7, `H[${i},${j}]`);
    }
  });

  test(`${loss}: Newton and L-BFGS reach the same minimizer; ridge matches its normal equations`, async () => {
    const p = problem(loss, 200, 5, k, 0.05);
    const a = await solveGlm(p, { method: 'newton' });
    const b = await solveGlm(p, { method: 'lbfgs' });
    assert.ok(a.converged && b.converged, `${a.reason} ${b.reason}`);
    assert.ok(a.iterations <= 15, `Newton took ${a.iterations} iterations`);
    for (let j = 0; j < a.theta.length; j++) assert.ok(Math.abs(a.theta[j] - b.theta[j]) < 1e-7, `θ${j}: ${a.theta[j]} vs ${b.theta[j]}`);
  });
}

test('no divergence for λ/m from 0 to 1e8; huge λ shrinks the weights to 0 and leaves the bias at its unpenalized optimum', async () => {
  for (const rate of [0, 1e-8, 1, 1e4, 1e8]) {
    const p = problem('logistic', 300, 6, 1, rate, 3);
    const r = await solveGlm(p);
    assert.ok(Number.isFinite(r.cost) && r.converged, `rate ${rate}: ${r.reason}`);
    if (rate === 1e8) {
      let pos = 0;
      for (const v of p.y) pos += v;
      const q = pos / p.n;
      for (let j = 0; j < 6; j++) assert.ok(Math.abs(r.theta[j]) < 1e-7);
      assert.ok(Math.abs(r.theta[6] - Math.log(q / (1 - q))) < 1e-6);
    }
  }
});

test('λ = 0 on separable classes is reported as not converged, with the reason', async () => {
  const p = problem('logistic', 50, 3, 1, 0, 5);
  for (let i = 0; i < p.n; i++) p.y[i] = p.x[i * 3] > 0 ? 1 : 0;
  const r = await solveGlm(p);
  assert.equal(r.converged, false);
  assert.match(r.reason!, /separable/);
});

test('an iteration cap too small is reported with iterations and the gradient norm', async () => {
  const p = problem('softmax_ce', 200, 5, 3, 1e-3);
  const r = await solveGlm(p, { maxIterations: 1 });
  assert.equal(r.converged, false);
  assert.equal(r.iterations, 1);
  assert.ok(r.gradNorm > 0);
  assert.match(r.reason!, /no convergence in 1 Newton iterations/);
});

test('a long L-BFGS solve lets the event loop run (a worker heartbeats during it, not after)', async () => {
  // 1,010 parameters (above Newton's cap) on 2,000 rows: about a second of L-BFGS on a 2-core machine.
  const p = problem('softmax_ce', 2000, 100, 10, 1e-2, 5);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const t0 = performance.now();
  const r = await solveGlm(p, { method: 'lbfgs' });
  const ms = performance.now() - t0;
  clearInterval(timer);
  assert.ok(r.converged, r.reason);
  assert.ok(r.iterations > 20, `a solve long enough to need yields: ${r.iterations} iterations`);
  assert.ok(ticks > 0, `a 5 ms timer fired ${ticks} times during a ${ms.toFixed(0)} ms solve`);
});

test('two problems sharing one x with different outputs k each get their own sparse rows', () => {
  const one = problem('softmax_ce', 30, 4, 3, 0.1, 2, 0.5);
  const two = { ...one, k: 2, y: one.y.map((v) => v % 2) };
  const fresh = { ...two, x: Float64Array.from(one.x) };
  const theta = new Float64Array(paramCount(two)).map((_, j) => 0.1 * (j % 5) - 0.2);
  cost(one, new Float64Array(paramCount(one)));
  assert.equal(cost(two, theta), cost(fresh, theta));
});
