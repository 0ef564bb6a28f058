/** `l2lab inspect --momentum 0.9` plans the run `l2lab train` would: the momentum optimizer and its τ, not plain SGD's (issues 19 and 20). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { l2lab } from './helpers.js';

test('inspect --momentum 0.9 reports the optimizer and the τ that train measures with the same options', async () => {
  const args = ['--data', 'wine', '--model', 'mlp:8', '--lambda', '2', '--momentum', '0.9', '--lr', '0.05', '--batch-size', '16', '--json'];
  const [inspected, trained] = await Promise.all([l2lab('inspect', ...args), l2lab('train', ...args, '--epochs', '1')]);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.equal(trained.code, 0, trained.stderr);
  const i = JSON.parse(inspected.stdout) as { optimizer: string; momentum: number | null; lambda_timescale_epochs: number };
  const t = JSON.parse(trained.stdout) as { lambda_timescale_epochs: number };
  // A momentum given names the momentum optimizer, as train's default does.
  assert.equal(i.optimizer, 'momentum');
  assert.equal(i.momentum, 0.9);
  // τ ≈ (1 − μ)·B/(η·λ) = 0.1·16/(0.05·2) = 16 epochs; plain SGD's would be ten times that.
  assert.ok(Math.abs(i.lambda_timescale_epochs / t.lambda_timescale_epochs - 1) < 1e-9, `inspect τ = ${i.lambda_timescale_epochs}, train τ = ${t.lambda_timescale_epochs}`);
  assert.ok(Math.abs(i.lambda_timescale_epochs / 16 - 1) < 0.1, `τ = ${i.lambda_timescale_epochs}, not ≈ 16 epochs`);
});
