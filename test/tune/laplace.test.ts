/** Laplace evidence for networks: K-FAC eigenvalues, MacKay's fixed point, and the curvature graph against explicit Jacobians. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledGraph } from '../../src/engine/session.js';
import { tensor } from '../../src/engine/tensor.js';
import { symmetricEigen } from '../../src/linalg/sym-eigen.js';
import { paramShapes, type Architecture } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { buildCurvatureGraph } from '../../src/train/curvature-graph.js';
import { buildEvalGraph } from '../../src/train/eval-graph.js';
import { effectiveParameters, kfacEigenvalues, logEvidence, mackayDelta } from '../../src/tune/evidence/laplace.js';
import { Rng } from '../../src/util/rng.js';

const rng = new Rng(5);
const randomSpd = (n: number) => {
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += b[i * n + k] * b[j * n + k];
  return a;
};

test('K-FAC eigenvalues are the eigenvalues of N·(A/N ⊗ G/N), computed explicitly', () => {
  const [din, dout, n] = [3, 2, 7];
  const A = randomSpd(din);
  const G = randomSpd(dout);
  const h = [...kfacEigenvalues(A, din, G, dout, n)].sort((a, b) => b - a);
  const kron = new Float64Array(din * dout * din * dout);
  const D = din * dout;
  for (let i = 0; i < din; i++) for (let j = 0; j < dout; j++) for (let k = 0; k < din; k++) for (let l = 0; l < dout; l++) kron[(i * dout + j) * D + k * dout + l] = (n * (A[i * din + k] / n) * G[j * dout + l]) / n;
  const explicit = [...symmetricEigen(kron, D).values];
  h.forEach((v, i) => assert.ok(Math.abs(v - explicit[i]) < 1e-9 * Math.max(1, explicit[0]), `${v} vs ${explicit[i]}`));
});

test("MacKay's fixed point δ = γ(δ)/‖W‖² is where the log evidence (θ fixed) is stationary", () => {
  const h = [Float64Array.from({ length: 40 }, (_, i) => 10 ** (3 - i / 8))];
  const w2 = 12.5;
  const { delta, gamma } = mackayDelta(h, w2, 1);
  assert.ok(Math.abs(gamma / w2 - delta) / delta < 1e-5);
  assert.ok(Math.abs(gamma - effectiveParameters(h, delta)) < 1e-9);
  const f = (d: number) => logEvidence(h, d, w2, 0);
  const eps = delta * 1e-4;
  assert.ok(Math.abs((f(delta + eps) - f(delta - eps)) / (2 * eps)) < 1e-4, 'derivative vanishes');
  assert.ok(f(delta) > f(delta * 2) && f(delta) > f(delta / 2), 'and it is a maximum');
});

test('the curvature graph gives Σ(a²)ᵀ(g²) and the K-FAC sums of explicit per-sample Jacobians (squared error)', async () => {
  const arch: Architecture = { widths: [3, 4, 1], activation: 'tanh', loss: 'mse', dropout: [0] };
  const params = initParams(arch, 'glorot', 2);
  const n = 5;
  const x = Float64Array.from({ length: n * 3 }, () => rng.normal());
  const shapes = paramShapes(arch);
  const feeds: Record<string, ReturnType<typeof tensor>> = {};
  shapes.forEach((p, i) => (feeds[p.name] = tensor(params[i], p.kind === 'weight' ? [p.fanIn, p.fanOut] : [p.fanOut])));
  const session = await CompiledGraph.compile(buildCurvatureGraph(arch, 'float64'), { threads: 1 });
  const out = await session.run({ ...feeds, x: tensor(x, [n, 3]) });
  // Reference: per-sample gradient of the prediction w.r.t. W0 by central differences.
  const evalSession = await CompiledGraph.compile(buildEvalGraph(arch, 'float64'), { threads: 1 });
  const predict = async (w0: Float64Array) => (await evalSession.run({ ...feeds, W0: tensor(w0, [3, 4]), x: tensor(x, [n, 3]), y: tensor(new Float64Array(n), [n, 1]) })).logits.data as Float64Array;
  const diag = new Float64Array(12);
  for (let j = 0; j < 12; j++) {
    const up = Float64Array.from(params[0]);
    const down = Float64Array.from(params[0]);
    up[j] += 1e-6;
    down[j] -= 1e-6;
    const [pu, pd] = [await predict(up), await predict(down)];
    for (let i = 0; i < n; i++) diag[j] += ((pu[i] - pd[i]) / 2e-6) ** 2;
  }
  const D0 = out['D.0'].data as Float64Array;
  diag.forEach((v, j) => assert.ok(Math.abs(D0[j] - v) < 1e-6 * Math.max(1, v), `GGN diagonal ${j}: ${D0[j]} vs ${v}`));
  // K-FAC's factor A is Σ xxᵀ for the first layer.
  const A0 = out['A.0'].data as Float64Array;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * 3 + a] * x[i * 3 + b];
    assert.ok(Math.abs(A0[a * 3 + b] - s) < 1e-9);
  }
  await session.release();
  await evalSession.release();
});
