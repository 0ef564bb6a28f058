/**
 * `npm run bench:tune`: first, l2lab beside Optuna (bench/holdout-optuna.ts; basis: hold-out grid):
 * test regret of each tool's refitted λ against the grid's, epochs in all as a share of the grid's,
 * on l2lab's own training (bayes) and on one PyTorch function (ask/report/tell vs Optuna). Then the compute each λ-tuning
 * strategy needs to find a λ whose validation loss is within 1% of the best found by exhaustive
 * k-fold grid search over a 25-point log grid (basis: k-fold grid: 10-fold on breast-cancer, 5-fold
 * on wine and MNIST), on trained problems (`epochs: 'auto'`: every trial trains until its regularized
 * cost converged, at most 60 epochs on tabular data, 40 on images, so λ has time to act): breast-cancer
 * and wine with mlp:16, 1,000 digits of mnist-10k with mlp:16 (the default atlas's smallest image cell);
 * plus grid as one population vs
 * grid as separate runs (wall time), and the ridge path beside scikit-learn's RidgeCV.
 * First, the exact solver's 10-fold CV over 40 λ beside scikit-learn (bench/exact-cv.ts).
 * BENCH_QUICK=1 shrinks the MNIST problem (500 digits, at most 10 epochs) for a fast look;
 * BENCH_ONLY=kfold runs only the k-fold section (with the two small sections after it);
 * BENCH_ONLY=exact runs only the exact-solver section (a minute instead of the whole bench);
 * BENCH_ONLY=optuna only the Optuna section (BENCH_PROBLEMS, BENCH_SEEDS, BENCH_TRIALS: see there; its
 * reference side is cached in bench/cache, keyed on the options and on the code that computed it;
 * BENCH_REFRESH=1 recomputes it, BENCH_REFERENCE_ONLY=1 only fills it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, subsample, subset } from '../src/data/index.js';
import { logSpace } from '../src/tune/closed-form/ridge.js';
import { tune, type TuneOptions } from '../src/tune/tune.js';
import { benchExactCv } from './exact-cv.js';
import { gridLossAt } from './holdout-measure.js';
import { benchHoldoutOptuna } from './holdout-optuna.js';

const quick = process.env.BENCH_QUICK === '1';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-bench-tune-'));
const storage = path.join(dir, 'bench.db');
if (process.env.BENCH_ONLY === 'optuna') {
  console.log(JSON.stringify({ optuna: await benchHoldoutOptuna(dir, storage) }));
  process.exit(0);
}
const kfoldOnly = process.env.BENCH_ONLY === 'kfold';
const exact = kfoldOnly ? undefined : await benchExactCv(dir);
if (process.env.BENCH_ONLY === 'exact') {
  console.log(JSON.stringify({ exact }));
  process.exit(0);
}
const optuna = kfoldOnly ? undefined : await benchHoldoutOptuna(dir, storage);

interface Problem {
  name: string;
  /** Folds of the basis grid. */
  folds: number;
  base: Omit<TuneOptions, 'strategy'>;
}

async function compare(p: Problem): Promise<Record<string, unknown>> {
  const range = { lo: 1e-3, hi: 1e3, n: 25 };
  const grid = await tune({ ...p.base, strategy: 'grid', logRange: range, folds: p.folds, extend: false, study: `${p.name}-grid` });
  const best = Math.min(...grid.trials.filter((t) => t.cv_mean !== null).map((t) => t.cv_mean!));
  const acted = grid.trials.filter((t) => t.lambda === grid.best_lambda)[0];
  console.log(
    `${p.name} (basis: ${p.folds}-fold grid): ${p.folds}-fold grid of 25 λ: λ_min ${grid.best_lambda.toPrecision(3)}, CV loss ${best.toFixed(4)}, ${grid.cost.sample_grads.toLocaleString('en-US')} sample gradients (${grid.cost.epochs.toFixed(0)} epochs of m rows), ${grid.cost.seconds.toFixed(1)} s, test loss ${grid.refit.test_loss.toFixed(4)}` +
      (acted?.epochs_trained != null ? `; at λ_min: ${acted.epochs_trained} epochs, τ = ${acted.lambda_timescale_epochs?.toPrecision(3)} epochs, converged ${acted.converged}` : ''),
  );
  const rows: Record<string, unknown> = { folds: p.folds, grid_sample_grads: grid.cost.sample_grads, grid_seconds: grid.cost.seconds, grid_lambda: grid.best_lambda, grid_test_loss: grid.refit.test_loss };
  const strategies: [string, TuneOptions][] = [
    ['sh (hold-out 0.2)', { ...p.base, strategy: 'sh', logRange: { ...range, n: 27 }, holdout: 0.2, study: `${p.name}-sh` }],
    ['bayes (hold-out 0.2, 10 trials)', { ...p.base, strategy: 'bayes', logRange: range, holdout: 0.2, trials: 10, study: `${p.name}-bayes` }],
    ['grid (hold-out 0.2)', { ...p.base, strategy: 'grid', logRange: range, holdout: 0.2, extend: false, study: `${p.name}-grid-holdout` }],
    ['evidence (one run)', { ...p.base, strategy: 'evidence', study: `${p.name}-evidence` }],
  ];
  for (const [label, o] of strategies) {
    const r = await tune(o);
    const loss = gridLossAt(grid.trials, r.best_lambda);
    const within = loss <= best * 1.01;
    const share = r.cost.sample_grads / grid.cost.sample_grads;
    console.log(`  ${label.padEnd(32)} λ ${r.best_lambda.toPrecision(3).padStart(9)}  grid-CV loss there ${loss.toFixed(4)} (${within ? 'within 1%' : `${((100 * (loss - best)) / best).toFixed(1)}% worse`})  compute ${(100 * share).toFixed(1)}% of the grid's  test loss ${r.refit.test_loss.toFixed(4)}  ${r.cost.seconds.toFixed(1)} s`);
    rows[label] = { lambda: r.best_lambda, cv_loss_at_lambda: loss, within_1pct: within, compute_share: share, test_loss: r.refit.test_loss, seconds: r.cost.seconds };
  }
  return rows;
}

const mnist = loadDataset('mnist-10k');
// 1,000 digits and mlp:16 keep the 125-member grid, trained until converged, to minutes on a shared 2-core machine; BENCH_QUICK halves it again.
const mnistData = subset(mnist, subsample(mnist, quick ? 500 : 1000, { seed: 0 }));
// The default atlas's training (atlas/default.json): trained until the regularized cost converged.
const tabular = { model: 'mlp:16', epochs: 'auto', maxEpochs: 60, lr: 0.05, optimizer: 'momentum', momentum: 0.9, batchSize: 16, storage } as const;
const problems: Problem[] = [
  { name: 'breast-cancer', folds: 10, base: { data: 'breast-cancer', ...tabular } },
  { name: 'wine', folds: 5, base: { data: 'wine', ...tabular } },
  { name: 'mnist-10k', folds: 5, base: { data: mnistData, model: 'mlp:16', epochs: 'auto', maxEpochs: quick ? 10 : 40, lr: 0.1, optimizer: 'momentum', momentum: 0.9, batchSize: 64, storage } },
];
const summary: Record<string, unknown> = { exact, optuna };
for (const p of problems) summary[p.name] = await compare(p);

// Grid as one population vs the same grid as separate runs (wall time), on a smaller grid.
const small = { data: 'breast-cancer', model: 'mlp:16', epochs: 30, lr: 0.05, optimizer: 'momentum' as const, momentum: 0.9, batchSize: 32, storage, logRange: { lo: 1e-2, hi: 1e2, n: 9 }, folds: 5, extend: false };
const stacked = await tune({ ...small, strategy: 'grid', study: 'stack-on' });
const separate = await tune({ ...small, strategy: 'grid', study: 'stack-off', stacking: 'never' });
console.log(`grid 9 λ × 5 folds, breast-cancer mlp:16: one population ${stacked.cost.seconds.toFixed(1)} s (${stacked.cost.passes} passes) vs separate runs ${separate.cost.seconds.toFixed(1)} s (${separate.cost.passes} passes): ×${(separate.cost.seconds / stacked.cost.seconds).toFixed(1)}`);
summary.population_speedup = separate.cost.seconds / stacked.cost.seconds;

// Ridge path over 100 λ beside scikit-learn's RidgeCV on the same data.
const diabetes = path.join(dir, 'diabetes.csv');
fs.copyFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/diabetes.csv'), diabetes);
const lambdas = logSpace(1e-3, 1e4, 100);
const ridge = await tune({ strategy: 'ridge', data: diabetes, model: 'linear', lambdas, storage, study: 'ridge', test: 0, scaling: 'off' });
const t0 = performance.now();
const sk = spawnSync('/usr/bin/python3', [path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/ref/sklearn_ridge_cv.py'), diabetes, '--target', 'target', '--alphas', lambdas.join(',')], { encoding: 'utf8' });
const skSeconds = (performance.now() - t0) / 1000;
if (sk.status === 0) {
  console.log(`ridge path, 100 λ on diabetes: l2lab ${ridge.scheme}; scikit-learn RidgeCV process ${skSeconds.toFixed(2)} s (including Python start-up)`);
  summary.ridge = { l2lab_scheme: ridge.scheme, sklearn_process_seconds: skSeconds, lambda: ridge.best_lambda, sklearn_lambda: JSON.parse(sk.stdout).best_alpha };
}
console.log(JSON.stringify(summary));
