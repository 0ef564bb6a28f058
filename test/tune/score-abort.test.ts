/** scoreConfigs stops training when its signal aborts (a worker lost the trials) and throws the signal's reason. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreConfigs } from '../../src/tune/scoring/score.js';
import { createSetup } from '../../src/tune/setup.js';

test('an aborted signal stops scoreConfigs at the next engine pass, with the abort reason', async () => {
  const setup = createSetup({ data: 'wine', model: 'mlp:8', folds: 3 }, { epochs: 5000, batchSize: 8, threads: 1 });
  const controller = new AbortController();
  const reason = new Error('trial taken over by another worker');
  const cost = { sampleGrads: 0, passes: 0, seconds: 0 };
  setTimeout(() => controller.abort(reason), 200);
  const t0 = performance.now();
  await assert.rejects(scoreConfigs(setup, [{ lambda: 0.1, dropout: 0 }, { lambda: 1, dropout: 0 }], 5000, { cost, signal: controller.signal }), (e) => e === reason);
  // 5000 epochs of 16 passes would be 80,000 passes; it stopped within a few after the abort.
  assert.ok(cost.passes === 0, 'an aborted run reports no result, hence no cost');
  assert.ok(performance.now() - t0 < 20_000);
});
