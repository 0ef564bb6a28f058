/** The exact solver as the default for convex models: fit's report, option rules, tune's trials and failures, the CLI and ONNX export. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { InvalidOptionError } from '../../src/errors.js';
import { fit, evaluateParams } from '../../src/train/fit.js';
import { tune } from '../../src/tune/tune.js';
import { l2lab, scratch } from '../cli/helpers.js';

test('fit: logistic defaults to the exact solver, reports iterations and the gradient norm, and the engine scores its parameters', async () => {
  const { report, model } = await fit({ data: 'breast-cancer', model: 'logistic', lambda: 1.6 });
  assert.equal(report.solver.name, 'exact');
  if (report.solver.name !== 'exact') return;
  assert.ok(report.solver.converged && report.solver.iterations > 0 && report.solver.iterations < 20);
  assert.ok(report.solver.grad_norm < 1e-9);
  // The solution is stationary: the cost in the last record is below the initial one, and the engine
  // (ONNX Runtime, float64) reproduces the test loss from the same [W0, b0] layout.
  assert.ok(report.epochs[0].cost < report.init.data_loss);
  assert.equal(model.params[0].length, 30);
  assert.equal(model.params[1].length, 1);
  assert.ok(report.test && report.test.loss > 0 && report.test.accuracy! > 0.9);
});

test('fit: SGD options choose sgd unless --solver exact is explicit, where they are an error; MLPs refuse exact', async () => {
  const sgd = await fit({ data: 'breast-cancer', model: 'logistic', lambda: 1, lr: 0.1, epochs: 1 });
  assert.deepEqual(sgd.report.solver, { name: 'sgd' });
  await assert.rejects(fit({ data: 'breast-cancer', model: 'logistic', lambda: 1, lr: 0.1, solver: 'exact' }), (e: Error) => e instanceof InvalidOptionError && /--lr applies to gradient descent only/.test(e.message));
  await assert.rejects(fit({ data: 'breast-cancer', model: 'mlp:4', lambda: 1, solver: 'exact' }), (e: Error) => e instanceof InvalidOptionError && /--solver sgd/.test(e.message));
  await assert.rejects(fit({ data: 'breast-cancer', model: 'logistic', lambda: 1, solver: 'newton' as never }), /Unknown --solver 'newton'/);
});

test('tune: exact trials at λ from 1e-2 to 1e8 all complete; λ = 0 on separable folds fails with the reason, iterations and gradient norm', async () => {
  const storage = path.join(scratch('exact-tune'), 'study.db');
  const r = await tune({ data: 'breast-cancer', model: 'logistic', strategy: 'grid', lambdas: [0, 1e-2, 1, 1e4, 1e8], folds: 3, extend: false, storage });
  const byLambda = new Map(r.trials.map((t) => [t.lambda, t]));
  assert.equal(byLambda.get(0)!.state, 'FAIL');
  assert.match(byLambda.get(0)!.reason!, /separable.*iterations, ‖∇cost‖∞ = /);
  for (const l of [1e-2, 1, 1e4, 1e8]) assert.equal(byLambda.get(l)!.state, 'COMPLETE', `λ = ${l}: ${byLambda.get(l)!.reason}`);
  assert.equal(r.best_lambda, 1);
  assert.equal(r.refit.solver?.name, 'exact');
  // At λ = 1e8 the weights vanish: the CV loss is the entropy of the class prior.
  assert.ok(Math.abs(byLambda.get(1e8)!.cv_mean! - 0.66) < 0.01);
});

test('tune: the warm-started path strategy and successive halving give the exact CV losses of grid', async () => {
  const storage = path.join(scratch('exact-path'), 'study.db');
  const base = { data: 'wine', model: 'softmax', folds: 3, lambdas: [0.1, 1, 10], storage };
  const grid = await tune({ ...base, strategy: 'grid', extend: false });
  const p = await tune({ ...base, strategy: 'path' });
  for (const t of grid.trials) {
    const q = p.trials.find((x) => x.lambda === t.lambda)!;
    assert.ok(Math.abs(q.cv_mean! - t.cv_mean!) < 1e-8, `λ = ${t.lambda}: path ${q.cv_mean} vs grid ${t.cv_mean}`);
  }
});

test('CLI: train --json carries solver {name, iterations, grad_norm, converged}; --out writes a model evaluate reads', async () => {
  const dir = scratch('exact-cli');
  const out = path.join(dir, 'm.onnx');
  const r = await l2lab('train', '--data', 'breast-cancer', '--model', 'logistic', '--lambda', '1', '--json', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.solver.name, 'exact');
  assert.equal(report.solver.converged, true);
  assert.ok(Number.isInteger(report.solver.iterations) && report.solver.grad_norm < 1e-9);
  const e = await l2lab('evaluate', '--model', out, '--data', 'breast-cancer', '--json');
  assert.equal(e.code, 0, e.stderr);
  assert.ok(JSON.parse(e.stdout).accuracy > 0.95);
});
