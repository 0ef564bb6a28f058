/** Scale-invariant weights (those feeding BatchNorm) and the effective-learning-rate view of λ for them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelSpec } from '../../src/models/architecture.js';
import { scaleInvariantView, scaleInvariantWeights } from '../../src/explain/scale-invariance.js';

const image = { height: 12, width: 12, channels: 1 };
const arch = (spec: string) => parseModelSpec(spec, 144, { task: 'classification', classes: 10 }, { image });

test('the weights of layers followed by BatchNorm are the scale-invariant ones (LayerNorm keeps a bias, so not exactly)', () => {
  assert.deepEqual(scaleInvariantWeights(arch('cnn:c4k3,bn,p2,c8k3,p2,f16,bn')), ['W0', 'W2']);
  assert.deepEqual(scaleInvariantWeights(arch('cnn:c4k3,ln,p2,f16')), []);
});

test('the equilibrium angular update is √(2ηλ/m) for SGD and √(2ηλ/(m(1+μ))) with momentum; Adam is not covered', () => {
  const a = arch('cnn:c4k3,bn,p2,f16');
  const sgd = scaleInvariantView(a, { lr: 0.1, coefficient: 1 / 1000, optimizer: 'sgd', momentum: null })!;
  assert.ok(Math.abs(sgd.angular_update_per_step! - Math.sqrt(2 * 0.1 * 1e-3)) < 1e-15);
  assert.ok(Math.abs(sgd.equilibrium_steps! - 1 / (2 * 0.1 * 1e-3)) < 1e-9);
  const momentum = scaleInvariantView(a, { lr: 0.1, coefficient: 1 / 1000, optimizer: 'momentum', momentum: 0.9 })!;
  assert.ok(Math.abs(momentum.angular_update_per_step! - Math.sqrt((2 * 0.1 * 1e-3) / 1.9)) < 1e-15);
  assert.equal(scaleInvariantView(a, { lr: 1e-3, coefficient: 1e-3, optimizer: 'adam', momentum: null })!.angular_update_per_step, null);
  assert.equal(scaleInvariantView(arch('cnn:c4k3,p2'), { lr: 0.1, coefficient: 1e-3, optimizer: 'sgd', momentum: null }), undefined);
});
