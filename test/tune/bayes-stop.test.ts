/** bayes's stopping rule on a real search: it stops once the expected improvement is below the trials' noise (the process's learned noise SD, clamped), not after the cap. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BayesSampler } from '../../src/tune/samplers/bayes-sampler.js';
import { observationsOf } from '../../src/tune/lambda-interval.js';
import { nextBayesBatch, stopBar, STOP_MIN_TRIALS, STOP_NOISE_CAP, STOP_NOISE_FLOOR } from '../../src/tune/strategies/bayes.js';
import type { TrialPoint } from '../../src/tune/trials/study-run.js';

/**
 * The first 9 trials, in run order, of `tune --strategy bayes` on breast-cancer mlp:16 (bench:tune's
 * problem, seed 4, λ over 0.01–10⁴), hold-out losses to 4 digits: the old rule (EI below 0.01% of
 * the loss) trained 6 more, all within 25% of λ = 6.23, and chose 6.23 again.
 */
const SEED4: [number, 'C' | 'P', number][] = [
  [1.26, 'C', 0.1684], [12.6, 'C', 0.13], [0.126, 'C', 0.1754], [0.419, 'C', 0.1735], [3.77, 'C', 0.1213],
  [132, 'P', 0.3028], [6.23, 'C', 0.117], [1e4, 'P', 0.4945], [0.01, 'C', 0.1762],
];
const points = (rows: typeof SEED4): TrialPoint[] =>
  rows.map(([lambda, st, v]) => ({ lambda, dropout: 0, mean: st === 'C' ? v : NaN, se: NaN, trainMean: NaN, state: st === 'C' ? 'COMPLETE' : 'PRUNED', reason: null, ...(st === 'P' ? { prunedValue: v } : {}) }));
const state = (rows: typeof SEED4) => ({
  design: { batches: [[Math.log10(rows[0][0])]], note: '' },
  done: points(rows),
  pending: [],
  maxTrials: 15,
  sampler: new BayesSampler({ lo: -2, hi: 4 }),
});

test('stopBar: the learned noise SD, read no lower than the floor and no higher than the cap', () => {
  assert.equal(stopBar(0.01), 0.01);
  assert.equal(stopBar(1e-5), STOP_NOISE_FLOOR);
  assert.equal(stopBar(0.14), STOP_NOISE_CAP);
  assert.equal(stopBar(NaN), STOP_NOISE_CAP);
});

test('a real search stops once the expected improvement is below the noise, where the old rule went on', () => {
  const s = state(SEED4);
  const obs = observationsOf(s.done);
  const next = s.sampler.propose(obs);
  // The old rule's threshold: EI ≥ 0.01% of the loss, so it proposed another point.
  assert.ok(next.expectedImprovement > 1e-4, `EI ${next.expectedImprovement}`);
  assert.ok(next.expectedImprovement < stopBar(s.sampler.noise(obs).std), `EI ${next.expectedImprovement} vs bar ${stopBar(s.sampler.noise(obs).std)}`);
  const r = nextBayesBatch(s);
  assert.ok('stop' in r, JSON.stringify(r));
  assert.match(r.stop, /^expected improvement below the noise: \S+% of the loss at λ = \S+, under the trials' scatter of ±\S+%/);
  assert.equal(r.waiting, false);
  // Where it stopped in bench:tune: after the opening's 5 trials (the process reads ±9.6% there, taken as the 2% cap; EI 1.5%).
  assert.ok('stop' in nextBayesBatch(state(SEED4.slice(0, STOP_MIN_TRIALS))));
  assert.ok('xs' in nextBayesBatch(state(SEED4.slice(0, 7))), 'after 7 trials the process expects 2.8%, above its 0.5% floor');
});

test('before STOP_MIN_TRIALS finished trials the noise reading does not stop the search', () => {
  // After 3 trials the process reads ±8% noise (bar: the 2% cap) and expects 1.9%: below the bar, yet it proposes.
  const early = state(SEED4.slice(0, 3));
  assert.ok(early.done.length < STOP_MIN_TRIALS);
  const obs = observationsOf(early.done);
  assert.ok(early.sampler.propose(obs).expectedImprovement < stopBar(early.sampler.noise(obs).std));
  const r = nextBayesBatch(early);
  assert.ok('xs' in r, JSON.stringify(r));
  assert.equal(r.xs.length, 1);
});
