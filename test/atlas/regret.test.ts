/** Test-loss regret: interpolation on a stored test curve, rules judged on held-out cells, and the seed noise floor, on hand-computed curves. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { heuristic, heldOutScore, lambdaPoints, regretAt, ruleRegret, seedRegretFloor } from '../../src/atlas/analysis/index.js';
import { testLossAt } from '../../src/atlas/test-curve.js';
import { fakeCell } from './fixtures.js';

const curve = [1, 10, 100].map((lambda, i) => ({ lambda, test_loss: [0.6, 0.5, 0.9][i], epochs: null, converged: true, lambda_timescale_epochs: null }));

test('testLossAt: grid points exactly, linear in log λ between them, null off the curve', () => {
  assert.equal(testLossAt(curve, 10), 0.5);
  assert.ok(Math.abs(testLossAt(curve, Math.sqrt(10))! - 0.55) < 1e-12, 'halfway in log between 1 and 10');
  assert.ok(Math.abs(testLossAt(curve, 10 ** 1.25)! - 0.6) < 1e-12, 'a quarter of the way from 10 to 100');
  assert.equal(testLossAt(curve, 0.5), null);
  assert.equal(testLossAt(curve, 200), null);
  assert.equal(testLossAt([{ lambda: 1, test_loss: 0.5 }, { lambda: 10, test_loss: null }], 3), null);
  assert.throws(() => testLossAt(curve, 0), /positive/);
});

test('regret: a rule is judged by the test loss at its λ against grid-CV λ*, and two seeds by each other', () => {
  // Two settings × two seeds; λ* = 10 on every curve except seed 1 of 'b' (λ* = 1 with the same curve).
  const cells = [
    fakeCell({ dataset: 'd', model: 'mlp:4', m: 100, seed: 0, params: 100, results: { grid: { best_lambda: 10, test_curve: curve } } }),
    fakeCell({ dataset: 'd', model: 'mlp:4', m: 100, seed: 1, params: 100, results: { grid: { best_lambda: 10, test_curve: curve } } }),
    fakeCell({ dataset: 'd', model: 'mlp:8', m: 100, seed: 0, params: 200, results: { grid: { best_lambda: 10, test_curve: curve } } }),
    fakeCell({ dataset: 'd', model: 'mlp:8', m: 100, seed: 1, params: 200, results: { grid: { best_lambda: 1, test_curve: curve } } }),
  ];
  const points = lambdaPoints(cells, 'grid');
  assert.equal(regretAt(points[0], 10), 0);
  assert.ok(Math.abs(regretAt(points[0], 1)! - 0.2) < 1e-12, '0.6 / 0.5 − 1');
  assert.ok(Math.abs(regretAt(points[3], 10)! - (0.5 / 0.6 - 1)) < 1e-12, 'negative: the other λ tests better');
  assert.equal(regretAt(points[0], 1000), null);

  // The constant rule fitted on the other setting: λ = 10 for mlp:8's cells (regret 0 and −17%), the
  // geometric mean of 10 and 1 for mlp:4's (0.55/0.5 − 1 = +10% on both).
  const r = ruleRegret(heldOutScore(heuristic('constant'), points, 'setting'), points);
  assert.equal(r.cells, 4);
  assert.equal(r.unjudged, 0);
  assert.equal(r.within, 0.5);
  assert.ok(Math.abs(r.medianRegret! - (0 + 0.1) / 2) < 1e-12);

  // Seeds: mlp:4 agree (0, 0); mlp:8: seed 1's λ = 1 on seed 0's curve (+20%), seed 0's λ = 10 on seed 1's (−17%).
  const floor = seedRegretFloor(points);
  assert.equal(floor.cells, 4);
  assert.equal(floor.within, 0.75);
});
