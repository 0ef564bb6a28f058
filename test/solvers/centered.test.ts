import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centered, centeredSolve } from '../../src/solvers/centered.js';
import { cost, paramCount, type GlmProblem } from '../../src/solvers/glm.js';
import { lbfgs } from '../../src/solvers/lbfgs.js';
import { gradScaleOf } from '../../src/solvers/solve.js';
import type { LossKind } from '../../src/models/architecture.js';
import { Rng } from '../../src/util/rng.js';

/** n rows of d features far from mean zero (pixel-like: 60% zeros, the rest in (0, 3); the last column all zeros, a pixel no image lights), k outputs, labels from a noisy linear rule. */
function problem(loss: LossKind, n: number, d: number, k: number, rate: number, seed = 3): GlmProblem {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d).map((_, j) => (rng.uniform() < 0.6 || j % d === d - 1 ? 0 : 3 * rng.uniform()));
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = x[i * d] - x[i * d + 1] + 0.5 * rng.normal();
    y[i] = loss === 'logistic' ? (s > 0 ? 1 : 0) : Math.min(k - 1, Math.max(0, Math.floor(s + k / 2)));
  }
  return { x, n, d, k, loss, y, rate };
}

for (const [loss, k] of [['logistic', 1], ['softmax_ce', 4]] as const) {
  test(`${loss}: the centered cost is the cost at θ = fromCentered(φ), its gradient matches central finite differences, and φ ↔ θ round-trips`, async () => {
    const p = problem(loss, 50, 6, k, 0.05);
    const c = await centered(p);
    const rng = new Rng(9);
    const dim = c.toCentered(new Float64Array(paramCount(p))).length;
    assert.equal(dim, paramCount(p) - k, 'the all-zero column is left out');
    const phi = new Float64Array(dim).map(() => 0.3 * rng.normal());
    const g = new Float64Array(dim);
    const f = await c.evaluate(phi, g);
    assert.ok(Math.abs(f - cost(p, c.fromCentered(phi))) < 1e-14 * Math.max(1, Math.abs(f)));
    c.toCentered(c.fromCentered(phi)).forEach((v, j) => assert.ok(Math.abs(v - phi[j]) < 1e-12, `φ${j}`));
    const eps = 1e-5;
    for (let j = 0; j < dim; j++) {
      const up = Float64Array.from(phi);
      const down = Float64Array.from(phi);
      up[j] += eps;
      down[j] -= eps;
      const fd = ((await c.evaluate(up, new Float64Array(dim))) - (await c.evaluate(down, new Float64Array(dim)))) / (2 * eps);
      assert.ok(Math.abs(fd - g[j]) < 1e-8, `∂/∂φ${j}: ${g[j]} vs ${fd}`);
    }
  });

  test(`${loss}: L-BFGS in centered coordinates reaches plain L-BFGS's minimizer, meeting the tolerance on the original gradient, in fewer iterations`, async () => {
    for (const rate of [1e-4, 1e-2, 1]) {
      const p = problem(loss, 200, 30, k, rate);
      const scale = gradScaleOf(p);
      const rule = { tol: 1e-10, maxIterations: 5000 };
      const plain = await lbfgs((t, g) => cost(p, t, g), new Float64Array(paramCount(p)), rule, scale);
      const fast = await centeredSolve(p, new Float64Array(paramCount(p)), rule, scale, 'lbfgs');
      assert.ok(plain.converged && fast.converged, `rate ${rate}: ${plain.reason ?? ''} ${fast.reason ?? ''}`);
      assert.ok(fast.gradNorm <= rule.tol * Math.max(1, scale), `rate ${rate}: ‖∇‖∞ ${fast.gradNorm}`);
      const g = new Float64Array(paramCount(p));
      assert.equal(cost(p, fast.theta, g), fast.cost);
      fast.theta.forEach((v, j) => assert.ok(Math.abs(v - plain.theta[j]) <= 1e-6 * (1 + Math.abs(plain.theta[j])), `rate ${rate}, θ${j}: ${v} vs ${plain.theta[j]}`));
      for (let c = 0; c < k; c++) assert.equal(fast.theta[(p.d - 1) * k + c], 0, 'the all-zero column keeps weight 0');
      assert.ok(fast.iterations < plain.iterations, `rate ${rate}: ${fast.iterations} centered vs ${plain.iterations} plain iterations`);
    }
  });
}

test('softmax through an ONNX Runtime session: the same cost and gradient as the JavaScript loop (float64 to 1e-13), and solveGlm its minimizer', async () => {
  const { softmaxSession, useSession } = await import('../../src/solvers/softmax-session.js');
  const { solveGlm } = await import('../../src/solvers/solve.js');
  // Every class present (an absent class's bias has no minimizer): labels are the argmax of random linear scores plus noise.
  const p = problem('softmax_ce', 600, 200, 10, 3e-3, 11);
  const lab = new Rng(12);
  const m = Float64Array.from({ length: p.d * p.k }, () => lab.normal());
  for (let i = 0; i < p.n; i++) {
    let best = 0;
    let top = -Infinity;
    for (let c = 0; c < p.k; c++) {
      let s = 3 * lab.normal();
      for (let a = 0; a < p.d; a++) s += p.x[i * p.d + a] * m[a * p.k + c];
      if (s > top) [top, best] = [s, c];
    }
    p.y[i] = best;
  }
  assert.ok(useSession(p), 'a problem this size goes through the session');
  const { evaluate } = await softmaxSession(p);
  const rng = new Rng(4);
  const dim = paramCount(p);
  const theta = new Float64Array(dim).map(() => 0.1 * rng.normal());
  const g1 = new Float64Array(dim);
  const g2 = new Float64Array(dim);
  const f1 = await evaluate(theta, g1);
  const f2 = cost(p, theta, g2);
  assert.ok(Math.abs(f1 - f2) <= 1e-13 * Math.abs(f2), `cost ${f1} vs ${f2}`);
  let top = 0;
  for (const v of g2) top = Math.max(top, Math.abs(v));
  g1.forEach((v, j) => assert.ok(Math.abs(v - g2[j]) <= 1e-13 * top, `∂θ${j}: ${v} vs ${g2[j]}`));
  const scale = gradScaleOf(p);
  const rule = { tol: 1e-10, maxIterations: 5000 };
  const plain = await lbfgs((t, g) => cost(p, t, g), new Float64Array(dim), rule, scale);
  const fast = await solveGlm(p, { method: 'lbfgs' });
  assert.ok(plain.converged, `plain: ${plain.reason}`);
  assert.ok(fast.converged && fast.gradNorm <= 1e-10 * Math.max(1, scale), `${fast.reason ?? ''} ‖∇‖∞ ${fast.gradNorm}`);
  fast.theta.forEach((v, j) => assert.ok(Math.abs(v - plain.theta[j]) <= 1e-6 * (1 + Math.abs(plain.theta[j])), `θ${j}: ${v} vs ${plain.theta[j]}`));
});
