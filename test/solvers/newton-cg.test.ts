import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centered } from '../../src/solvers/centered.js';
import { cost, paramCount, type GlmProblem } from '../../src/solvers/glm.js';
import { newtonCg } from '../../src/solvers/newton-cg.js';
import { softmaxSession, useSession } from '../../src/solvers/softmax-session.js';
import { gradScaleOf, solveGlm } from '../../src/solvers/solve.js';
import { Rng } from '../../src/util/rng.js';

/** Pixel-like softmax rows (60% zeros, the rest in (0, 3), the last column all zeros) with every class present: labels the argmax of random linear scores plus noise. */
function problem(n: number, d: number, k: number, rate: number, seed: number): GlmProblem {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d).map((_, j) => (rng.uniform() < 0.6 || j % d === d - 1 ? 0 : 3 * rng.uniform()));
  const m = Float64Array.from({ length: d * k }, () => rng.normal());
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = 3 * rng.normal();
      for (let a = 0; a < d; a++) s += x[i * d + a] * m[a * k + c];
      if (s > top) [top, y[i]] = [s, c];
    }
  }
  return { x, n, d, k, loss: 'softmax_ce', y, rate };
}

test('the session\'s Hessian products in centered coordinates match central differences of the centered gradient', async () => {
  const p = problem(60, 7, 4, 0.05, 2);
  const c = await centered(p, softmaxSession);
  const rng = new Rng(5);
  const dim = c.toCentered(new Float64Array(paramCount(p))).length;
  const phi = new Float64Array(dim).map(() => 0.3 * rng.normal());
  await c.evaluate(phi, new Float64Array(dim));
  const product = await c.curvature!(phi);
  const eps = 1e-5;
  for (let trial = 0; trial < 3; trial++) {
    const v = new Float64Array(dim).map(() => rng.normal());
    const hv = new Float64Array(dim);
    await product(v, hv);
    const [gu, gd] = [new Float64Array(dim), new Float64Array(dim)];
    await c.evaluate(phi.map((x, j) => x + eps * v[j]), gu);
    await c.evaluate(phi.map((x, j) => x - eps * v[j]), gd);
    hv.forEach((h, j) => assert.ok(Math.abs(h - (gu[j] - gd[j]) / (2 * eps)) < 1e-7, `(H·v)${j}: ${h} vs ${(gu[j] - gd[j]) / (2 * eps)}`));
  }
});

test('Newton-CG on a quadratic reaches the linear solve; a cap too small is reported as no convergence', async () => {
  // f = ½θᵀAθ − bᵀθ with A = diag(1 … 100) plus a coupling: its minimizer solves A·θ = b.
  const dim = 100;
  const a = (v: Float64Array, out: Float64Array) => {
    for (let j = 0; j < dim; j++) out[j] = (j + 1) * v[j] + 0.5 * ((j > 0 ? v[j - 1] : 0) + (j < dim - 1 ? v[j + 1] : 0));
  };
  const b = Float64Array.from({ length: dim }, (_, j) => Math.sin(j));
  const objective = {
    evaluate(theta: Float64Array, grad: Float64Array) {
      a(theta, grad);
      let f = 0;
      for (let j = 0; j < dim; j++) {
        f += 0.5 * theta[j] * grad[j] - b[j] * theta[j];
        grad[j] -= b[j];
      }
      return f;
    },
    curvature: async () => async (v: Float64Array, out: Float64Array) => a(v, out),
  };
  const r = await newtonCg(objective, new Float64Array(dim), { tol: 1e-12, maxIterations: 50 }, 1);
  assert.ok(r.converged && r.method === 'newton-cg', r.reason);
  const residual = new Float64Array(dim);
  a(r.theta, residual);
  residual.forEach((v, j) => assert.ok(Math.abs(v - b[j]) <= 1e-12, `(Aθ − b)${j} = ${v - b[j]}`));
  const capped = await newtonCg(objective, new Float64Array(dim), { tol: 1e-12, maxIterations: 0 }, 1);
  assert.equal(capped.converged, false);
  assert.match(capped.reason!, /no convergence in 0 Newton-CG iterations/);
});

test('a large softmax problem goes to Newton-CG, which reaches the L-BFGS minimizer and meets the tolerance on the original gradient, cold and warm-started', async () => {
  const p = problem(600, 200, 10, 3e-3, 11);
  assert.ok(useSession(p), 'a problem this size goes through the session');
  const scale = gradScaleOf(p);
  const reference = await solveGlm(p, { method: 'lbfgs' });
  // A worker heartbeats during a long solve, not after: the CG loop yields to the event loop.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const t0 = performance.now();
  const cold = await solveGlm(p);
  const ms = performance.now() - t0;
  clearInterval(timer);
  assert.ok(ms < 100 || ticks > 0, `a 5 ms timer fired ${ticks} times during a ${ms.toFixed(0)} ms solve`);
  assert.ok(reference.converged, reference.reason);
  assert.equal(cold.method, 'newton-cg');
  const warm = await solveGlm({ ...p, rate: 2e-3 }, { init: cold.theta });
  const warmReference = await solveGlm({ ...p, rate: 2e-3 }, { method: 'lbfgs', init: cold.theta });
  for (const [r, ref] of [[cold, reference], [warm, warmReference]]) {
    assert.ok(r.converged && r.gradNorm <= 1e-10 * Math.max(1, scale), `${r.reason ?? ''} ‖∇‖∞ ${r.gradNorm}`);
    const g = new Float64Array(paramCount(p));
    assert.ok(Math.abs(cost({ ...p, rate: r === cold ? p.rate : 2e-3 }, r.theta, g) - r.cost) <= 1e-14 * Math.abs(r.cost));
    r.theta.forEach((v, j) => assert.ok(Math.abs(v - ref.theta[j]) <= 1e-6 * (1 + Math.abs(ref.theta[j])), `θ${j}: ${v} vs ${ref.theta[j]}`));
  }
  assert.ok(warm.passes < cold.passes, `warm ${warm.passes} vs cold ${cold.passes} passes over the rows`);
});

test('Newton-CG is for softmax only', async () => {
  const p = { ...problem(20, 3, 2, 0.1, 1), loss: 'logistic' as const, k: 1, y: new Int32Array(20) };
  await assert.rejects(solveGlm(p, { method: 'newton-cg' }), /Newton-CG handles softmax models only/);
});
