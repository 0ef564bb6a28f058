/** bench:tune's Optuna section, per seed and per problem: the rows it measures, their summary (medians over seeds) and the markdown table. */
import { intervalCoverage, median, share, type LambdaInterval } from './holdout-measure.js';

/** One tool on one seed: its λ, its test regret, its epochs in all, to the noise bar and to 1% (null: never), its trials. */
export interface ToolRow {
  lambda: number;
  /** Mean test loss of the refits at its λ over the training seeds against the mean at the grid's λ (bench/holdout-refit-noise.ts). */
  test_regret: number;
  /** The same from the run's own training seed's refits alone (secondary: one draw of SGD each). */
  test_regret_single: number;
  epochs: number;
  epochs_to_noise: number | null;
  epochs_to_1pct: number | null;
  trials: number;
  pruned: number;
}

/** One seed of one comparison: the grid l2lab is judged against (λ, epochs), Optuna's grid epochs, both tools, and l2lab's interval where it gives one. */
export interface SeedRow {
  seed: number;
  grid_lambda: number;
  grid_epochs: number;
  /** The epochs of the grid Optuna's compute is a share of (the PyTorch grid: the grid of its training code). */
  optuna_grid_epochs: number;
  bayes: ToolRow;
  optuna: ToolRow;
  interval?: LambdaInterval;
  /** The relative SD of the test loss of the refit at the grid's λ over training seeds (bench/holdout-refit-noise.ts): how far a regret moves with λ unchanged. */
  refit_noise?: number;
}

const round = (x: number | null, digits = 4): number | null => (x === null ? null : Number(x.toPrecision(digits)));

/** One problem's JSON line: medians over seeds (issue 22's fields first), the secondary 1% shares, and each seed's λ and regret for the spread. */
export function summarize(problem: string, rows: readonly SeedRow[]): Record<string, unknown> {
  const med = (f: (r: SeedRow) => number | null) => round(median(rows.map(f)));
  const cover = intervalCoverage(rows.map((r) => r.interval), rows.map((r) => r.grid_lambda));
  return {
    problem,
    seeds: rows.map((r) => r.seed),
    bayes_test_regret_median: med((r) => r.bayes.test_regret),
    optuna_test_regret_median: med((r) => r.optuna.test_regret),
    grid_epochs: med((r) => r.grid_epochs),
    bayes_epochs_share_median: med((r) => share(r.bayes.epochs, r.grid_epochs)),
    optuna_epochs_share_median: med((r) => share(r.optuna.epochs, r.optuna_grid_epochs)),
    bayes_interval_covers_grid: cover === null ? 'n/a' : `${cover.covered}/${cover.of}`,
    bayes_noise_share_median: med((r) => share(r.bayes.epochs_to_noise, r.grid_epochs)),
    optuna_noise_share_median: med((r) => share(r.optuna.epochs_to_noise, r.optuna_grid_epochs)),
    refit_noise_median: med((r) => r.refit_noise ?? null),
    bayes_test_regret_single_median: med((r) => r.bayes.test_regret_single),
    optuna_test_regret_single_median: med((r) => r.optuna.test_regret_single),
    bayes_1pct_share_median: med((r) => share(r.bayes.epochs_to_1pct, r.grid_epochs)),
    optuna_1pct_share_median: med((r) => share(r.optuna.epochs_to_1pct, r.optuna_grid_epochs)),
    bayes_test_regrets: rows.map((r) => round(r.bayes.test_regret, 3)),
    optuna_test_regrets: rows.map((r) => round(r.optuna.test_regret, 3)),
    bayes_test_regrets_single: rows.map((r) => round(r.bayes.test_regret_single, 3)),
    optuna_test_regrets_single: rows.map((r) => round(r.optuna.test_regret_single, 3)),
    refit_noises: rows.map((r) => round(r.refit_noise ?? null, 3)),
    grid_lambdas: rows.map((r) => round(r.grid_lambda, 3)),
    bayes_lambdas: rows.map((r) => round(r.bayes.lambda, 3)),
    optuna_lambdas: rows.map((r) => round(r.optuna.lambda, 3)),
  };
}

const pct = (x: unknown): string => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : 'never');
const signed = (x: unknown): string => (typeof x === 'number' ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%` : '–');

/** One seed's row as a line of the log. */
export function seedLine(label: string, r: SeedRow): string {
  const tool = (name: string, t: ToolRow, gridEpochs: number) =>
    `${name} λ ${t.lambda.toPrecision(3)}, test regret ${signed(t.test_regret)} (one refit ${signed(t.test_regret_single)}), ${t.epochs} epochs (${pct(t.epochs / gridEpochs)}; ${t.trials} trials, ${t.pruned} pruned), to the noise bar ${t.epochs_to_noise ?? 'never'}, to 1% ${t.epochs_to_1pct ?? 'never'}`;
  const interval = r.interval ? `, interval ${r.interval.low.toPrecision(3)}–${r.interval.high.toPrecision(3)} (${r.interval.basis})` : ', interval n/a';
  const noise = r.refit_noise === undefined ? '' : `, refit noise ±${pct(r.refit_noise)}`;
  return `${label}: grid λ ${r.grid_lambda.toPrecision(3)} (${r.grid_epochs} epochs${noise}) | ${tool('l2lab', r.bayes, r.grid_epochs)}${interval} | ${tool('Optuna', r.optuna, r.optuna_grid_epochs)}`;
}

/** The markdown table of the problems' summaries (medians over seeds; one-refit regrets and 1% shares secondary). */
export function markdownTable(summaries: readonly Record<string, unknown>[]): string {
  const head = '| problem | seeds | l2lab test regret | Optuna test regret | refit noise (SD) | grid epochs | l2lab epochs share | Optuna epochs share | l2lab interval covers grid λ | l2lab / Optuna share to noise bar | (secondary) l2lab / Optuna regret, one refit | (secondary) l2lab / Optuna share to 1% |\n|---|---|---|---|---|---|---|---|---|---|---|---|';
  const line = (s: Record<string, unknown>) =>
    `| ${String(s.problem)} | ${(s.seeds as number[]).length} | ${signed(s.bayes_test_regret_median)} | ${signed(s.optuna_test_regret_median)} | ±${pct(s.refit_noise_median)} | ${String(s.grid_epochs)} | ${pct(s.bayes_epochs_share_median)} | ${pct(s.optuna_epochs_share_median)} | ${String(s.bayes_interval_covers_grid)} | ${pct(s.bayes_noise_share_median)} / ${pct(s.optuna_noise_share_median)} | ${signed(s.bayes_test_regret_single_median)} / ${signed(s.optuna_test_regret_single_median)} | ${pct(s.bayes_1pct_share_median)} / ${pct(s.optuna_1pct_share_median)} |`;
  return [head, ...summaries.map(line)].join('\n');
}
