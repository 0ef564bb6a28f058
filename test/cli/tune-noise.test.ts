/** bayes says how far its validation rows can tell λ apart: the Gaussian process's noise reading, printed and in --json, and the warning when the answer is "not within a decade". */
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { noiseReport } from '../../src/tune/strategies/bayes.js';
import { l2lab, scratch } from './helpers.js';

const dir = scratch('tune-noise');

it('tune --strategy bayes prints the noise reading and gives it in --json; show repeats it', async () => {
  const base = ['tune', '--data', 'breast-cancer', '--model', 'mlp:4', '--strategy', 'bayes', '--trials', '4', '--log-range', '0.01:1:3', '--epochs', '3', '--holdout', '0.2', '--storage', path.join(dir, 'a.db')];
  const text = await l2lab(...base);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /\nnoise: the validation losses scatter by about ±[\d.]+% from run to run \(the Gaussian process's estimate\); (λ from [\d.]+ to [\d.]+|only λ ≈ [\d.]+) is predicted within that of the best\n/);
  const json = await l2lab(...base, '--json');
  assert.equal(json.code, 0, json.stderr);
  const { noise, trials } = JSON.parse(json.stdout) as { noise: { relative_std: number; lambda: number; lambda_lo: number; lambda_hi: number; warning?: string }; trials: { lambda: number }[] };
  const tried = trials.map((t) => t.lambda);
  assert.ok(noise.lambda_lo >= Math.min(...tried) * (1 - 1e-9) && noise.lambda_hi <= Math.max(...tried) * (1 + 1e-9), `${JSON.stringify(noise)} within the λ tried ${tried}`);
  assert.ok(noise.lambda_lo <= noise.lambda && noise.lambda <= noise.lambda_hi);
  // show repeats it from the stored trials: the same line, the same JSON.
  const { study } = JSON.parse(json.stdout) as { study: string };
  const line = text.stdout.split('\n').find((l) => l.startsWith('noise: '))!;
  const shown = await l2lab('show', study, '--storage', path.join(dir, 'a.db'));
  assert.equal(shown.code, 0, shown.stderr);
  assert.ok(shown.stdout.split('\n').includes(line), `show printed:\n${shown.stdout}`);
  const shownJson = await l2lab('show', study, '--storage', path.join(dir, 'a.db'), '--json');
  assert.deepEqual((JSON.parse(shownJson.stdout) as { noise: unknown }).noise, noise);
});

it('tune --json and show give λ_min with the interval the data cannot separate from it, in seed and framework units', async () => {
  const db = path.join(dir, 'b.db');
  const base = ['tune', '--data', 'breast-cancer', '--model', 'mlp:4', '--strategy', 'bayes', '--trials', '4', '--log-range', '0.01:1:3', '--epochs', '3', '--holdout', '0.2', '--storage', db];
  type Interval = { low: number; high: number; basis: string };
  const json = await l2lab(...base, '--json');
  assert.equal(json.code, 0, json.stderr);
  const r = JSON.parse(json.stdout) as { study: string; best_lambda: number; lambda_interval: Interval; conversions: Record<string, { value: number }>; conversions_interval: { low: Record<string, { value: number }>; high: Record<string, { value: number }> } };
  const i = r.lambda_interval;
  assert.ok(i.low <= r.best_lambda && r.best_lambda <= i.high, JSON.stringify(i));
  assert.match(i.basis, /^(GP posterior band|λ_min alone)/);
  // The framework's units: PyTorch's weight_decay is λ/m, so the ends scale as λ_min does.
  const ratio = r.conversions.pytorch.value / r.best_lambda;
  assert.ok(Math.abs(r.conversions_interval.low.pytorch.value / i.low - ratio) < 1e-9 * ratio && Math.abs(r.conversions_interval.high.pytorch.value / i.high - ratio) < 1e-9 * ratio);
  const text = await l2lab(...base);
  const line = text.stdout.split('\n').find((l) => l.startsWith('interval: '));
  assert.ok(line, text.stdout);
  const shown = await l2lab('show', r.study, '--storage', db);
  assert.ok(shown.stdout.split('\n').includes(line!), `show printed:\n${shown.stdout}`);
  const shownJson = JSON.parse((await l2lab('show', r.study, '--storage', db, '--json')).stdout) as { best_lambda: number; lambda_interval: Interval };
  assert.deepEqual([shownJson.best_lambda, shownJson.lambda_interval], [r.best_lambda, i]);
  // k folds give λ_min a standard error: the one-SE band.
  const grid = await l2lab('tune', '--data', 'breast-cancer', '--model', 'mlp:4', '--lambdas', '0.01,0.1,1', '--folds', '2', '--epochs', '3', '--storage', db, '--json');
  assert.equal(grid.code, 0, grid.stderr);
  const g = JSON.parse(grid.stdout) as { best_lambda: number; lambda_1se: number; lambda_interval: Interval };
  assert.match(g.lambda_interval.basis, /^within one SE of λ_min/);
  assert.ok(g.lambda_interval.low <= g.best_lambda && g.lambda_interval.high === g.lambda_1se, JSON.stringify(g));
});

it('warns when the λ within the noise of the best span a decade or more, and only then', () => {
  // fashion-4k seed 1 of bench:tune read ±2.6% over λ 0.01–7.13 (log10 −2 to 0.853).
  const wide = noiseReport({ std: 0.026, x: -1.37, lo: -2, hi: 0.853 });
  assert.match(wide.warning!, /^the validation losses scatter by about ±2\.6% from run to run \(the Gaussian process's noise estimate\), and every λ from 0\.0100 to 7\.13 is predicted within that of the best: these validation rows cannot tell them apart, so λ_min is the trial where the process's curve is lowest, not the lowest draw, and any λ in that range is as good a choice\. More validation rows \(--holdout, --folds k\) or less SGD noise/);
  assert.ok(Math.abs(wide.lambda_hi - 7.13) < 0.01 && Math.abs(wide.relative_std - 0.026) < 1e-12);
  // mnist-10k seed 1: ±1.2% over 2.92–5.16, no warning.
  assert.equal(noiseReport({ std: 0.012, x: 0.606, lo: 0.465, hi: 0.713 }).warning, undefined);
  // The edge: a factor of exactly 10 warns.
  assert.ok(noiseReport({ std: 0.05, x: 0.5, lo: 0, hi: 1 }).warning);
});
