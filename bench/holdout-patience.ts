/**
 * `node --import tsx bench/holdout-patience.ts`: what a longer `--patience` does to the comparison of
 * early-stopped trials that tune's patience_warning points at (src/tune/patience-warning.ts). On
 * bench:tune's fashion-4k problem, per seed and per patience (BENCH_PATIENCE, default 3,6): the
 * 25-point hold-out grid over 0.01–10⁴ (as the references), its λ_min, the epochs its trial and its
 * neighbours within half a decade trained, whether tune warns, and the test loss of its refit (the
 * refit tune does, the chosen trial's scored epochs) averaged over the run's own training seed and 4
 * others, as the issue-22 regret averages (bench/holdout-refit-noise.ts). Nothing is timed; nothing cached.
 * BENCH_PROBLEMS and BENCH_SEEDS as in bench:tune. A line per seed and patience, a JSON line per problem.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { neighbourEpochs } from '../src/tune/patience-warning.js';
import { tune } from '../src/tune/tune.js';
import { mean } from './holdout-measure.js';
import { PROBLEMS } from './holdout-problems.js';
import { l2labRefitLosses } from './holdout-refit-noise.js';

const names = (process.env.BENCH_PROBLEMS ?? 'fashion-4k').split(',');
const seeds = (process.env.BENCH_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const patiences = (process.env.BENCH_PATIENCE ?? '3,6').split(',').map(Number);
const storage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-patience-')), 'bench.db');
const round = (x: number) => Number(x.toPrecision(4));

for (const p of PROBLEMS.filter((q) => names.includes(q.name))) {
  const data = p.data();
  const rows: Record<string, { lambda: number; epochs: number; neighbours: number; warned: boolean; test: number; grid_epochs: number }[]> = {};
  for (const patience of patiences) {
    rows[patience] = [];
    for (const seed of seeds) {
      const o = { ...p.base, patience, data, seed, storage };
      const g = await tune({ ...o, strategy: 'grid', logRange: { lo: 0.01, hi: 1e4, n: 25 }, extend: false, study: `${p.name}-s${seed}-patience-${patience}` });
      const best = g.trials.find((t) => t.lambda === g.best_lambda)!;
      const stopped = g.trials.map((t) => ({ lambda: t.lambda, epochsTrained: t.epochs_trained ?? 0 }));
      const near = neighbourEpochs(stopped, { lambda: best.lambda, epochsTrained: best.epochs_trained ?? 0 })!;
      const losses = await l2labRefitLosses(o, { lambda: g.best_lambda, dropout: 0, epochs: g.refit.epochs }, g.refit.test_loss);
      const gridEpochs = g.trials.reduce((a, t) => a + (t.epochs_trained ?? 0), 0);
      rows[patience].push({ lambda: g.best_lambda, epochs: best.epochs_trained ?? 0, neighbours: near.median, warned: g.patience_warning !== undefined, test: mean(losses), grid_epochs: gridEpochs });
      console.log(`${p.name}-s${seed} patience ${patience}: λ_min ${g.best_lambda.toPrecision(3)} trained ${best.epochs_trained} epochs, its neighbours ${near.median} (median, λ ${near.low.toPrecision(3)}–${near.high.toPrecision(3)}) | warning ${g.patience_warning ? 'yes' : 'no'} | refit ${g.refit.epochs} epochs, test loss ${mean(losses).toFixed(4)} (${losses.map((l) => l.toFixed(3)).join(' ')}) | grid epochs ${gridEpochs}`);
    }
  }
  const byPatience = Object.fromEntries(patiences.map((q) => [q, { lambdas: rows[q].map((r) => round(r.lambda)), warned: rows[q].filter((r) => r.warned).length, test_losses: rows[q].map((r) => round(r.test)), test_loss_mean: round(mean(rows[q].map((r) => r.test))), grid_epochs: rows[q].map((r) => r.grid_epochs) }]));
  console.log(JSON.stringify({ problem: p.name, seeds, patience: byPatience }));
}
