/** Tests of evidence maximization for linear regression: scikit-learn BayesianRidge on diabetes, the exact Gaussian marginal, the curve's maximum. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { L2labError } from '../../src/errors.js';
import { centeredSpectrum } from '../../src/linalg/centered-spectrum.js';
import { cholesky, choleskyLogDet, choleskySolve } from '../../src/linalg/cholesky.js';
import { evidenceLinear, linearLogEvidence } from '../../src/tune/evidence/linear.js';
import { ridgePath } from '../../src/tune/closed-form/ridge.js';
import { Rng } from '../../src/util/rng.js';
import {
  datasetSkipReason, loadDiabetes, maxRelDiff, REF_DIR, runPythonJsonAsync, sklearnSkipReason, standardize, writeCsv,
} from '../fixtures/tune-datasets.js';

interface BayesRef {
  alpha_noise_precision: number;
  lambda_weight_precision: number;
  ridge_constant: number;
  gamma: number;
  log_marginal_likelihood: number;
  coef: number[];
  intercept: number;
}

const skipSklearn = sklearnSkipReason() || datasetSkipReason('diabetes_data_raw.csv.gz');
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const diabetes = skipSklearn ? null : loadDiabetes();
// Both reference runs start at load time so their interpreter start-ups overlap.
const refs = diabetes === null ? null : (() => {
  const csv = writeCsv('diabetes.csv', diabetes, diabetes.y);
  const args = [`${REF_DIR}/sklearn_bayesian_ridge.py`, csv, '--target', 'target'];
  return { raw: runPythonJsonAsync<BayesRef>(args), std: runPythonJsonAsync<BayesRef>([...args, '--standardize']) };
})();

for (const std of [false, true]) {
  test(`evidenceLinear matches scikit-learn BayesianRidge on the ${std ? 'standardized' : 'raw'} diabetes set`, { skip: skipSklearn }, async () => {
    assert.ok(diabetes && refs);
    const t = diabetes;
    const ref = await (std ? refs.std : refs.raw);
    const x = std ? standardize(t.x, t.n, t.d) : t.x;
    const ev = evidenceLinear(x, t.y);
    const diffs = {
      lambda: rel(ev.lambda, ref.ridge_constant),
      gamma: rel(ev.gamma, ref.gamma),
      logEvidence: rel(ev.logEvidence, ref.log_marginal_likelihood),
      // Names swap: our α (weight precision) is sklearn's lambda_, our β (noise precision) its alpha_.
      alpha: rel(ev.alpha, ref.lambda_weight_precision),
      beta: rel(ev.beta, ref.alpha_noise_precision),
      coef: maxRelDiff(ev.coef, ref.coef),
      intercept: rel(ev.intercept, ref.intercept),
    };
    console.log(`diabetes ${std ? 'standardized' : 'raw'}: λ = ${ev.lambda} (sklearn ${ref.ridge_constant}), γ = ${ev.gamma}, ln Z = ${ev.logEvidence}, ${ev.iterations} updates, ${ev.timing.totalMs.toFixed(1)} ms; rel diffs ${JSON.stringify(Object.fromEntries(Object.entries(diffs).map(([k, v]) => [k, Number(v.toExponential(2))])))}`);
    assert.ok(ev.converged);
    for (const [k, v] of Object.entries(diffs)) assert.ok(v < 1e-8, `${k}: relative difference ${v}`);
    // The posterior mean is the ridge solution at λ = α/β.
    const path = ridgePath(x, t.y, [ev.lambda]);
    assert.ok(maxRelDiff(path.coef[0], ev.coef) < 1e-10);
  });
}

function synthetic(n: number, d: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d).map(() => rng.normal() * 1.5 + 0.5);
  const w = Array.from({ length: d }, () => rng.normal());
  const y = new Float64Array(n).map((_, i) => {
    let s = 2;
    for (let j = 0; j < d; j++) s += w[j] * x[i * d + j];
    return s + 0.7 * rng.normal();
  });
  return { x, y };
}

test('log evidence equals ln N(yc | 0, β⁻¹I + α⁻¹XcXcᵀ) computed directly (n > d and n < d, with and without intercept)', () => {
  for (const [n, d] of [[30, 4], [12, 20]]) {
    const { x, y } = synthetic(n, d, n + d);
    for (const fitIntercept of [true, false]) {
      const sp = centeredSpectrum(x, y, n, d, fitIntercept);
      for (const [alpha, beta] of [[0.3, 2], [5, 0.1], [1e-3, 10]]) {
        // Covariance of the centered targets under the model.
        const cov = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < n; k++) {
            let s = 0;
            for (let j = 0; j < d; j++) s += (x[i * d + j] - sp.xMean[j]) * (x[k * d + j] - sp.xMean[j]);
            cov[i * n + k] = s / alpha + (i === k ? 1 / beta : 0);
          }
        }
        const l = cholesky(cov, n);
        assert.ok(l);
        const sol = choleskySolve(l, n, sp.yc);
        let quad = 0;
        for (let i = 0; i < n; i++) quad += sp.yc[i] * sol[i];
        const direct = -0.5 * (n * Math.log(2 * Math.PI) + choleskyLogDet(l, n) + quad);
        const ours = linearLogEvidence(sp, alpha, beta);
        assert.ok(Math.abs(ours - direct) < 1e-9 * Math.abs(direct), `n=${n} d=${d} intercept=${fitIntercept}: ${ours} vs ${direct}`);
      }
    }
  }
});

test('marginalizeIntercept: the log evidence is the exact ln ∫∫ N(y | Xw + b, β⁻¹I)·N(w | 0, α⁻¹I) dw db with raw X', () => {
  for (const [n, d] of [[30, 4], [12, 20]]) {
    const { x, y } = synthetic(n, d, 3 * n + d);
    const sp = centeredSpectrum(x, y, n, d, true);
    for (const [alpha, beta] of [[0.3, 2], [5, 0.1]]) {
      // y | b ~ N(b·1, Σ), Σ = β⁻¹I + α⁻¹XXᵀ (uncentered X); integrate b against a flat prior.
      const cov = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += x[i * d + j] * x[k * d + j];
          cov[i * n + k] = s / alpha + (i === k ? 1 / beta : 0);
        }
      }
      const l = cholesky(cov, n);
      assert.ok(l);
      const sy = choleskySolve(l, n, y);
      const s1 = choleskySolve(l, n, new Float64Array(n).fill(1));
      let yy = 0;
      let oy = 0;
      let oo = 0;
      for (let i = 0; i < n; i++) {
        yy += y[i] * sy[i];
        oy += sy[i];
        oo += s1[i];
      }
      const direct = -0.5 * (n * Math.log(2 * Math.PI) + choleskyLogDet(l, n) + yy - (oy * oy) / oo) + 0.5 * Math.log((2 * Math.PI) / oo);
      const ours = linearLogEvidence(sp, alpha, beta, true);
      assert.ok(Math.abs(ours - direct) < 1e-9 * Math.abs(direct), `n=${n} d=${d}: ${ours} vs ${direct}`);
    }
  }
});

test('n < d with an intercept: scikit-learn\'s convention has no finite optimum (reported), the exact marginal has one', () => {
  const n = 40;
  const d = 120;
  const rng = new Rng(9); // a draw whose exact marginal has an interior maximum (some draws prefer λ → ∞)
  const x = new Float64Array(n * d).map((_, i) => rng.normal() * (1 + (i % d) / 10) + 3);
  const w = Array.from({ length: d }, (_, j) => (j < 10 ? rng.normal() : 0));
  const y = new Float64Array(n).map((_, i) => 5 + w.reduce((s, wj, j) => s + wj * x[i * d + j], 0) + rng.normal());
  assert.throws(() => evidenceLinear(x, y), (e: unknown) => e instanceof L2labError && e.code === 'DIVERGED' && /marginalizeIntercept: true/.test(e.message));
  const ev = evidenceLinear(x, y, { marginalizeIntercept: true });
  assert.ok(ev.converged);
  assert.ok(ev.gamma > 1 && ev.gamma < n - 2, `γ = ${ev.gamma}`);
  // Fixed point of the exact convention: β = (n − 1 − γ)/‖r‖².
  const path = ridgePath(x, y, [ev.lambda]);
  assert.ok(rel(ev.beta, (n - 1 - ev.gamma) / (path.trainMse[0] * n)) < 1e-9);
  ev.curve.logEvidence.forEach((v) => assert.ok(v <= ev.logEvidence + 1e-9));
  console.log(`wide n=${n} < d=${d}, exact intercept marginalization: λ = ${ev.lambda.toPrecision(6)}, γ = ${ev.gamma.toFixed(3)}, ln Z = ${ev.logEvidence.toFixed(4)}`);
});

test('the fixed point satisfies MacKay\'s equations and maximizes the log-evidence curve', () => {
  const { x, y } = synthetic(80, 6, 5);
  const ev = evidenceLinear(x, y);
  assert.ok(ev.converged);
  const sp = centeredSpectrum(x, y, 80, 6, true);
  const path = ridgePath(x, y, [ev.lambda]);
  let w2 = 0;
  for (const c of ev.coef) w2 += c * c;
  const rss = path.trainMse[0] * 80;
  assert.ok(rel(ev.alpha, ev.gamma / w2) < 1e-10);
  assert.ok(rel(ev.beta, (80 - ev.gamma) / rss) < 1e-10);
  assert.ok(rel(ev.gamma, path.df[0]) < 1e-12);
  // No grid point beats the optimum, and the grid's best point brackets it.
  let best = 0;
  ev.curve.logEvidence.forEach((v, i) => {
    assert.ok(v <= ev.logEvidence + 1e-9);
    if (v > ev.curve.logEvidence[best]) best = i;
  });
  assert.ok(ev.curve.lambdas[best - 1] < ev.lambda && ev.lambda < ev.curve.lambdas[best + 1]);
  // Stationary in every direction of (α, β).
  for (const [fa, fb] of [[1.001, 1], [0.999, 1], [1, 1.001], [1, 0.999], [1.001, 1.001]]) {
    assert.ok(linearLogEvidence(sp, ev.alpha * fa, ev.beta * fb) < ev.logEvidence);
  }
  assert.ok(ev.gamma > 0 && ev.gamma < 6);
});

test('evidenceLinear reports options and degenerate data with stable codes', () => {
  const { x, y } = synthetic(10, 2, 1);
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof L2labError);
      return e.code;
    }
    return 'none';
  };
  assert.equal(code(() => evidenceLinear(x, y, { maxIter: 0 })), 'INVALID_OPTION');
  assert.equal(code(() => evidenceLinear(x, y, { tol: 2 })), 'INVALID_OPTION');
  assert.equal(code(() => evidenceLinear(x, y, { lambdas: [1, -2] })), 'INVALID_OPTION');
  assert.equal(code(() => evidenceLinear(x, new Float64Array(10).fill(3))), 'DIVERGED');
  assert.equal(code(() => evidenceLinear(x, y, { marginalizeIntercept: 1 as unknown as boolean })), 'INVALID_OPTION');
  assert.equal(code(() => evidenceLinear(x, y.subarray(0, 7))), 'SHAPE_MISMATCH');
  const few = evidenceLinear(x, y, { maxIter: 1 });
  assert.equal(few.iterations, 1);
  assert.equal(few.converged, false);
});
