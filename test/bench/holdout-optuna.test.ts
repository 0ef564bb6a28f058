/** The side-by-side bench's measure: epochs until the best-so-far loss is within 1%, with trials trained as one population counted together. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { epochsToWithin } from '../../bench/holdout-measure.js';

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
