/** The TypeScript door: the package root exports the service, its types and its error class; a misuse is catchable by code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { L2labError, openLambdaService, ProtocolError, type AskedTrial, type StudyContext } from '../../src/index.js';

test('openLambdaService from the package root: ask, report, tell, best; a second tell is a ProtocolError with code TRIAL_FINISHED', async () => {
  const service = await openLambdaService({ storage: ':memory:', heartbeatTimeout: 30 });
  try {
    const context: StudyContext = { convention: 'keras', m: 1000, batch_size: 50, optimizer: 'sgd', lr: 0.05, epochs: 5, strategy: 'grid', lambdas: [1e-5, 1e-4] };
    const t = (await service.ask('tfjs', { context })) as AskedTrial;
    assert.equal(t.convention, 'keras');
    assert.equal(t.value, 1e-5);
    // Keras's l2 is λ/(2m) of the seed's λ.
    assert.ok(Math.abs(t.lambda - 2 * 1000 * 1e-5) < 1e-12, String(t.lambda));
    assert.deepEqual(await service.report('tfjs', { trial: t.trial, epoch: 1, val_loss: 0.7 }), { prune: false, reason: null });
    await service.tell('tfjs', { trial: t.trial, val_loss: 0.6 });
    await assert.rejects(service.tell('tfjs', { trial: t.trial, val_loss: 0.6 }), (e: unknown) => e instanceof ProtocolError && e instanceof L2labError && e.code === 'TRIAL_FINISHED');
    assert.equal((await service.best('tfjs')).value, 1e-5);
  } finally {
    await service.close();
  }
});
