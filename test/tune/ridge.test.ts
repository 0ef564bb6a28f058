/** Tests of the closed-form ridge path: scikit-learn RidgeCV on the diabetes set and a wide case, brute-force LOO/GCV, errors. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { L2labError } from '../../src/errors.js';
import { cholesky, choleskySolve } from '../../src/linalg/cholesky.js';
import { logSpace, ridgePath } from '../../src/tune/closed-form/ridge.js';
import { Rng } from '../../src/util/rng.js';
import {
  datasetSkipReason, loadDiabetes, maxRelDiff, REF_DIR, runPythonJsonAsync, sklearnSkipReason, standardize, writeCsv,
} from '../fixtures/tune-datasets.js';

interface RidgeRef { alphas: number[]; loo_mse: number[]; best_alpha: number; coef: number[]; intercept: number }

const skipSklearn = sklearnSkipReason() || datasetSkipReason('diabetes_data_raw.csv.gz');
const ALPHAS = logSpace(1e-4, 1e6, 21);

function ridgeCvArgs(csv: string, alphas: number[], standardizeFlag: boolean): string[] {
  const args = [`${REF_DIR}/sklearn_ridge_cv.py`, csv, '--target', 'target', '--alphas', alphas.map(String).join(',')];
  if (standardizeFlag) args.push('--standardize');
  return args;
}

function compareWithRidgeCv(label: string, ref: RidgeRef, x: Float64Array, y: Float64Array): void {
  const path = ridgePath(x, y, ref.alphas);
  const looRel = maxRelDiff(path.looMse, ref.loo_mse);
  const best = path.bestLoo.index;
  const coefRel = maxRelDiff(path.coef[best], ref.coef);
  const interceptRel = Math.abs(path.intercept[best] - ref.intercept) / Math.abs(ref.intercept);
  console.log(`${label}: ${path.method}, LOO MSE max rel diff ${looRel.toExponential(2)}, coef ${coefRel.toExponential(2)}, intercept ${interceptRel.toExponential(2)}, best α ${path.bestLoo.lambda} (sklearn ${ref.best_alpha}), ${path.timing.totalMs.toFixed(1)} ms`);
  assert.ok(looRel < 1e-6, `LOO MSE rel diff ${looRel}`);
  assert.equal(path.bestLoo.lambda, ref.best_alpha);
  assert.ok(coefRel < 1e-6, `coef rel diff ${coefRel}`);
  assert.ok(interceptRel < 1e-6, `intercept rel diff ${interceptRel}`);
}

function wideCase(n: number, d: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = rng.normal() * (1 + (i % d) / 10) + 3;
  const wTrue = Array.from({ length: d }, (_, j) => (j < 10 ? rng.normal() : 0));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 5;
    for (let j = 0; j < d; j++) s += x[i * d + j] * wTrue[j];
    y[i] = s + rng.normal();
  }
  return { x, y };
}

const WIDE = { n: 40, d: 120 };
const wide = wideCase(WIDE.n, WIDE.d, 7);
// Launch the reference runs together at load time; each test awaits its own.
const diabetes = skipSklearn ? null : loadDiabetes();
const refs = skipSklearn || !diabetes ? null : (() => {
  const csv = writeCsv('diabetes.csv', diabetes, diabetes.y);
  const wideCsv = writeCsv('wide.csv', { ...WIDE, x: wide.x, featureNames: Array.from({ length: WIDE.d }, (_, j) => `x${j}`) }, wide.y);
  return {
    raw: runPythonJsonAsync<RidgeRef>(ridgeCvArgs(csv, ALPHAS, false)),
    std: runPythonJsonAsync<RidgeRef>(ridgeCvArgs(csv, ALPHAS, true)),
    wide: runPythonJsonAsync<RidgeRef>(ridgeCvArgs(wideCsv, logSpace(1e-3, 1e5, 17), false)),
  };
})();

test('ridgePath matches scikit-learn RidgeCV on the raw diabetes set (LOO MSE per α, coefficients)', { skip: skipSklearn }, async () => {
  assert.ok(refs && diabetes);
  compareWithRidgeCv('diabetes raw', await refs.raw, diabetes.x, diabetes.y);
});

test('ridgePath matches scikit-learn RidgeCV on the standardized diabetes set', { skip: skipSklearn }, async () => {
  assert.ok(refs && diabetes);
  compareWithRidgeCv('diabetes standardized', await refs.std, standardize(diabetes.x, diabetes.n, diabetes.d), diabetes.y);
});

test('ridgePath matches scikit-learn RidgeCV on a wide synthetic case (n = 40 < d = 120, XXᵀ decomposition)', { skip: skipSklearn }, async () => {
  assert.ok(refs);
  const path = ridgePath(wide.x, wide.y, [1]);
  assert.equal(path.method, 'gram');
  assert.equal(path.eigenvalues.length, WIDE.n - 1); // centering removes one direction
  compareWithRidgeCv('wide n<d', await refs.wide, wide.x, wide.y);
});

/** Ridge with unpenalized intercept by the normal equations of [X, 1] (independent of the spectral path). */
function bruteRidge(x: Float64Array, y: Float64Array, n: number, d: number, lam: number, fitIntercept: boolean): Float64Array {
  const p = d + (fitIntercept ? 1 : 0);
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const row = (j: number) => (j < d ? x[i * d + j] : 1);
    for (let j = 0; j < p; j++) {
      b[j] += row(j) * y[i];
      for (let k = 0; k < p; k++) a[j * p + k] += row(j) * row(k);
    }
  }
  for (let j = 0; j < d; j++) a[j * p + j] += lam;
  const l = cholesky(a, p);
  assert.ok(l);
  return choleskySolve(l, p, b);
}

test('LOO errors equal n explicit refits, GCV equals its definition with the explicit hat matrix', () => {
  const n = 25;
  const d = 4;
  const rng = new Rng(3);
  const x = new Float64Array(n * d).map(() => rng.normal() * 2 + 1);
  const y = new Float64Array(n).map((_, i) => x[i * d] - 0.5 * x[i * d + 2] + 3 + rng.normal());
  const lambdas = [0.01, 0.7, 12, 300];
  for (const fitIntercept of [true, false]) {
    const path = ridgePath(x, y, lambdas, { fitIntercept });
    lambdas.forEach((lam, l) => {
      // Full fit: coefficients and fitted values.
      const theta = bruteRidge(x, y, n, d, lam, fitIntercept);
      assert.ok(maxRelDiff(path.coef[l], theta.subarray(0, d)) < 1e-10);
      assert.ok(Math.abs(path.intercept[l] - (fitIntercept ? theta[d] : 0)) < 1e-10);
      // Leave each sample out, refit, predict it.
      let loo = 0;
      for (let i = 0; i < n; i++) {
        const keep = [...Array(n).keys()].filter((k) => k !== i);
        const xs = new Float64Array((n - 1) * d);
        keep.forEach((k, r) => xs.set(x.subarray(k * d, k * d + d), r * d));
        const th = bruteRidge(xs, Float64Array.from(keep, (k) => y[k]), n - 1, d, lam, fitIntercept);
        let pred = fitIntercept ? th[d] : 0;
        for (let j = 0; j < d; j++) pred += th[j] * x[i * d + j];
        loo += (y[i] - pred) ** 2;
      }
      assert.ok(Math.abs(path.looMse[l] - loo / n) / (loo / n) < 1e-10, `LOO ${path.looMse[l]} vs ${loo / n}`);
      // tr(A) from d/dy of the fitted values: A e_i column by column.
      let trA = 0;
      for (let i = 0; i < n; i++) {
        const ei = new Float64Array(n);
        ei[i] = 1;
        const th = bruteRidge(x, ei, n, d, lam, fitIntercept);
        let fi = fitIntercept ? th[d] : 0;
        for (let j = 0; j < d; j++) fi += th[j] * x[i * d + j];
        trA += fi;
      }
      assert.ok(Math.abs(path.df[l] + (fitIntercept ? 1 : 0) - trA) < 1e-10);
      let sse = 0;
      for (let i = 0; i < n; i++) {
        let fi = fitIntercept ? theta[d] : 0;
        for (let j = 0; j < d; j++) fi += theta[j] * x[i * d + j];
        sse += (y[i] - fi) ** 2;
      }
      const gcv = (sse / n) / (1 - trA / n) ** 2;
      assert.ok(Math.abs(path.gcv[l] - gcv) / gcv < 1e-10);
    });
  }
});

test('default path: 100 log-spaced λ spanning the degrees of freedom; float32 input; wall time', () => {
  const { x, y } = wideCase(60, 8, 11);
  const path = ridgePath(Float32Array.from(x), y);
  assert.equal(path.lambdas.length, 100);
  const ratio = path.lambdas[1] / path.lambdas[0];
  for (let l = 1; l < 100; l++) assert.ok(Math.abs(path.lambdas[l] / path.lambdas[l - 1] - ratio) < 1e-9 * ratio);
  assert.ok(path.df[0] > 7.9 && path.df[99] < 0.1, `df from ${path.df[0]} to ${path.df[99]}`);
  for (let l = 1; l < 100; l++) assert.ok(path.df[l] < path.df[l - 1]);
  assert.ok(path.bestGcv.index >= 0 && path.bestLoo.index >= 0);
  assert.ok(path.timing.totalMs >= path.timing.decompositionMs && path.timing.decompositionMs >= 0);
  const l5 = logSpace(1e-2, 1e2, 5);
  assert.deepEqual(l5.map((v) => Number(v.toPrecision(12))), [0.01, 0.1, 1, 10, 100]);
});

test('ridgePath rejects bad options and data with stable codes', () => {
  const x = new Float64Array([1, 2, 3, 4, 5, 6]);
  const y = [1, 2, 3];
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof L2labError);
      return e.code;
    }
    return 'none';
  };
  assert.equal(code(() => ridgePath(x, y, [-1])), 'INVALID_OPTION');
  assert.equal(code(() => ridgePath(x, y, [])), 'INVALID_OPTION');
  assert.equal(code(() => ridgePath(x, [1, 2, 3, 4], [1])), 'SHAPE_MISMATCH');
  assert.equal(code(() => ridgePath(new Float64Array([1, NaN, 3, 4, 5, 6]), y, [1])), 'INVALID_DATA');
  assert.match(String((() => { try { ridgePath(x, y, [0]); } catch (e) { return (e as Error).message; } })()), /'lambdas' option of ridgePath must be a number in \(0, ∞\)\. Got 0 instead\./);
});
