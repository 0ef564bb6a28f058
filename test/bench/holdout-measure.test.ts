/** The Optuna section's measure (bench/holdout-measure.ts) on figures the bench produced: epochs to a bar, the noise bar, test regret, interval coverage, medians. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { epochsToWithin, intervalCoverage, meanRegret, median, noiseBar, share, testRegret } from '../../bench/holdout-measure.js';
import { summarize, type SeedRow } from '../../bench/holdout-table.js';

test('epochs to within 1%: sequential trials count up to the one that hits; a population counts whole', () => {
  const value = [2, null, 1.5, 1.005, 3, 1.0];
  const epochs = [20, 2, 20, 20, 5, 20];
  assert.equal(epochsToWithin({ value, epochs, blocks: [] }, 1), 62); // 1.005 ≤ 1.01 at the 4th trial
  // The first trial alone, then four together: the hit inside the population costs all five trials.
  assert.equal(epochsToWithin({ value, epochs, blocks: [1, 4] }, 1), 67);
  assert.equal(epochsToWithin({ value: [1, 5], epochs: [12, 20], blocks: [1, 4] }, 1), 12);
  // Pruned trials (null) never count as a value; never within 1%: null.
  assert.equal(epochsToWithin({ value: [null, 2], epochs: [3, 20], blocks: [] }, 1), null);
});

// fashion-4k, seed 3, as cached at 106dda9: the hold-out grid's best 0.46977 at λ 3.16, that λ retrained at ×0.95 … ×1.05.
const best = 0.4697740282288721;
const neighbours = [
  { factor: 0.95, value: 0.5297848996493392 },
  { factor: 0.98, value: 0.5080369786991092 },
  { factor: 0.99, value: 0.5115622244127328 },
  { factor: 1, value: 0.4697740282288721 },
  { factor: 1.01, value: 0.5053822841655665 },
  { factor: 1.02, value: 0.5040880949308704 },
  { factor: 1.05, value: 0.5137349767630692 },
];

test('noise bar: the median gap of the neighbours (×1 left out), at least 1%', () => {
  // Gaps 12.8, 8.1, 8.9, 7.6, 7.3, 9.4%: the median of six is (8.14 + 8.89) / 2.
  assert.ok(Math.abs(noiseBar(neighbours, best) - 0.08520175855177037) < 1e-12);
  assert.equal(noiseBar(neighbours.map((n) => ({ ...n, value: best * 1.001 })), best), 0.01);
  // A failed neighbour counts as an infinite gap.
  assert.equal(noiseBar(neighbours.filter((n) => n.factor !== 1).map((n) => ({ ...n, value: null })), best), Infinity);
});

test('test regret: the refit at the tool’s λ against the refit at the grid’s λ', () => {
  // Same run: l2lab's refit at the grid's λ 0.43937, at Optuna's λ 0.46937: +6.8%.
  assert.ok(Math.abs(testRegret(0.46936853882073004, 0.43937168366790863) - 0.06827216288133409) < 1e-12);
  assert.equal(testRegret(0.43937168366790863, 0.43937168366790863), 0);
  assert.ok(testRegret(0.43, 0.43937168366790863) < 0);
});

test('test regret over refit seeds: mean test loss against mean test loss, not a mean of ratios', () => {
  // One lucky grid refit (0.30) no longer makes the tool's λ look 50% worse: means 0.40 and 0.40.
  assert.ok(Math.abs(meanRegret([0.45, 0.4, 0.35], [0.3, 0.45, 0.45])) < 1e-15);
  assert.ok(Math.abs(meanRegret([0.44, 0.46], [0.4, 0.4]) - 0.125) < 1e-12);
});

test('median: nulls (never reached) count as +∞; an infinite median is null', () => {
  // bayes's test gaps on fashion-4k, seeds 1–3 (RESULTS.md, 9480a3a): the median is the middle one.
  assert.equal(median([0.169, 0.0758, -0.012]), 0.0758);
  assert.equal(median([0.3, null, 0.1, 0.2]), 0.25);
  assert.equal(median([0.1, null, null]), null);
  assert.equal(median([]), null);
  assert.equal(share(null, 203), null);
  assert.equal(share(131, 262), 0.5);
});

test('interval coverage: seeds whose interval contains their grid λ; n/a without intervals', () => {
  const grid = [0.5623413251903491, 3.1622776601683795, 3.1622776601683795];
  assert.equal(intervalCoverage([undefined, undefined, undefined], grid), null);
  const intervals = [
    { low: 0.1, high: 0.5623413251903491, basis: 'seed' }, // the grid λ on the interval's end counts
    { low: 0.5, high: 3, basis: 'seed' },
    undefined,
  ];
  assert.deepEqual(intervalCoverage(intervals, grid), { covered: 1, of: 3 });
});

test('summary: medians over seeds, the 1% shares kept beside them', () => {
  const tool = (lambda: number, regret: number, epochs: number, toNoise: number | null) => ({ lambda, test_regret: regret, test_regret_single: 2 * regret, epochs, epochs_to_noise: toNoise, epochs_to_1pct: toNoise, trials: 15, pruned: 2 });
  const rows: SeedRow[] = [
    { seed: 1, grid_lambda: 0.562, grid_epochs: 203, optuna_grid_epochs: 222, bayes: tool(0.0347, 0.169, 131, null), optuna: tool(0.652, -0.044, 92, null) },
    { seed: 2, grid_lambda: 3.16, grid_epochs: 242, optuna_grid_epochs: 215, bayes: tool(0.502, 0.0758, 108, 22), optuna: tool(4.13, 0.018, 81, 15) },
    { seed: 3, grid_lambda: 3.16, grid_epochs: 171, optuna_grid_epochs: 224, bayes: tool(4.38, -0.012, 76, 40), optuna: tool(0.556, 0.068, 148, 30), interval: { low: 1, high: 10, basis: 'seed' } },
  ];
  const s = summarize('fashion-4k', rows);
  assert.equal(s.bayes_test_regret_median, 0.0758);
  assert.equal(s.optuna_test_regret_median, 0.018);
  assert.equal(s.bayes_test_regret_single_median, 0.1516);
  assert.equal(s.grid_epochs, 203);
  assert.equal(s.bayes_epochs_share_median, Number((108 / 242).toPrecision(4)));
  assert.equal(s.optuna_epochs_share_median, Number((92 / 222).toPrecision(4)));
  assert.equal(s.bayes_interval_covers_grid, '1/3');
  assert.equal(s.bayes_noise_share_median, Number((40 / 171).toPrecision(4)));
});
