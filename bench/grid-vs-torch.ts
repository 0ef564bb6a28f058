/**
 * Time to λ against what a user would otherwise run (issue 24, item 3), whole process against whole
 * process, each in a fresh process:
 * - `grid_vs_torch_loop`: l2lab's `tune` (grid, its defaults: plain SGD at lr 0.1, 20 epochs, batch
 *   min(128, m), He init, the seed's cost) over a 13-point log grid of λ (1e-3 … 1e3) with 5-fold CV,
 *   mlp:32 on breast-cancer and mlp:128 on mnist-10k, against test/ref/torch_grid_loop.py: the same
 *   rows, folds, model, epochs, batch and optimizer in a plain PyTorch loop over λ × folds
 *   (weight_decay = λ/m on the weights), then a refit at its best λ, as tune refits.
 *   The loss curves are compared against PyTorch's seed-to-seed spread (BENCH_SEEDS, default 0,1,2).
 * - `bayes_vs_optuna`: `tune --strategy bayes` against Optuna (TPE + MedianPruner) driving PyTorch
 *   (test/ref/torch_lambda.py's optuna mode) on the same hold-out split, with the Optuna section's settings
 *   (bench/holdout-optuna.ts: momentum 0.9, lr 0.1, 20 epochs, patience 3, λ in [1e-2, 1e4], 15 bayes
 *   trials and 30 Optuna trials).
 * ratio = PyTorch's (or Optuna's) wall seconds ÷ l2lab's; medians of BENCH_REPEATS (default 3) alternated
 * runs; one JSON line per problem. Needs the compiled CLI (`npm run build`) and Debian's python3-torch
 * and python3-optuna. Run: npm run build && npm run bench:torch
 * BENCH_QUICK=1: one repeat, few epochs and trials, seeds 0,1 (a smoke run; its numbers mean nothing).
 * BENCH_ONLY=grid or BENCH_ONLY=bayes runs one of the two rows.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logSpace } from '../src/tune/closed-form/ridge.js';
import { createSetup, usePopulation } from '../src/tune/setup.js';
import type { TuneOptions } from '../src/tune/tune.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env.BENCH_QUICK === '1';
const REPEATS = Number(process.env.BENCH_REPEATS ?? (QUICK ? 1 : 3));
const median = (v: number[]): number => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Runs a command, returns its wall seconds and stdout; a failure throws with its stderr. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, env });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

/** `node bin/l2lab.js tune …` with a new study file; its wall seconds and JSON result. */
function l2labTune(args: string[], db: string): { seconds: number; result: { best_lambda: number; trials: { lambda: number; cv_mean: number | null }[] } } {
  const r = timed(process.execPath, [path.join(ROOT, 'bin/l2lab.js'), 'tune', ...args, '--storage', db, '--json']);
  return { seconds: r.seconds, result: JSON.parse(r.stdout) };
}

/** The CLI flags of tune options (the subset these rows use). */
function flags(o: Omit<TuneOptions, 'storage'>): string[] {
  const out = ['--data', String(o.data), '--model', o.model];
  const add = (flag: string, v: unknown) => v !== undefined && out.push(`--${flag}`, String(v));
  add('strategy', o.strategy);
  add('folds', o.folds);
  add('holdout', o.holdout);
  add('epochs', o.epochs);
  add('batch-size', o.batchSize);
  add('optimizer', o.optimizer);
  add('momentum', o.momentum);
  add('lr', o.lr);
  add('patience', o.patience);
  add('trials', o.trials);
  add('seed', o.seed);
  if (o.logRange) out.push('--log-range', `${o.logRange.lo}:${o.logRange.hi}:${o.logRange.n}`);
  if (o.strategy === 'grid') out.push('--no-extend');
  return out;
}

/** Rows as the Python scripts read them: float32 features, int32 labels, little endian. */
function writeRows(dir: string, name: string, x: Float32Array, y: ArrayLike<number>): void {
  fs.writeFileSync(path.join(dir, `x_${name}.f32`), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  fs.writeFileSync(path.join(dir, `y_${name}.i32`), Buffer.from(Int32Array.from(y).buffer));
}

/** l2lab's standardized training rows, folds and test rows, and the recipe, for torch_grid_loop.py. */
function writeGridDir(dir: string, o: Omit<TuneOptions, 'storage'>, lambdas: number[]): void {
  const s = createSetup(o, o);
  fs.mkdirSync(dir, { recursive: true });
  writeRows(dir, 'train', s.train.x, s.train.y);
  writeRows(dir, 'test', s.test.x, s.test.y);
  fs.writeFileSync(path.join(dir, 'folds.json'), JSON.stringify(s.folds.map((f) => Array.from(f.validation))));
  const arch = s.architecture(0);
  const widths = arch.widths;
  // Folds that stack step on shared minibatches of every row (masked); one trained alone steps on its own rows.
  const masked = usePopulation(arch);
  const meta = { d: s.train.d, classes: widths[widths.length - 1], hidden: widths[1], batch: s.plan.batchSize, lr: s.plan.lr, epochs: s.plan.epochBudget, lambdas, seed: o.seed ?? 0, masked };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
}

interface TorchGrid {
  cv_loss: number[][];
  best_lambda: number;
  test_loss: number;
}

/** One grid_vs_torch_loop row: timed alternated runs, then the curves against PyTorch's spread over seeds. */
function gridRow(name: string, o: Omit<TuneOptions, 'storage'>, dir: string): Record<string, unknown> {
  const r = o.logRange!;
  const lambdas = logSpace(r.lo, r.hi, r.n);
  const split = path.join(dir, `grid-${name}`);
  writeGridDir(split, o, lambdas);
  const ref = path.join(ROOT, 'test/ref/torch_grid_loop.py');
  const times = { l2lab: [] as number[], torch: [] as number[] };
  let ours;
  for (let i = 0; i < REPEATS; i++) {
    ours = l2labTune(flags(o), path.join(dir, `grid-${name}-${i}.db`));
    times.l2lab.push(ours.seconds);
    times.torch.push(timed('/usr/bin/python3', [ref, split]).seconds);
  }
  const seeds = process.env.BENCH_SEEDS ?? (QUICK ? '0,1' : '0,1,2');
  const torch = JSON.parse(timed('/usr/bin/python3', [ref, split, '--seeds', seeds]).stdout) as TorchGrid;
  const curve = ours!.result.trials.slice().sort((a, b) => a.lambda - b.lambda).map((t) => t.cv_mean ?? NaN);
  const z = curve.map((v, i) => {
    const across = torch.cv_loss.map((c) => c[i]);
    const mean = across.reduce((a, b) => a + b, 0) / across.length;
    const sd = Math.sqrt(across.reduce((a, b) => a + (b - mean) ** 2, 0) / (across.length - 1));
    return { diff: v - mean, sd, rel: Math.abs(v - mean) / mean };
  });
  const row = {
    bench: 'grid_vs_torch_loop',
    problem: name,
    ratio: median(times.torch) / median(times.l2lab),
    l2lab_seconds: median(times.l2lab),
    torch_seconds: median(times.torch),
    model: o.model,
    folds: o.folds,
    lambdas: r.n,
    epochs: o.epochs ?? 20,
    l2lab_lambda: ours!.result.best_lambda,
    torch_lambda: torch.best_lambda,
    // The curves: l2lab's (seed 0) against the mean of PyTorch's seeds, in units of their spread.
    curve_max_rel_diff: Math.max(...z.map((p) => p.rel)),
    curve_max_diff_in_sd: Math.max(...z.map((p) => Math.abs(p.diff) / p.sd)),
    curve_points_within_3sd: z.filter((p) => Math.abs(p.diff) <= 3 * p.sd).length,
    torch_seeds: seeds,
    repeats: REPEATS,
    cores: os.cpus().length,
    load: os.loadavg()[0],
  };
  console.log(JSON.stringify(row));
  return row;
}

/** The hold-out split for torch_lambda.py's optuna mode (its meta's grid: Optuna's λ range, its two ends). */
function writeOptunaDir(dir: string, o: Omit<TuneOptions, 'storage'>, trials: number): void {
  const s = createSetup(o, o);
  const { train, validation } = s.folds[0];
  const pick = (rows: Int32Array) => {
    const x = new Float32Array(rows.length * s.train.d);
    rows.forEach((r, i) => x.set(s.train.x.subarray(r * s.train.d, (r + 1) * s.train.d), i * s.train.d));
    return x;
  };
  fs.mkdirSync(dir, { recursive: true });
  writeRows(dir, 'train', pick(train), Array.from(train, (r) => s.train.y[r]));
  writeRows(dir, 'val', pick(validation), Array.from(validation, (r) => s.train.y[r]));
  const range = [o.logRange!.lo, o.logRange!.hi];
  if (s.train.task !== 'classification') throw new Error('torch_lambda.py trains classifiers only');
  // Its model ends in one logit per class (softmax cross-entropy), as bench/holdout-optuna.ts writes it.
  const meta = { d: s.train.d, classes: s.train.classes.length, hidden: s.architecture(0).widths[1], batch: s.plan.batchSize, lr: s.plan.lr, momentum: o.momentum, epochs: s.plan.epochBudget, patience: o.patience, grid: range, seed: o.seed ?? 0, optuna_trials: trials };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
}

/** One bayes_vs_optuna row: wall time of each tool's whole process, and what each chose. */
function bayesRow(name: string, o: Omit<TuneOptions, 'storage'>, optunaTrials: number, dir: string): Record<string, unknown> {
  const split = path.join(dir, `optuna-${name}`);
  writeOptunaDir(split, o, optunaTrials);
  const ref = path.join(ROOT, 'test/ref/torch_lambda.py');
  // torch's default threads (all cores), as l2lab's default; torch_lambda.py would otherwise take 1.
  const env = { ...process.env, OPTUNA_THREADS: String(os.cpus().length) };
  const times = { l2lab: [] as number[], optuna: [] as number[] };
  let ours;
  let theirs: { best_lambda: number; best_value: number; trials: unknown[] } | undefined;
  for (let i = 0; i < REPEATS; i++) {
    ours = l2labTune(flags(o), path.join(dir, `bayes-${name}-${i}.db`));
    times.l2lab.push(ours.seconds);
    const t = timed('/usr/bin/python3', [ref, split, 'optuna'], env);
    times.optuna.push(t.seconds);
    theirs = JSON.parse(t.stdout);
  }
  const row = {
    bench: 'bayes_vs_optuna',
    problem: name,
    ratio: median(times.optuna) / median(times.l2lab),
    l2lab_seconds: median(times.l2lab),
    optuna_seconds: median(times.optuna),
    model: o.model,
    bayes_trials: o.trials,
    optuna_trials: optunaTrials,
    l2lab_lambda: ours!.result.best_lambda,
    l2lab_best_holdout_loss: Math.min(...ours!.result.trials.map((t) => t.cv_mean ?? Infinity)),
    optuna_lambda: theirs!.best_lambda,
    optuna_best_holdout_loss: theirs!.best_value,
    repeats: REPEATS,
    cores: os.cpus().length,
    load: os.loadavg()[0],
  };
  console.log(JSON.stringify(row));
  return row;
}

const PROBLEMS = [
  { name: 'breast-cancer', model: 'mlp:32', holdoutModel: 'mlp:16', holdoutBatch: 32, epochs: QUICK ? 5 : 20 },
  { name: 'mnist-10k', model: 'mlp:128', holdoutModel: 'mlp:128', holdoutBatch: 128, epochs: QUICK ? 2 : 20 },
];

export function benchGridVsTorch(dir: string): Record<string, unknown>[] {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first (the rows time bin/l2lab.js).');
  const only = process.env.BENCH_ONLY;
  const rows: Record<string, unknown>[] = [];
  for (const p of PROBLEMS) {
    if (only !== 'bayes') {
      const o = { strategy: 'grid' as const, data: p.name, model: p.model, folds: 5, logRange: { lo: 1e-3, hi: 1e3, n: 13 }, ...(QUICK ? { epochs: p.epochs } : {}) };
      rows.push(gridRow(p.name, o, dir));
    }
    if (only !== 'grid') {
      const trials = QUICK ? 4 : 15;
      const o = { strategy: 'bayes' as const, data: p.name, model: p.holdoutModel, batchSize: p.holdoutBatch, optimizer: 'momentum' as const, momentum: 0.9, lr: 0.1, epochs: p.epochs, holdout: 0.2, patience: 3, logRange: { lo: 0.01, hi: 1e4, n: 25 }, trials };
      rows.push(bayesRow(p.name, o, 2 * trials, dir));
    }
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchGridVsTorch(fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-grid-vs-torch-')));
}
