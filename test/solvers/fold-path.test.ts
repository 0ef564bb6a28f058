import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldPath, solveGlm, type FoldRows } from '../../src/solvers/index.js';
import { problemOf } from '../../src/solvers/model-rows.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import type { TrainingRows } from '../../src/data/index.js';
import { Rng } from '../../src/util/rng.js';

/** n rows of d standard-normal features, labels from a noisy linear rule (k classes; regression when k = 0). */
function rows(n: number, d: number, k: number, seed = 5): TrainingRows {
  const rng = new Rng(seed);
  const x = new Float32Array(n * d).map(() => rng.normal());
  const label = (i: number) => {
    const s = x[i * d] - 0.7 * x[i * d + 1] + 0.5 * rng.normal();
    return k === 0 ? 4 * s + 2 : Math.min(k - 1, Math.max(0, Math.floor(s + k / 2)));
  };
  const y = k === 0 ? Float32Array.from({ length: n }, (_, i) => label(i)) : Int32Array.from({ length: n }, (_, i) => label(i));
  return { n, d, x, y };
}

function folds(n: number, k: number): FoldRows[] {
  return Array.from({ length: k }, (_, j) => ({
    train: Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % k !== j),
    validation: Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % k === j),
  }));
}

for (const [model, k] of [['logistic', 2], ['softmax', 3], ['linear', 0]] as const) {
  test(`${model}: the warm path (extrapolated starts, reused Hessians, one decomposition for linear) gives every cold solve's minimizer`, async () => {
    const data = rows(90, 4, k);
    const arch = parseModelSpec(model, 4, k === 0 ? { task: 'regression' } : { task: 'classification', classes: k });
    const f = folds(90, 3);
    const lambdas = [0, 0.01, 0.3, 1, 3, 30, 1e3, 1e6].filter((l) => l > 0 || model === 'linear');
    const fits = await foldPath(arch, data, f, lambdas, (l, m) => l / m);
    for (const [i, lambda] of lambdas.entries()) {
      for (const [j, fold] of f.entries()) {
        const p = problemOf(arch, data, fold.train, lambda / fold.train.length);
        const cold = await solveGlm(p);
        const warm = fits[i][j].solve;
        assert.ok(warm.converged, `λ ${lambda}, fold ${j}: ${warm.reason}`);
        for (let q = 0; q < cold.theta.length; q++) assert.ok(Math.abs(warm.theta[q] - cold.theta[q]) <= 1e-7 * (1 + Math.abs(cold.theta[q])), `λ ${lambda}, fold ${j}, θ${q}: ${warm.theta[q]} vs ${cold.theta[q]}`);
        assert.ok(Math.abs(fits[i][j].trainLoss - (cold.cost - (0.5 * lambda / fold.train.length) * cold.theta.slice(0, p.d * p.k).reduce((s, v) => s + v * v, 0))) < 1e-9);
      }
    }
  });
}
