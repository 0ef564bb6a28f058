/** Tests of the median pruning rule gated by λ's timescale: never before τ, the median, the gates, best-so-far curves. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bestSoFar, lambdaActedBy, medianPruneReason, valueAt } from '../../src/tune/pruners/median.js';

test('never prunes before λ acted: epoch < τ, τ unknown (NaN) or no penalty (∞)', () => {
  const others = [0.2, 0.25, 0.3];
  // A hopeless trial (loss 5× the median) is left alone until one timescale has passed.
  for (const epoch of [1, 2, 3, 4]) assert.equal(medianPruneReason(epoch, 1.0, 4.5, others), undefined, `epoch ${epoch} < τ 4.5`);
  assert.match(medianPruneReason(5, 1.0, 4.5, others)!, /pruned at epoch 5: best validation loss 1\.000 above the median 0\.2500 of 3 trials there \(τ = 4\.50 epochs\)/);
  for (const tau of [NaN, Infinity]) assert.equal(medianPruneReason(20, 1.0, tau, others), undefined, `τ ${tau}`);
  assert.equal(lambdaActedBy(3, 3), true);
  assert.equal(lambdaActedBy(2.99, 3), false);
});

test('median rule: above the median is pruned, at or below it is not; even counts average the middle two', () => {
  assert.equal(medianPruneReason(3, 0.25, 1, [0.2, 0.25, 0.3]), undefined);
  assert.equal(medianPruneReason(3, 0.24, 1, [0.2, 0.25, 0.3]), undefined);
  assert.ok(medianPruneReason(3, 0.2501, 1, [0.2, 0.25, 0.3]));
  // Median of [0.1, 0.2, 0.4, 0.9] is 0.3.
  assert.equal(medianPruneReason(3, 0.3, 1, [0.9, 0.1, 0.4, 0.2]), undefined);
  assert.match(medianPruneReason(3, 0.31, 1, [0.9, 0.1, 0.4, 0.2])!, /median 0\.3000 of 4 trials/);
  // Diverged others do not count; a diverged trial is pruned once the gates pass.
  assert.equal(medianPruneReason(3, 0.5, 1, [0.2, NaN, Infinity]), undefined, 'one finite other < minTrials 2');
  assert.ok(medianPruneReason(3, NaN, 1, [0.2, 0.3]));
});

test('warm-up and minimum trials gate the rule', () => {
  assert.equal(medianPruneReason(0, 9, 0, [0.1, 0.2]), undefined, 'epoch 0 is initialization');
  assert.ok(medianPruneReason(1, 9, 0, [0.1, 0.2]));
  assert.equal(medianPruneReason(1, 9, 0, [0.1]), undefined);
  assert.equal(medianPruneReason(4, 9, 0, [0.1, 0.2, 0.3], { warmupEpochs: 5, minTrials: 1 }), undefined);
  assert.ok(medianPruneReason(5, 9, 0, [0.1], { warmupEpochs: 5, minTrials: 1 }));
});

test('bestSoFar and valueAt: running minimum, nulls skipped, a stopped trial carries its last value', () => {
  const b = bestSoFar([0.7, 0.5, null, 0.6, 0.4]);
  assert.deepEqual(b, [0.7, 0.5, 0.5, 0.5, 0.4]);
  assert.equal(valueAt(b, 2), 0.5);
  assert.equal(valueAt(b, 10), 0.4);
  assert.ok(Number.isNaN(valueAt([], 3)));
});
