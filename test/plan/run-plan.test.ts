/** The run plan: one resolver for every entry point. train, tune and inspect report the same plan; a bare context (an external loop) gets τ, the λ limit and the first guess. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/data/index.js';
import { InvalidOptionError } from '../../src/errors.js';
import { inspect } from '../../src/explain/inspect.js';
import { firstGuessLambda, resolveRunPlan, runPlanJson, type RunPlanJson } from '../../src/index.js';
import { fit } from '../../src/train/fit.js';
import { tune } from '../../src/tune/tune.js';

const wine = loadDataset('wine');

/** The fields that do not depend on m (tune plans on a fold's training rows, train and inspect on the training split). */
function withoutRows(p: RunPlanJson): Omit<RunPlanJson, 'm' | 'steps_per_epoch' | 'lambda_limit'> {
  const { m: _m, steps_per_epoch: _s, lambda_limit: _l, ...rest } = p;
  return rest;
}

describe('one plan for train, tune and inspect', () => {
  it('the same options give the same resolved plan, and the same τ at the same λ', async () => {
    const options = { data: wine, model: 'mlp:8', momentum: 0.8, lr: 0.05, batchSize: 16, epochs: 2, init: 'lecun' as const, threads: 1 };
    const [{ report: trained }, inspected, tuned] = await Promise.all([
      fit({ ...options, lambda: 2 }),
      inspect({ ...options, lambda: 2 }),
      tune({ ...options, strategy: 'grid', lambdas: [2], holdout: 0.2, extend: false, storage: ':memory:' }),
    ]);
    const expected: Omit<RunPlanJson, 'm' | 'steps_per_epoch' | 'lambda_limit'> = {
      convention: 'seed',
      solver: 'sgd',
      optimizer: 'momentum',
      momentum: 0.8,
      lr: 0.05,
      batch_size: 16,
      epochs: 2,
      epoch_budget: 2,
      init: 'lecun',
      penalize_biases: false,
      decay_to: 'zero',
    };
    assert.deepEqual(withoutRows(trained.plan), expected);
    assert.deepEqual(inspected.plan, trained.plan);
    assert.deepEqual(withoutRows(tuned.plan), expected);
    assert.equal(trained.plan.m, trained.m);
    // inspect's report reads the plan: its optimizer, μ, lr, batch size and τ are train's.
    assert.deepEqual([inspected.optimizer, inspected.momentum, inspected.lr, inspected.batch_size, inspected.init], ['momentum', 0.8, 0.05, 16, 'lecun']);
    assert.ok(Math.abs(inspected.lambda_timescale_epochs! / trained.lambda_timescale_epochs! - 1) < 1e-9, `inspect τ ${inspected.lambda_timescale_epochs}, train τ ${trained.lambda_timescale_epochs}`);
  });

  it('convex models: exact by default, gradient descent when an SGD option is given', async () => {
    const exact = await inspect({ data: wine, model: 'softmax', lambda: 1 });
    assert.equal(exact.plan.solver, 'exact');
    assert.equal(exact.plan.lambda_limit, null);
    const sgd = await inspect({ data: wine, model: 'softmax', lambda: 1, lr: 0.1 });
    assert.equal(sgd.plan.solver, 'sgd');
  });
});

describe('resolveRunPlan without a dataset (an external training loop)', () => {
  const at = { m: 1000, owner: 'ask' };

  it('a momentum given means the momentum optimizer; τ and the λ limit follow the closed forms', () => {
    const plan = resolveRunPlan({ momentum: 0.9, lr: 0.1, batchSize: 100, epochs: 20, convention: 'seed' }, at);
    assert.deepEqual(plan.optimizer, { name: 'momentum', momentum: 0.9 });
    assert.equal(plan.solver, 'sgd');
    assert.equal(plan.init, undefined);
    assert.equal(plan.stepsPerEpoch, 10);
    // τ ≈ (1 − μ)·B/(η·λ) = 0.1·100/(0.1·1) = 100 epochs; stable while η·λ/m < 2·(1 + μ).
    assert.ok(Math.abs(plan.timescale(1) / 100 - 1) < 0.01, `τ = ${plan.timescale(1)}`);
    assert.equal(plan.lambdaLimit?.side, 'max');
    assert.ok(Math.abs(plan.lambdaLimit!.value / ((2 * 1.9 * 1000) / 0.1) - 1) < 1e-9, `limit ${plan.lambdaLimit?.value}`);
    // The first guess is the λ whose τ is the 20 epochs: about 100/20 = 5.
    const guess = firstGuessLambda(plan, { lo: 1e-3, hi: 1e4 });
    assert.ok(guess.lambda !== undefined && Math.abs(plan.timescale(guess.lambda) / 20 - 1) < 0.01, `first guess ${guess.lambda}`);
  });

  it('defaults: plain SGD at lr 0.1, B = min(128, m), 20 epochs; auto plans for its cap', () => {
    const plan = resolveRunPlan({}, { m: 50, owner: 'ask' });
    assert.deepEqual(runPlanJson(plan), {
      m: 50,
      convention: 'seed',
      solver: 'sgd',
      optimizer: 'sgd',
      momentum: null,
      lr: 0.1,
      batch_size: 50,
      steps_per_epoch: 1,
      epochs: 20,
      epoch_budget: 20,
      init: null,
      penalize_biases: false,
      decay_to: 'zero',
      lambda_limit: { value: plan.lambdaLimit!.value, side: 'max' },
    });
    assert.deepEqual([resolveRunPlan({ epochs: 'auto' }, at).epochBudget, resolveRunPlan({ epochs: 'auto', maxEpochs: 40 }, at).epochBudget], [200, 40]);
    assert.equal(resolveRunPlan({ optimizer: 'adam' }, at).lr, 1e-3);
  });

  it('refuses a batch size above m in one wording, and the exact solver without a model', () => {
    assert.throws(() => resolveRunPlan({ batchSize: 2000 }, at), (e: unknown) => e instanceof InvalidOptionError && e.message === '--batch-size 2000 is larger than the training split (m = 1000 samples). Use --batch-size 128 or less.');
    assert.throws(() => resolveRunPlan({ solver: 'exact' }, at), (e: unknown) => e instanceof InvalidOptionError && /--solver exact needs the model/.test(e.message));
  });

  it('Adam with a coupled penalty has no τ before training, so no first guess; decoupled decay has both', () => {
    const coupled = resolveRunPlan({ optimizer: 'adam', epochs: 10 }, at);
    assert.ok(Number.isNaN(coupled.timescale(1)));
    assert.equal(coupled.lambdaLimit, undefined);
    assert.equal(firstGuessLambda(coupled, { lo: 1e-3, hi: 1e3 }).lambda, undefined);
    const decoupled = resolveRunPlan({ optimizer: 'adamw', convention: 'adamw', epochs: 10, batchSize: 100 }, at);
    // τ = 1/(S·η·wd) epochs with S = 10 steps an epoch.
    assert.ok(Math.abs(decoupled.timescale(0.01) / (1 / (10 * 1e-3 * 0.01)) - 1) < 0.01, `τ = ${decoupled.timescale(0.01)}`);
  });
});
