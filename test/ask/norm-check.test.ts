/** The weight-norm check, on synthetic reports: Σθ² that decays as a strong λ predicts passes; Σθ² that does not shrink warns, naming the likely causes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openLambdaService, type LambdaStudies } from '../../src/ask/service.js';
import type { StudyContext } from '../../src/ask/protocol.js';
import { CONTEXT, handed } from './protocol.js';

/** A grid of a negligible and a dominant weight_decay (τ ≈ 0.4 epochs under momentum 0.9, lr 0.1, B 128, m 6400). */
const GRID: StudyContext = { ...CONTEXT, strategy: 'grid', lambdas: [1e-6, 0.05], epochs: 5 };

/** Reports Σθ² per epoch for the trial of each weight_decay; returns the last report's warning of the strong one. */
async function run(s: LambdaStudies, context: StudyContext, strong: number[]): Promise<string | undefined> {
  const weak = handed(await s.ask('norms', { context }));
  const big = handed(await s.ask('norms', {}));
  assert.ok(weak.value < big.value);
  const reference = [100, 101, 102, 103, 104];
  for (let e = 1; e <= 5; e++) await s.report('norms', { trial: weak.trial, epoch: e, val_loss: 0.5, weight_sq_norm: reference[e - 1] });
  let warning: string | undefined;
  for (let e = 1; e <= 5; e++) warning = (await s.report('norms', { trial: big.trial, epoch: e, val_loss: 0.5, weight_sq_norm: strong[e - 1] })).warning;
  return warning;
}

test('Σθ² that falls under a dominant λ passes the check', async () => {
  const s = await openLambdaService({ storage: ':memory:' });
  try {
    assert.equal(await run(s, GRID, [100, 40, 20, 15, 14]), undefined);
  } finally {
    await s.close();
  }
});

test('Σθ² that does not shrink under a dominant λ warns, naming the likely causes; best repeats it', async () => {
  const s = await openLambdaService({ storage: ':memory:' });
  try {
    const w = await run(s, GRID, [100, 100, 101, 102, 103]);
    assert.match(w ?? '', /weight_sq_norm does not shrink as λ predicts: at wd = 0\.05 \(trial 1, τ = 0\.\d+ epochs\) Σθ² fell by only 0\.96% from epoch 1 to 5 relative to trial 0 \(wd = 1e-6, the weakest penalty reporting it\), where the decay alone predicts a fall by ×1\.42e\+?9/);
    assert.match(w!, /not applied to these weights/);
    assert.match(w!, /λ given where λ\/m was meant, m = 6400 times too weak/);
    assert.match(w!, /biases or normalization layers/);
    for (const t of [0, 1]) await s.tell('norms', { trial: t, val_loss: 0.5 });
    assert.deepEqual((await s.best('norms')).warnings, [w]);
  } finally {
    await s.close();
  }
});

test('one Σθ² or none judges nothing; under Adam with a coupled penalty the check is skipped (τ unknown), as ask says', async () => {
  const s = await openLambdaService({ storage: ':memory:' });
  try {
    const adam = handed(await s.ask('adam', { context: { ...GRID, optimizer: 'adam', lr: 1e-3, momentum: undefined } }));
    assert.equal(adam.tau_epochs, null);
    assert.match(adam.tau_note ?? '', /√v̂.*cannot be computed from the context alone.*weight-norm check is skipped/);
    const other = handed(await s.ask('adam', {}));
    for (let e = 1; e <= 3; e++) {
      await s.report('adam', { trial: adam.trial, epoch: e, val_loss: 0.5, weight_sq_norm: 100 });
      assert.equal((await s.report('adam', { trial: other.trial, epoch: e, val_loss: 0.5, weight_sq_norm: 100 })).warning, undefined);
    }
  } finally {
    await s.close();
  }
});
