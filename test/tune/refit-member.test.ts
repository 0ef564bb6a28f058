/** The refit member (src/tune/scoring/refit-member.ts): the refit trained inside a grid's population is the refit tune would train alone, and tune then trains none. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tune, type TuneOptions } from '../../src/tune/tune.js';
import { createSetup } from '../../src/tune/setup.js';
import { scoreConfigs } from '../../src/tune/scoring/score.js';
import { refitHere } from '../../src/tune/refit.js';
import { openStorage } from '../../src/study/index.js';
import { readTrialResult } from '../../src/tune/trials/trial-result.js';
import { train } from '../../src/train/trainer.js';
import { evaluateParams } from '../../src/train/fit.js';

const relative = (a: number, b: number) => Math.abs(a / b - 1);
const data = { data: 'breast-cancer', model: 'mlp:8', folds: 5 } as const;
const training = { epochs: 30, threads: 1 } as const;

test('each config population carries a refit member: its test loss matches a standalone refit (same init, batches, dropout and m) and the fold scores are unchanged', async () => {
  const setup = createSetup(data, training);
  // λ large enough for its penalty to show: the fold's m (4/5 of the rows) instead of the whole part's would move the test loss by far more than 1e-5.
  const configs = [0.3, 3, 30].flatMap((lambda) => [0, 0.3].map((dropout) => ({ lambda, dropout })));
  const withRefits = await scoreConfigs(setup, configs, setup.plan.epochs, { refits: true });
  const without = await scoreConfigs(setup, configs, setup.plan.epochs);
  for (const [i, c] of configs.entries()) {
    const inPopulation = withRefits[i].refit!;
    const alone = (await refitHere({ setup, cost: { sampleGrads: 0, passes: 0, seconds: 0 }, foldSolutions: new Map() }, c)).refit;
    // The refit as written out here, apart from refitMember: one model on every training row, m = all of them, the options' seed.
    const arch = setup.architecture(c.dropout);
    const lone = await train(setup.train, undefined, { ...setup.trainOptions(arch), members: [{ penalty: setup.plan.coefficients(c.lambda, setup.train.n), lr: setup.plan.lr }] });
    assert.equal(alone.test_loss, (await evaluateParams(arch, lone.members[0].params, setup.test)).loss, 'refitHere trains the refit as written out');
    assert.equal(inPopulation.epochs, alone.epochs);
    assert.ok(relative(inPopulation.test_loss, alone.test_loss) < 1e-5, `λ=${c.lambda} dropout ${c.dropout}: in the population ${inPopulation.test_loss}, alone ${alone.test_loss}`);
    assert.deepEqual({ ...inPopulation, test_loss: 0 }, { ...alone, test_loss: 0 });
    assert.equal(without[i].refit, undefined);
    withRefits[i].folds.forEach((f, j) => assert.ok(relative(f.valLoss, without[i].folds[j].valLoss) < 1e-6, `λ=${c.lambda} fold ${j + 1}: the refit member changed the fold`));
  }
});

test("under --epochs auto the refit member stops where the lone refit converges, whatever its population does", async () => {
  const setup = createSetup(data, { epochs: 'auto', maxEpochs: 400, threads: 1 });
  // λ large enough to converge within the cap (the folds near 240 epochs at λ = 100).
  const configs = [100, 300].map((lambda) => ({ lambda, dropout: 0 }));
  const scores = await scoreConfigs(setup, configs, setup.plan.epochs, { refits: true });
  for (const [i, c] of configs.entries()) {
    const alone = (await refitHere({ setup, cost: { sampleGrads: 0, passes: 0, seconds: 0 }, foldSolutions: new Map() }, c)).refit;
    assert.ok(alone.epochs < 400, `λ=${c.lambda}: the lone refit converged (${alone.epochs} epochs)`);
    assert.equal(scores[i].refit!.epochs, alone.epochs);
    assert.ok(relative(scores[i].refit!.test_loss, alone.test_loss) < 1e-5, `λ=${c.lambda}: in the population ${scores[i].refit!.test_loss}, alone ${alone.test_loss}`);
  }
});

test('tune finds the chosen config refit with its trial: the same refit as trained alone, no serial refit pass, and a study without one still refits', async () => {
  const o: TuneOptions = { strategy: 'grid', ...data, ...training, lambdas: [0.01, 0.3, 3, 30], dropouts: [0, 0.3], extend: false, study: 'refits' };
  const store = await openStorage(':memory:');
  const before = await openStorage(':memory:');
  try {
    const grid = await tune({ ...o, storage: store });
    // keepModel trains no refit members (it refits to keep the parameters): the trials as without them, then the refit alone.
    const alone = await tune({ ...o, storage: before, keepModel: true });
    assert.deepEqual(grid.trials.map((t) => [t.lambda, t.dropout]), alone.trials.map((t) => [t.lambda, t.dropout]));
    grid.trials.forEach((t, i) => assert.ok(relative(t.cv_mean!, alone.trials[i].cv_mean!) < 1e-6));
    assert.equal(grid.best_lambda, alone.best_lambda);
    assert.ok(relative(grid.refit.test_loss, alone.refit.test_loss) < 1e-5, `in the population ${grid.refit.test_loss}, alone ${alone.refit.test_loss}`);
    assert.deepEqual({ ...grid.refit, test_loss: 0 }, { ...alone.refit, test_loss: 0 });
    const setup = createSetup(o, o);
    const refitCost = { sampleGrads: 0, passes: 0, seconds: 0 };
    await refitHere({ setup, cost: refitCost, foldSolutions: new Map() }, { lambda: grid.best_lambda, dropout: grid.best_dropout });
    assert.equal(grid.cost.passes, alone.cost.passes - refitCost.passes, 'the serial refit pass is gone');
    const study = (await store.getStudy(grid.study))!;
    for (const t of await store.listTrials(study.id)) assert.equal(readTrialResult(t.result)?.refit?.lambda, t.params.lambda, `trial ${t.number} stores its refit`);
    assert.deepEqual((await store.getStudyAttrs(study.id))[`refit:${grid.best_lambda}:${grid.best_dropout}`], grid.refit as never, 'the refit attribute is written as before');

    // --select 1se on the same study: every trial carries its refit, so nothing trains.
    const oneSe = await tune({ ...o, storage: store, select: '1se' });
    assert.notEqual(oneSe.lambda_1se, oneSe.best_lambda, 'the test needs λ_1se ≠ λ_min');
    assert.equal(oneSe.refit.lambda, oneSe.lambda_1se);
    assert.equal(oneSe.cost.passes, 0);
    // A study whose trials hold no refit (stored before refit members) refits λ_1se as before.
    const resumed = await tune({ ...o, storage: before, select: '1se' });
    assert.equal(resumed.trials_from_store, resumed.trials.length);
    assert.ok(resumed.cost.passes > 0, 'the refit trained');
    assert.ok(relative(resumed.refit.test_loss, oneSe.refit.test_loss) < 1e-5);
  } finally {
    await store.close();
    await before.close();
  }
});
