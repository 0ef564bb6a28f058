/** Tests of the atlas analysis on constructed data with known answers: least squares, conventions, seed spread, heuristics held out, strategy comparison. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  analyzeAtlas,
  compareStrategies,
  evaluateHeuristics,
  fitHeuristic,
  heldOutScore,
  heuristic,
  lambdaPoints,
  leastSquares,
  seedNoiseFloor,
  seedSpread,
  type LambdaPoint,
} from '../../src/atlas/analysis/index.js';
import { effectiveLr, toPytorch } from '../../src/atlas/analysis/points.js';
import { allTables, toCsv } from '../../src/atlas/report/tables.js';
import { fakeCell, lawRun } from './fixtures.js';

const close = (a: number, b: number, tol = 1e-9, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} ≠ ${b}`);

test('leastSquares: exact line, overdetermined fit by hand, and a column it cannot identify', () => {
  const line = leastSquares([[1, 0], [1, 1], [1, 2]], [1, 3, 5]);
  close(line.coefficients[0], 1);
  close(line.coefficients[1], 2);
  // y = 0, 1, 1, 2 at x = 0..3: slope = Sxy/Sxx = 3/5 = 0.6, intercept = ȳ − 0.6·x̄ = 1 − 0.9 = 0.1
  const fit = leastSquares([[1, 0], [1, 1], [1, 2], [1, 3]], [0, 1, 1, 2]);
  close(fit.coefficients[0], 0.1, 1e-12);
  close(fit.coefficients[1], 0.6, 1e-12);
  close(fit.residuals.reduce((a, b) => a + b, 0), 0, 1e-12, 'residuals sum to 0 with an intercept');
  // Second column constant: a multiple of the intercept, so it is dropped and the mean is fitted.
  const flat = leastSquares([[1, 3], [1, 3], [1, 3]], [1, 2, 6]);
  assert.deepEqual(flat.dropped, [1]);
  close(flat.coefficients[0], 3);
  assert.equal(flat.coefficients[1], 0);
});

test('conventions: PyTorch weight_decay = λ/m; η_eff = η/(1−μ) under momentum', () => {
  close(toPytorch(5, 50_000), 1e-4, 1e-15);
  close(effectiveLr(0.1, 'momentum', 0.9), 1, 1e-12);
  close(effectiveLr(0.1, 'nesterov'), 1, 1e-12);
  assert.equal(effectiveLr(0.1, 'sgd'), 0.1);
  assert.equal(effectiveLr(1e-3, 'adam'), 1e-3);
});

test('points: the reference strategy’s finished cells only, in both conventions, edges flagged', () => {
  const cells = [
    fakeCell({ dataset: 'd', model: 'a', m: 200, seed: 0, params: 100, results: { grid: { best_lambda: 4, edge_warning: 'λ_min is the largest λ tried' } } }),
    fakeCell({ dataset: 'd', model: 'a', m: 200, seed: 1, params: 100, results: { grid: { status: 'failed', best_lambda: null } } }),
    fakeCell({ dataset: 'd', model: 'b', m: 200, seed: 0, params: 100, results: { evidence: { best_lambda: 3 } } }),
  ];
  const pts = lambdaPoints(cells, 'grid');
  assert.equal(pts.length, 1);
  assert.equal(pts[0].lambda, 4);
  close(pts[0].lambdaPytorch, 0.02);
  assert.equal(pts[0].edge, true);
  assert.equal(pts[0].setting, 'd/a/m=200');
});

test('seedSpread: geometric mean, range and log10 sd over seeds; noise floor from the other seeds', () => {
  const run = lawRun({ a: 0, b: 0, c: 0 }, 0.2); // λ* = 10^±0.2 for seeds 0 and 1
  const pts = lambdaPoints(run.cells, 'grid');
  const spread = seedSpread(pts);
  assert.equal(spread.length, 3 * 3 * 2);
  const s = spread[0];
  assert.equal(s.seeds, 2);
  close(s.lambda, 1, 1e-12, 'geometric mean');
  close(s.min, 10 ** -0.2, 1e-12);
  close(s.max, 10 ** 0.2, 1e-12);
  close(s.log10Sd, Math.sqrt(2 * 0.2 ** 2), 1e-12, 'sample sd of ±0.2');
  close(s.lambdaPytorch, 1 / s.m, 1e-15);
  // Each cell against the other seed: |log10 ratio| = 0.4 > log10 2 ≈ 0.301, so nothing is within ×2.
  const floor = seedNoiseFloor(pts);
  assert.equal(floor.cells, pts.length);
  assert.equal(floor.within2, 0);
  close(floor.medianAbsLog10!, 0.4, 1e-12);
  assert.equal(seedNoiseFloor(pts.filter((p) => p.seed === 0)).within2, null, 'one seed: not measurable');
});

test('params-m recovers an exact law λ* = 10 · P^−0.3 · m^0.5 and predicts every held-out cell', () => {
  const pts = lambdaPoints(lawRun({ a: 1, b: -0.3, c: 0.5 }).cells, 'grid');
  const h = heuristic('params-m');
  const fit = fitHeuristic(h, pts);
  close(fit.coefficients.a, 1, 1e-9);
  close(fit.coefficients.b, -0.3, 1e-9);
  close(fit.coefficients.c, 0.5, 1e-9);
  close(fit.rmsLog10, 0, 1e-9);
  for (const by of ['setting', 'dataset'] as const) {
    const s = heldOutScore(h, pts, by);
    assert.equal(s.within2, 1, by);
    close(s.medianAbsLog10!, 0, 1e-9);
  }
  // A constant λ misses: the law spans 10^(−0.3·2 + 0.5·1) = 10^1.1 across the cells.
  const constant = heldOutScore(heuristic('constant'), pts, 'setting');
  assert.ok(constant.within2! < 0.8, `constant within2 ${constant.within2}`);
});

test('per-m (Nielsen) is exact when λ* ∝ m, constant is exact when λ* does not move', () => {
  const perM = lambdaPoints(lawRun({ a: -2, b: 0, c: 1 }).cells, 'grid');
  const f = fitHeuristic(heuristic('per-m'), perM);
  close(f.coefficients.a, -2, 1e-9, 'λ/m = 0.01');
  assert.equal(heldOutScore(heuristic('per-m'), perM, 'setting').within2, 1);
  assert.equal(heldOutScore(heuristic('constant'), perM, 'setting').within2, 0, 'm spans ×10: a constant is ×√10 off everywhere');
  const flat = lambdaPoints(lawRun({ a: 0.5, b: 0, c: 0 }).cells, 'grid');
  close(fitHeuristic(heuristic('constant'), flat).coefficients.a, 0.5, 1e-9);
  assert.equal(heldOutScore(heuristic('constant'), flat, 'dataset').within2, 1);
});

test('timescale: λ* = B/(η_eff·k·T) is recovered with k, across different batch sizes, rates and epochs', () => {
  const k = 4;
  const cells = [];
  let i = 0;
  for (const [B, lr, T] of [[32, 0.1, 10], [64, 0.05, 20], [128, 0.2, 5], [16, 0.01, 40]] as const) {
    for (const seed of [0, 1]) cells.push(fakeCell({ dataset: `d${i % 2}`, model: `m${i}`, m: 500, seed, params: 1000 * (i + 1), batchSize: B, lr, epochs: T, results: { grid: { best_lambda: B / (lr * k * T) } } }));
    i++;
  }
  const pts = lambdaPoints(cells, 'grid');
  const h = heuristic('timescale');
  const fit = fitHeuristic(h, pts);
  close(10 ** -fit.coefficients.a, k, 1e-9, 'k');
  assert.equal(heldOutScore(h, pts, 'setting').within2, 1);
  const summary = evaluateHeuristics(pts);
  assert.equal(summary.find((s) => s.heuristic.id === 'timescale')!.reading, 'τ = B/(η_eff·λ*) ≈ 4 × T');
});

test('held-out scores: a group with nothing else to fit on is skipped, and a rule that cannot see m says so', () => {
  const one = lambdaPoints(lawRun({ a: 0, b: 0, c: 0 }, 0, ['only']).cells, 'grid');
  const s = heldOutScore(heuristic('constant'), one, 'dataset');
  assert.equal(s.groups, 0);
  assert.equal(s.within2, null);
  const sameM: LambdaPoint[] = lambdaPoints(lawRun({ a: 0, b: -0.5, c: 0 }).cells, 'grid').filter((p) => p.m === 100);
  const f = fitHeuristic(heuristic('params-m'), sameM);
  assert.deepEqual(f.notIdentifiable, ['c']);
  close(f.coefficients.b, -0.5, 1e-9);
});

test('evaluateHeuristics orders rules by held-out accuracy; analyzeAtlas compares each other strategy', () => {
  const run = lawRun({ a: 1, b: -0.3, c: 0.5 }, 0.05);
  const a = analyzeAtlas(run);
  assert.equal(a.heuristics[0].heuristic.id, 'params-m');
  assert.equal(a.heuristics.length, 5);
  assert.match(a.heuristics[0].reading, /^λ\* ≈ 10 · P\^-0.3 · m\^0.5$/);
  assert.equal(a.comparisons.length, 1);
  assert.equal(a.comparisons[0].candidate, 'evidence');
  assert.equal(a.comparisons[0].bothOk, run.cells.length, 'fixture: +1% loss at 1/10 of the compute everywhere');
});

test('compareStrategies: relative test loss, compute ratio, and a reason for every miss', () => {
  const cells = [
    fakeCell({ dataset: 'd', model: 'ok', m: 100, seed: 0, params: 10, results: { grid: { best_lambda: 1, test_loss: 0.5, sample_grads: 1000 }, evidence: { best_lambda: 1.2, test_loss: 0.505, sample_grads: 100 } } }),
    fakeCell({ dataset: 'd', model: 'worse', m: 100, seed: 0, params: 10, results: { grid: { best_lambda: 1, test_loss: 0.5, sample_grads: 1000 }, evidence: { best_lambda: 30, test_loss: 0.55, sample_grads: 100, edge_warning: 'edge' } } }),
    fakeCell({ dataset: 'd', model: 'costly', m: 100, seed: 0, params: 10, results: { grid: { best_lambda: 1, test_loss: 0.5, sample_grads: 1000 }, evidence: { best_lambda: 1, test_loss: 0.4, sample_grads: 500 } } }),
    fakeCell({ dataset: 'd', model: 'failed', m: 100, seed: 0, params: 10, results: { grid: { test_loss: 0.5 }, evidence: { status: 'failed', error: 'diverged', best_lambda: null, test_loss: null } } }),
    fakeCell({ dataset: 'd', model: 'resumed', m: 100, seed: 0, params: 10, results: { grid: { test_loss: 0.5 }, evidence: { test_loss: 0.5, sample_grads: 3, resumed: true } } }),
    fakeCell({ dataset: 'd', model: 'absent', m: 100, seed: 0, params: 10, results: { grid: { test_loss: 0.5 }, evidence: { status: 'missing', best_lambda: null, test_loss: null } } }),
  ];
  const c = compareStrategies(cells, 'evidence', 'grid');
  assert.equal(c.rows.length, 6);
  assert.equal(c.compared, 4);
  const [ok, worse, costly, failed, resumed, absent] = c.rows;
  close(ok.relativeLoss!, 0.01, 1e-12);
  close(ok.costRatio!, 0.1, 1e-12);
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.reasons, []);
  close(worse.relativeLoss!, 0.1, 1e-12);
  assert.equal(worse.lossOk, false);
  assert.equal(worse.costOk, true);
  assert.match(worse.reasons[0], /test loss \+10\.0% vs grid \(target ≤ \+2\.0%\): λ = 30 vs 1, 30× larger; evidence's λ is on the edge/);
  assert.equal(costly.lossOk, true, 'a better test loss meets the loss target');
  assert.match(costly.reasons[0], /compute 0\.5 of grid's sample gradients \(target ≤ 0\.2\)/);
  assert.match(failed.reasons[0], /evidence failed: diverged/);
  assert.match(absent.reasons[0], /has not run on this cell yet/);
  assert.equal(resumed.costRatio, null, 'a resumed study’s partial count is not a cost');
  assert.equal(resumed.lossOk, true);
  assert.match(resumed.reasons[0], /evidence's compute is not measured: its study was resumed/);
  assert.equal(c.bothOk, 1);
  assert.deepEqual(c.failures.map((f) => f.model), ['worse', 'costly', 'failed', 'resumed', 'absent']);
  close(c.medianRelativeLoss!, 0.005, 1e-12, 'median of −20%, 0%, +1%, +10%');
});

test('tables: one CSV row per (cell, strategy), fields quoted where needed', () => {
  const run = lawRun({ a: 0, b: 0, c: 0 });
  const tables = allTables(run, analyzeAtlas(run));
  const cells = tables.find((t) => t.file === 'cells.csv')!;
  assert.equal(cells.rows.length, run.cells.length * 2);
  const csv = toCsv({ file: 'x.csv', columns: ['a', 'b'], rows: [['x,y', 'say "hi"'], [null, 1.5]] });
  assert.equal(csv, 'a,b\n"x,y","say ""hi"""\n,1.5\n');
  assert.deepEqual(tables.map((t) => t.file), ['cells.csv', 'settings.csv', 'regimes.csv', 'heuristics.csv', 'heldout.csv', 'comparison.csv', 'curves.csv', 'test-curves.csv', 'scale-cells.csv', 'scale-slopes.csv']);
});
