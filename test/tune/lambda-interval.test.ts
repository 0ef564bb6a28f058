/** λ_min with the range the data cannot separate from it: the posterior band's coverage and the posterior choice's regret on noisy curves with a known minimum, and chooseWithInterval's rules. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BayesSampler } from '../../src/tune/samplers/bayes-sampler.js';
import { chooseWithInterval, GP_BASIS, ONE_SE_BASIS } from '../../src/tune/lambda-interval.js';
import { Rng } from '../../src/util/rng.js';

/** Draws of a bowl y = 0.05·(x − x*)² over x in [−2, 2] (log10 λ), x* uniform in [−1, 1], seen at 15 evenly spaced x with Gaussian noise of standard deviation `sigma`. */
function* noisyBowls(seed: number, draws: number, sigma: number) {
  const rng = new Rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
  const xs = Array.from({ length: 15 }, (_, i) => -2 + (4 * i) / 14);
  for (let d = 0; d < draws; d++) {
    const truth = 2 * rng.uniform() - 1;
    const f = (x: number) => 0.05 * (x - truth) ** 2;
    yield { truth, f, xs, observations: xs.map((x) => ({ x, y: f(x) + sigma * normal() })) };
  }
}

it('the posterior band covers the true minimizer at about its nominal rate (Φ(1) ≈ 84%) over many noisy draws, and is not the whole range', () => {
  for (const sigma of [0.01, 0.03]) {
    let covered = 0;
    let width = 0;
    const draws = 200;
    for (const b of noisyBowls(11, draws, sigma)) {
      const pc = new BayesSampler({ lo: -2, hi: 2 }).posteriorChoice(b.observations, b.xs);
      if (b.truth >= pc.lo && b.truth <= pc.hi) covered++;
      width += (pc.hi - pc.lo) / draws;
    }
    const rate = covered / draws;
    assert.ok(rate >= 0.76 && rate <= 0.97, `σ = ${sigma}: covered ${rate} of draws, nominal ≥ 0.84`);
    assert.ok(width < 2, `σ = ${sigma}: mean width ${width} of the 4 decades tried`);
  }
});

it('choosing by the posterior mean has lower regret than the lowest observation on noisy draws', () => {
  let posterior = 0;
  let lowest = 0;
  for (const b of noisyBowls(5, 200, 0.03)) {
    const pc = new BayesSampler({ lo: -2, hi: 2 }).posteriorChoice(b.observations, b.xs);
    const argmin = b.observations.reduce((a, o) => (o.y < a.y ? o : a)).x;
    posterior += b.f(pc.x);
    lowest += b.f(argmin);
  }
  assert.ok(posterior < 0.7 * lowest, `mean regret ${posterior / 200} (posterior mean) vs ${lowest / 200} (lowest draw)`);
});

it('posteriorChoice and posteriorBand check their inputs', () => {
  const s = new BayesSampler({ lo: -2, hi: 2 });
  const obs = [-2, -1, 0, 1, 2].map((x) => ({ x, y: x * x }));
  assert.throws(() => s.posteriorChoice(obs, []), /needs at least one candidate/);
  assert.throws(() => s.posteriorBand(obs, 0, -1), /'z' of BayesSampler's posterior band must be a number in \[0, ∞\)\. Got -1 instead/);
  const band = s.posteriorBand(obs, 0);
  assert.ok(band.lo <= 0 && band.hi >= 0 && band.lo > -2 && band.hi < 2, JSON.stringify(band));
});

it('chooseWithInterval: the one-SE band where λ_min has a standard error, hand-computed', () => {
  const points = [
    { lambda: 0.01, dropout: 0, mean: 0.3, se: 0.02 },
    { lambda: 0.1, dropout: 0, mean: 0.29, se: 0.02 },
    { lambda: 1, dropout: 0, mean: 0.28, se: 0.02 },
    { lambda: 10, dropout: 0, mean: 0.295, se: 0.02 },
    { lambda: 100, dropout: 0, mean: 0.4, se: 0.02 },
  ];
  const c = chooseWithInterval(points)!;
  // mean(λ_min) + SE = 0.30: λ 0.01 (0.30), 0.1, 1 and 10 are inside, 100 is not.
  assert.deepEqual(c.interval, { low: 0.01, high: 10, basis: ONE_SE_BASIS });
  assert.equal(c.lambdaMin, 1);
  assert.equal(c.lambda1se, 10);
});

it('chooseWithInterval: one hold-out split (no SE) gets the process band around the lowest draw; too few λ, λ_min alone', () => {
  const curve = [0.01, 0.1, 1, 10, 100, 1000].map((lambda) => ({ lambda, dropout: 0, mean: 0.3 + 0.02 * (Math.log10(lambda) - 1) ** 2, se: NaN }));
  const c = chooseWithInterval(curve)!;
  assert.equal(c.lambdaMin, 10);
  assert.equal(c.interval.basis, GP_BASIS);
  assert.ok(c.interval.low <= 10 && c.interval.high >= 10 && c.interval.low > 0.01 && c.interval.high < 1000, JSON.stringify(c.interval));
  const two = chooseWithInterval(curve.slice(0, 2))!;
  assert.deepEqual([two.interval.low, two.interval.high], [two.lambdaMin, two.lambdaMin]);
  assert.match(two.interval.basis, /^λ_min alone/);
});

it('chooseWithInterval for bayes: a deep curve keeps its lowest draw; noise that spans a decade chooses by the process curve', () => {
  const range = { lo: 0.01, hi: 1e4 };
  const xs = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
  // Deep: loss 0.3·(1 + (x − 1)²), noiseless. The lowest draw, λ = 10, is the curve's minimum.
  const deep = xs.map((x) => ({ lambda: 10 ** x, dropout: 0, mean: 0.3 * (1 + (x - 1) ** 2), se: NaN, state: 'COMPLETE' }));
  const d = chooseWithInterval(deep, { posterior: range })!;
  assert.equal(d.lambdaMin, 10);
  assert.ok(d.interval.high / d.interval.low < 10, JSON.stringify(d.interval));
  // Flat to ±5% over λ ≤ 10, rising above: the lucky draw at λ = 1 (5% low, its neighbours 4% high) does not win.
  const jitter = [1.02, 1.04, 0.99, 1.03, 0.95, 1.04, 0.98, 1.01, 1.3, 1.8, 2.5, 3.3, 4.2];
  const flat = xs.map((x, i) => ({ lambda: 10 ** x, dropout: 0, mean: 0.5 * jitter[i], se: NaN, state: 'COMPLETE' }));
  const f = chooseWithInterval(flat, { posterior: range })!;
  assert.notEqual(f.lambdaMin, 1);
  assert.equal(f.interval.basis, GP_BASIS);
  assert.ok(f.interval.low <= f.lambdaMin && f.lambdaMin <= f.interval.high && f.interval.high / f.interval.low >= 10, JSON.stringify(f.interval));
  assert.ok(f.lambda1se >= f.lambdaMin && f.lambda1se <= f.interval.high);
});

it("on a real search the band reaches the grid's λ where bayes now stops, and missed it after the old rule's 15 trials", () => {
  // tune --strategy bayes on breast-cancer mlp:16 (bench:tune, seed 4; λ over 0.01–10⁴), trials in run
  // order with their hold-out losses to 4 digits (P: pruned, by the best loss it showed). The 25-point
  // hold-out grid's λ on this seed is 5.62.
  const run: [number, 'C' | 'P', number][] = [
    [1.256, 'C', 0.1684], [12.56, 'C', 0.13], [0.1256, 'C', 0.1754], [0.4187, 'C', 0.1735], [3.768, 'C', 0.1213],
    [132.23, 'P', 0.3028], [6.23, 'C', 0.117], [10000, 'P', 0.4945], [0.01, 'C', 0.1762], [5.297, 'C', 0.12],
    [6.401, 'C', 0.1175], [6.064, 'C', 0.1182], [6.577, 'C', 0.1172], [7.735, 'C', 0.118], [0.0311, 'C', 0.1761],
  ];
  const points = run.map(([lambda, st, v]) => ({ lambda, dropout: 0, mean: st === 'C' ? v : NaN, se: NaN, state: st === 'C' ? 'COMPLETE' : 'PRUNED', ...(st === 'P' ? { prunedValue: v } : {}) }));
  const range = { lo: 0.01, hi: 1e4 };
  const grid = 5.62;
  // The noise stop ends this search after the opening's 5 trials (test/tune/bayes-stop.test.ts reads the same run).
  const stopped = chooseWithInterval(points.slice(0, 5), { posterior: range })!;
  assert.equal(stopped.lambdaMin, 3.768);
  assert.ok(stopped.interval.low <= grid && grid <= stopped.interval.high, JSON.stringify(stopped.interval));
  assert.ok(Math.log10(stopped.interval.high / stopped.interval.low) < 0.6, `width ${Math.log10(stopped.interval.high / stopped.interval.low)} decades`);
  // The old rule trained on to 15 trials within 25% of 6.23: the band shrank onto 6.23–7.7 and lost 5.62.
  const full = chooseWithInterval(points, { posterior: range })!;
  assert.equal(full.lambdaMin, 6.23);
  assert.ok(full.interval.low > grid, JSON.stringify(full.interval));
});
