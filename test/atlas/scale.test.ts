/** The scale analysis on synthetic cells with a known law: the bootstrap, the slope of log λ* on log P by width and depth, τ/T and the initial penalty. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeScale, bootstrap, fitSizeSlope, quantile, testOptimalLambda, type LambdaPoint, type SizeObservation } from '../../src/atlas/index.js';
import { Rng } from '../../src/util/rng.js';

const SIZES = [1.3e4, 5e4, 2e5, 8e5, 3.3e6, 1e7];

/** Cells whose λ* = 10^(a + slope·log10 P + offset[depth] + noise), two seeds, one intercept per dataset. */
function lawObservations(slope: number, noise: number, rng: Rng, offsets: Record<number, number> = { 1: 0 }): SizeObservation[] {
  const out: SizeObservation[] = [];
  for (const [dataset, a] of [['mnist', 0.4], ['fashion', 0.9]] as const) {
    for (const [depth, offset] of Object.entries(offsets)) {
      for (const params of SIZES) {
        for (let seed = 0; seed < 2; seed++) {
          const lambda = 10 ** (a + slope * Math.log10(params) + offset + noise * rng.normal());
          out.push({ setting: `${dataset}/d${depth}/${params}`, dataset, m: 1000, params, depth: Number(depth), lambda });
        }
      }
    }
  }
  return out;
}

/** The bootstrap's units: the observations of each setting. */
function groups(obs: SizeObservation[]): SizeObservation[][] {
  const map = new Map<string, SizeObservation[]>();
  for (const o of obs) map.set(o.setting, [...(map.get(o.setting) ?? []), o]);
  return [...map.values()];
}

test('quantile interpolates between order statistics', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4], 0), 1);
  assert.equal(quantile([1, 2, 3, 4], 1), 4);
  assert.ok(Math.abs(quantile([0, 10], 0.025) - 0.25) < 1e-12);
});

test('fitSizeSlope recovers the slope and the depth offsets exactly from noiseless cells', () => {
  const obs = lawObservations(-0.25, 0, new Rng(1), { 1: 0, 2: 0.3, 4: -0.5 });
  const [slope, off2, off4] = fitSizeSlope(obs, [2, 4])!;
  assert.ok(Math.abs(slope + 0.25) < 1e-9, `${slope}`);
  assert.ok(Math.abs(off2 - 0.3) < 1e-9 && Math.abs(off4 + 0.5) < 1e-9, `${off2} ${off4}`);
  assert.equal(fitSizeSlope(obs.filter((o) => o.params === 5e4)), null, 'one size: no slope');
  assert.equal(fitSizeSlope(obs.filter((o) => o.depth === 1), [2]), null, 'a depth absent: no offset');
});

test('the bootstrap interval of a noiseless slope is the slope itself; a noisy one covers the true slope', () => {
  const exact = bootstrap(groups(lawObservations(0.1, 0, new Rng(2))), (s) => fitSizeSlope(s), { resamples: 200 });
  const [lo, hi] = exact.intervals[0]!;
  assert.ok(Math.abs(lo - 0.1) < 1e-9 && Math.abs(hi - 0.1) < 1e-9, `${lo} ${hi}`);
  assert.equal(exact.used, 200);

  const noisy = bootstrap(groups(lawObservations(-0.2, 0.15, new Rng(3))), (s) => fitSizeSlope(s), { resamples: 1000, seed: 7 });
  const [nlo, nhi] = noisy.intervals[0]!;
  assert.ok(nlo < -0.2 && -0.2 < nhi, `[${nlo}, ${nhi}]`);
  assert.ok(nhi - nlo > 0.02 && nhi - nlo < 0.3, `width ${nhi - nlo}`);
  const again = bootstrap(groups(lawObservations(-0.2, 0.15, new Rng(3))), (s) => fitSizeSlope(s), { resamples: 1000, seed: 7 });
  assert.deepEqual(again.intervals, noisy.intervals, 'seeded: the same interval twice');
});

test('the 95% interval covers the true slope in most of 40 synthetic atlases', () => {
  const rng = new Rng(11);
  let covered = 0;
  for (let r = 0; r < 40; r++) {
    const b = bootstrap(groups(lawObservations(-0.3, 0.2, rng)), (s) => fitSizeSlope(s), { resamples: 400, seed: r });
    const [lo, hi] = b.intervals[0]!;
    if (lo <= -0.3 && -0.3 <= hi) covered++;
  }
  // Percentile intervals from few groups run a little narrow; 40 draws at 95% coverage would give ≥ 33 with probability > 0.99.
  assert.ok(covered >= 30, `covered ${covered} of 40`);
});

test('bootstrap refuses too few resamples and a level outside (0, 1)', () => {
  assert.throws(() => bootstrap([[1]], (s) => [s[0]], { resamples: 10 }), /'resamples' option of bootstrap must be an integer in \[100, ∞\)\. Got 10/);
  assert.throws(() => bootstrap([[1]], (s) => [s[0]], { level: 1 }), /'level' option of bootstrap must be a number in \(0, 1\)/);
});

test('testOptimalLambda reads the lowest finite test loss', () => {
  const curve = [0.1, 1, 10].map((lambda, i) => ({ lambda, test_loss: [0.5, 0.3, null][i], epochs: 10, converged: false, lambda_timescale_epochs: 1 }));
  assert.equal(testOptimalLambda(curve), 1);
  assert.equal(testOptimalLambda(null), null);
});

/** A scale point: defaults for what the analysis does not read. */
function point(p: { dataset: string; depth: number; params: number; seed: number; lambda: number; tauOverT: number; testOptimal: number; sumSq?: number }): LambdaPoint {
  const setting = `${p.dataset}/d${p.depth}/${p.params}/m=1000`;
  return {
    cell: `${setting}/seed=${p.seed}`, setting, dataset: p.dataset, model: `d${p.depth}`, m: 1000, seed: p.seed, params: p.params, units: 100, depth: p.depth, width: 64,
    batchSize: 32, lr: 0.1, lrEffective: 1, solver: 'sgd', epochs: 40, tauOverT: p.tauOverT, converged: false,
    testCurve: [0.1, p.testOptimal, 1000].map((lambda, i) => ({ lambda, test_loss: i === 1 ? 0.2 : 0.5, epochs: 40, converged: false, lambda_timescale_epochs: null })),
    init: p.sumSq === undefined ? null : { sum_sq: p.sumSq, data_loss: 2.5, m: 1000 },
    lambda: p.lambda, lambdaPytorch: p.lambda / 1000, lambda1se: null, edge: false,
  };
}

test('analyzeScale: slopes by width and depth with the depth factor, test-optimal beside CV, τ/T and the large nets at initialization', () => {
  const points: LambdaPoint[] = [];
  for (const dataset of ['mnist', 'fashion']) {
    for (const depth of [1, 2]) {
      for (const params of SIZES) {
        for (const seed of [0, 1]) {
          const lambda = 10 ** (0.5 - 0.1 * Math.log10(params) + (depth === 2 ? Math.log10(2) : 0));
          points.push(point({ dataset, depth, params, seed, lambda, tauOverT: params > 1e6 ? 1.5 : 0.5, testOptimal: 3, sumSq: params / 10 }));
        }
      }
    }
  }
  const a = analyzeScale(points, { resamples: 200 });
  const row = (dataset: string, family: string) => a.slopes.find((r) => r.dataset === dataset && r.family === family)!;
  assert.deepEqual(a.slopes.map((r) => `${r.dataset}:${r.family}`), ['mnist:width', 'mnist:depth 2', 'mnist:all depths', 'fashion:width', 'fashion:depth 2', 'fashion:all depths', 'all:width', 'all:depth 2', 'all:all depths']);
  assert.ok(Math.abs(row('mnist', 'width').cv!.slope + 0.1) < 1e-9);
  assert.ok(Math.abs(row('all', 'depth 2').cv!.slope + 0.1) < 1e-9);
  assert.ok(Math.abs(row('all', 'all depths').depthFactors[0].factor - 2) < 1e-9, 'depth 2 doubles λ* at matched P');
  assert.ok(Math.abs(row('all', 'width').testOptimal!.slope) < 1e-9, 'the test-optimal λ is 3 everywhere');
  assert.ok(Math.abs(row('mnist', 'width').decades - Math.log10(1e7 / 1.3e4)) < 1e-12);
  assert.equal(row('mnist', 'width').settings, 6);
  assert.deepEqual(a.acted, { cells: 48, notActed: 16 }, 'τ/T > 1 at the two largest sizes');
  assert.equal(a.large.length, 16);
  const big = a.large.find((c) => c.params === 1e7 && c.depth === 1)!;
  const penalty = (big.lambda / 2000) * 1e6;
  assert.ok(Math.abs(big.init!.penalty - penalty) < 1e-9 && Math.abs(big.init!.ratio - penalty / 2.5) < 1e-9 && Math.abs(big.init!.cost - (2.5 + penalty)) < 1e-9);
  assert.ok(Math.abs(big.init!.seedRatio - (0.01 / 2000) * 1e6 / 2.5) < 1e-12);
});

test('a slope from fewer than four settings gets no interval', () => {
  const points = [1e4, 1e5, 1e6].flatMap((params) => [0, 1].map((seed) => point({ dataset: 'mnist', depth: 1, params, seed, lambda: 3 + seed, tauOverT: 0.5, testOptimal: 3 })));
  const three = analyzeScale(points, { resamples: 200 }).slopes[0];
  assert.equal(three.settings, 3);
  assert.ok(three.cv !== null && three.cv.interval === null);
  const four = analyzeScale([...points, point({ dataset: 'mnist', depth: 1, params: 1e7, seed: 0, lambda: 3, tauOverT: 0.5, testOptimal: 3 })], { resamples: 200 }).slopes[0];
  assert.ok(four.cv!.interval !== null);
});
