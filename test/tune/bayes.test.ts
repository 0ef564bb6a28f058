/** Tests of the Gaussian process and the Bayesian-optimization sampler: Φ and EI against closed forms, interpolation, and finding a known minimum deterministically. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidOptionError, L2labError, NotFittedError } from '../../src/errors.js';
import { BayesSampler, expectedImprovement, normalCdf, normalPdf, type Observation } from '../../src/tune/samplers/bayes-sampler.js';
import { GaussianProcess, matern52 } from '../../src/tune/samplers/gaussian-process.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

test('normalCdf matches reference values to ~1e-14 relative, tails included', () => {
  // Reference values: scipy.stats.norm.cdf.
  const ref: [number, number][] = [
    [0, 0.5], [1, 0.8413447460685429], [-1, 0.15865525393145707], [2, 0.9772498680518208],
    [-2.5, 0.006209665325776132], [-4.2, 1.3345749015906309e-5], [-5, 2.866515718791939e-7], [-8, 6.22096057427178e-16],
  ];
  for (const [z, p] of ref) close(normalCdf(z), p, 1e-13 * p, `Φ(${z})`);
  close(normalPdf(0), 1 / Math.sqrt(2 * Math.PI), 1e-16);
});

test('expectedImprovement matches the closed form on hand-computed cases', () => {
  const phi0 = 0.3989422804014327; // φ(0)
  const phi1 = 0.24197072451914337; // φ(1) = φ(−1)
  const Phi1 = 0.8413447460685429;
  // mu = best, xi = 0: I = 0, EI = σ·φ(0).
  close(expectedImprovement(0, 1, 0, 0), phi0, 1e-15);
  close(expectedImprovement(3, 2, 3, 0), 2 * phi0, 1e-15);
  // I = −1, σ = 1: EI = −Φ(−1) + φ(−1).
  close(expectedImprovement(1, 1, 0, 0), -(1 - Phi1) + phi1, 1e-15);
  // I = 1, σ = 1: EI = Φ(1) + φ(1).
  close(expectedImprovement(-1, 1, 0, 0), Phi1 + phi1, 1e-15);
  // xi shifts the incumbent: mu = −1.1, xi = 0.1 is the case above.
  close(expectedImprovement(-1.1, 1, 0, 0.1), Phi1 + phi1, 1e-15);
  // Default xi = 0.01; scale invariance EI(c·mu, c·σ, c·best, c·xi) = c·EI.
  close(expectedImprovement(0.3, 0.2, 0.5), expectedImprovement(3, 2, 5, 0.1) / 10, 1e-15);
  // σ = 0: the plain improvement.
  assert.equal(expectedImprovement(1, 0, 3, 0.5), 1.5);
  assert.equal(expectedImprovement(4, 0, 3, 0), 0);
  // EI grows as σ grows and as mu falls.
  assert.ok(expectedImprovement(1, 2, 0, 0) > expectedImprovement(1, 1, 0, 0));
  assert.ok(expectedImprovement(0.5, 1, 0, 0) > expectedImprovement(1, 1, 0, 0));
});

test('matern52 at hand-computed distances', () => {
  assert.equal(matern52(0, 2), 1);
  close(matern52(2, 2), (1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5)), 1e-15);
  assert.equal(matern52(-1.5, 0.7), matern52(1.5, 0.7));
  assert.ok(matern52(1, 1) > matern52(2, 1));
});

test('the GP interpolates its data: posterior variance ≈ 0 at the data, larger between', () => {
  const x = [-3, -2, -1.2, 0, 0.7, 2];
  const y = x.map((v) => 0.2 * (v + 0.5) ** 2 + 0.1 * Math.sin(2 * v) + 1);
  for (const gp of [new GaussianProcess({ noiseRatio: 1e-8 }).fit(x, y), new GaussianProcess().fit(x, y)]) {
    const { noiseVariance, signalVariance } = gp.hyperparameters;
    assert.ok(noiseVariance / signalVariance <= 1e-4, `noise ratio ${noiseVariance / signalVariance} for noiseless data`);
    const vy = gp.targetScale.std ** 2;
    for (let i = 0; i < x.length; i++) {
      const p = gp.predict(x[i]);
      close(p.mean, y[i], 1e-3 * gp.targetScale.std, `mean at x = ${x[i]}`);
      assert.ok(p.variance < 1e-3 * vy, `variance ${p.variance} at x = ${x[i]}`);
      if (i > 0) {
        const mid = gp.predict((x[i - 1] + x[i]) / 2).variance;
        assert.ok(mid > 10 * Math.max(p.variance, gp.predict(x[i - 1]).variance), `variance between ${x[i - 1]} and ${x[i]}: ${mid}`);
      }
    }
    // Far from the data the variance returns to the prior's σ² (in units of y²) and the mean to ȳ.
    const far = gp.predict(1e3);
    close(far.variance, signalVariance * vy, 1e-9 * vy);
    close(far.mean, gp.targetScale.mean, 1e-9);
  }
});

test('the GP fits a larger noise to noisy data, and checks its inputs', () => {
  const x = Array.from({ length: 25 }, (_, i) => -3 + (6 * i) / 24);
  // A fixed ±0.3 zig-zag on a smooth curve: pure noise at this spacing.
  const y = x.map((v, i) => 0.1 * v * v + (i % 2 === 0 ? 0.3 : -0.3));
  const gp = new GaussianProcess().fit(x, y);
  assert.ok(gp.hyperparameters.noiseVariance / gp.hyperparameters.signalVariance >= 0.1, JSON.stringify(gp.hyperparameters));
  assert.ok(Number.isFinite(gp.hyperparameters.logMarginalLikelihood));
  // Noise-aware: it does not chase the zig-zag.
  assert.ok(Math.abs(gp.predict(0).mean - 0) < 0.2);

  assert.throws(() => new GaussianProcess().predict(0), NotFittedError);
  assert.throws(() => new GaussianProcess().fit([0, 1], [1, NaN]), /point 1 is \(1, NaN\)/);
  assert.throws(() => new GaussianProcess().fit([0, 1], [1]), /same non-zero length/);
  assert.throws(() => new GaussianProcess({ lengthScale: 0 }), /'lengthScale'.*\(0, ∞\)/);
  assert.throws(() => new GaussianProcess({ lengthScaleBounds: [2, 1] }), /'lengthScaleBounds'/);
  assert.throws(() => new GaussianProcess({ noiseRatio: -1 }), /'noiseRatio'/);
  // One point, or all-equal targets: still a usable model.
  const one = new GaussianProcess().fit([0.5], [2]);
  close(one.predict(0.5).mean, 2, 1e-12);
  const flat = new GaussianProcess().fit([0, 1, 2], [3, 3, 3]);
  close(flat.predict(1.5).mean, 3, 1e-9);
});

test('initialPoints: evenly spread, endpoints included, seeded jitter within a quarter spacing', () => {
  const bo = new BayesSampler({ lo: -4, hi: 2, seed: 1 });
  const pts = bo.initialPoints();
  assert.equal(pts.length, 4);
  assert.equal(pts[0], -4);
  assert.equal(pts[3], 2);
  for (let i = 1; i < 3; i++) assert.ok(Math.abs(pts[i] - (-4 + 2 * i)) <= 0.5 && pts[i] !== -4 + 2 * i);
  assert.deepEqual(new BayesSampler({ lo: -4, hi: 2, seed: 1 }).initialPoints(), pts);
  assert.notDeepEqual(new BayesSampler({ lo: -4, hi: 2, seed: 2 }).initialPoints(), pts);
  assert.deepEqual(bo.initialPoints(2), [-4, 2]);
  assert.deepEqual(bo.initialPoints(1), [-1]);
  const seven = bo.initialPoints(7);
  for (let i = 1; i < 7; i++) assert.ok(seven[i] > seven[i - 1]);
  assert.throws(() => bo.initialPoints(0), /'n' of BayesSampler.initialPoints/);
});

/** A quadratic in log10 λ with its minimum at −1.3, plus a small bump near 0.5. */
const bumpy = (x: number) => 0.1 * (x + 1.3) ** 2 + 0.3 + 0.05 * Math.exp(-((x - 0.5) ** 2) / 0.1);

/** Runs BO from the default 4 initial points up to `budget` evaluations, or until shouldStop when `stop` is set. */
function optimize(f: (x: number) => number, budget: number, stop = false): Observation[] {
  const bo = new BayesSampler({ lo: -4, hi: 2 });
  const obs = bo.initialPoints().map((x) => ({ x, y: f(x) }));
  while (obs.length < budget) {
    const p = bo.propose(obs);
    assert.ok(obs.every((o) => Math.abs(o.x - p.x) >= 1e-6), `re-proposed ${p.x}`);
    assert.ok(p.x >= -4 && p.x <= 2);
    if (stop && bo.shouldStop(obs, p.expectedImprovement)) break;
    obs.push({ x: p.x, y: f(p.x) });
  }
  return obs;
}

test('BO finds the minimum of a known function within 0.05 decade in ≤ 12 evaluations, deterministically', () => {
  const obs = optimize(bumpy, 12);
  assert.ok(obs.length <= 12);
  const best = obs.reduce((a, o) => (o.y < a.y ? o : a));
  close(best.x, -1.3, 0.05, 'argmin');
  assert.deepEqual(optimize(bumpy, 12), obs);
});

test('shouldStop ends a run on the known function early, within 0.5% of the loss range of its minimum', () => {
  const obs = optimize(bumpy, 30, true);
  assert.ok(obs.length < 12, `${obs.length} evaluations`);
  const ys = obs.map((o) => o.y);
  const regret = (Math.min(...ys) - 0.3) / (Math.max(...ys) - 0.3);
  assert.ok(regret < 0.005, `regret ${regret}`);
});

test('BO (run without the stop rule) finds a narrow dip that the starting design misses', () => {
  // Near-flat loss with a dip of half-width ~0.3 decade at x = 0.9, none of the 4 initial points near it.
  const dip = (x: number) => 1 - 0.5 * Math.exp(-((x - 0.9) ** 2) / 0.1) + 0.02 * x;
  const obs = optimize(dip, 20);
  const best = obs.reduce((a, o) => (o.y < a.y ? o : a));
  close(best.x, 0.9, 0.1, 'argmin');
});

test('propose: diverged trials count as the worst seen; errors name the fix', () => {
  const bo = new BayesSampler({ lo: -4, hi: 2 });
  const obs: Observation[] = [{ x: -4, y: NaN }, { x: -2, y: 0.5 }, { x: 0, y: 0.4 }, { x: 2, y: 0.9 }];
  const p = bo.propose(obs);
  assert.ok(p.x > -3, `proposed ${p.x} next to the diverged λ`);
  assert.ok(p.expectedImprovement > 0 && p.std > 0 && Number.isFinite(p.mean));
  assert.throws(() => bo.propose([]), (e: unknown) => e instanceof InvalidOptionError && /initialPoints\(\)/.test(e.message));
  assert.throws(() => bo.propose([{ x: 0, y: NaN }, { x: 1, y: Infinity }]), (e: unknown) => e instanceof L2labError && e.code === 'DIVERGED');
  assert.throws(() => bo.propose([{ x: NaN, y: 1 }]), /finite x/);
  const tiny = new BayesSampler({ lo: 0, hi: 1, candidates: 2 });
  assert.throws(() => tiny.propose([{ x: 0, y: 1 }, { x: 1, y: 2 }]), /all 2 candidates were already observed/);
  assert.throws(() => new BayesSampler({ lo: 1, hi: 1 }), /lo < hi/);
  assert.throws(() => new BayesSampler({ lo: 0, hi: 1, candidates: 1 }), /'candidates'/);
  assert.throws(() => new BayesSampler({ lo: 0, hi: 1, tol: 0 }), /'tol'/);
  assert.throws(() => new BayesSampler({ lo: 0, hi: 1, xi: -1 }), /'xi'/);
});

test('shouldStop compares the best EI with tol × the range of observed losses', () => {
  const bo = new BayesSampler({ lo: 0, hi: 1 });
  const obs: Observation[] = [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 0.5, y: NaN }];
  assert.equal(bo.shouldStop(obs, 0.0019), true); // < 1e-3 · 2
  assert.equal(bo.shouldStop(obs, 0.002), false);
  assert.equal(new BayesSampler({ lo: 0, hi: 1, tol: 0.1 }).shouldStop(obs, 0.19), true);
  assert.equal(bo.shouldStop([{ x: 0, y: 1 }, { x: 1, y: 1 }], 0), false);
  assert.equal(bo.shouldStop([{ x: 0, y: NaN }], 0), false);
});

test("noise: the process's reading of the scatter about the curve, and the stretch its minimum cannot be told apart from", () => {
  const bo = new BayesSampler({ lo: -2, hi: 4 });
  const xs = Array.from({ length: 40 }, (_, i) => -2 + (6 * i) / 39);
  const curve = (x: number) => 0.3 * (x - 1) ** 2;
  // Noiseless: a noise far below any difference, and a stretch that closes on the minimum at x = 1.
  const clean = bo.noise(xs.map((x) => ({ x, y: curve(x) })));
  assert.ok(clean.std < 1e-3, `std ${clean.std}`);
  close(clean.x, 1, 0.02, 'argmin');
  assert.ok(clean.hi - clean.lo < 0.2, `stretch [${clean.lo}, ${clean.hi}]`);
  // Gaussian noise of σ = 0.1: read within a factor of 1.6, and the stretch is where 0.3·(x − 1)² ≤ σ̂ about the minimum, ±√(σ̂/0.3).
  const rng = new Rng(7);
  const noisy = bo.noise(xs.map((x) => ({ x, y: curve(x) + 0.1 * rng.normal() })));
  assert.ok(noisy.std > 0.1 / 1.6 && noisy.std < 0.1 * 1.6, `std ${noisy.std}`);
  const half = Math.sqrt(noisy.std / 0.3);
  close(noisy.lo, 1 - half, 0.35, 'stretch start');
  close(noisy.hi, 1 + half, 0.35, 'stretch end');
  // Over the observed span only: points on [0, 2] say nothing about x = 4.
  const part = bo.noise(xs.filter((x) => x >= 0 && x <= 2).map((x) => ({ x, y: 1 })));
  assert.ok(part.lo >= 0 - 1e-9 && part.hi <= 2 + 1e-9, `[${part.lo}, ${part.hi}]`);
  // One λ tried (bayes --trials 1): the reading is that point.
  const one = bo.noise([{ x: 0.37, y: 0.5 }]);
  assert.deepEqual([one.x, one.lo, one.hi], [0.37, 0.37, 0.37]);
});
