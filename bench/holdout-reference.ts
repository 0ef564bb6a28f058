/**
 * The reference side of bench:tune's Optuna section, per (problem, seed): l2lab's 25-point hold-out
 * grid, the same grid and Optuna's TPE run in PyTorch (test/ref/torch_lambda.py, one training
 * function) and each grid's best λ retrained a few percent away (the noise bar). The refits that
 * regret compares are not here: l2lab's follow tune's refit rule (code under test), the PyTorch
 * function's are cached per λ and training seed (bench/holdout-refit-noise.ts). None of it depends on
 * l2lab's search, so it is cached in bench/cache/holdout-<problem>-s<seed>.json, keyed on
 * the options and on a hash of the code that computes it (SOURCES): a change to the training, the grid,
 * the PyTorch side or this file recomputes it; a change to bayes or ask does not.
 * BENCH_REFRESH=1 recomputes it regardless.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSetup } from '../src/tune/setup.js';
import type { TuneOptions } from '../src/tune/strategy.js';
import type { Refit } from '../src/tune/trials/trial-result.js';
import { tune } from '../src/tune/tune.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** The code the reference's numbers come from, relative to the repository root (folders: every file under them). */
export const SOURCES = [
  'bench/holdout-reference.ts',
  'bench/holdout-problems.ts',
  'test/ref/torch_lambda.py',
  'src/train',
  'src/engine',
  'src/models',
  'src/data',
  'src/conventions',
  'src/plan/run-plan.ts',
  'src/tune/setup.ts',
  'src/tune/strategies/grid.ts',
  'src/tune/scoring/score.ts',
];

/** sha256 (first 16 hex digits) over SOURCES' files, each as its path and contents, in path order. */
export function sourceHash(files: readonly string[] = SOURCES): string {
  const walk = (p: string): string[] => (fs.statSync(path.join(root, p)).isDirectory() ? fs.readdirSync(path.join(root, p)).flatMap((f) => walk(path.posix.join(p, f))) : [p]);
  const h = createHash('sha256');
  for (const f of files.flatMap(walk).sort()) h.update(`${f}\0`).update(fs.readFileSync(path.join(root, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** One retraining of a grid's best λ at `factor` × it: its hold-out loss (null: failed) and epochs. */
export interface Neighbour {
  factor: number;
  value: number | null;
  epochs: number | null;
}

/** A trial of a PyTorch-side search in the order it ran. */
export interface TorchTrial {
  lambda: number;
  value: number | null;
  epochs: number;
  state: string;
}

/** What one (problem, seed) is measured against. */
export interface Reference {
  /** The options and the source hash it was computed for; the cache is reused only when they match. */
  key: Record<string, unknown>;
  /** l2lab's hold-out grid: each λ's hold-out loss (null: failed), epochs trained and timescale τ in epochs. */
  grid: { lambda: number; cv_mean: number | null; epochs_trained: number | null; lambda_timescale_epochs: number | null }[];
  grid_lambda: number;
  /** torch_lambda.py: the PyTorch grid, and Optuna's trials in order. */
  torch: { grid: { lambda: number; value: number; epochs: number }[]; trials: TorchTrial[]; best_lambda: number; best_value: number; optuna_version: string };
  /** Each grid's best λ retrained at NEIGHBOURS × itself. */
  neighbours: { l2lab: Neighbour[]; torch: Neighbour[] };
  /** The commit the reference was computed at (`git rev-parse --short HEAD`), for the record. */
  commit: string;
  computed_at: string;
}

/** Multiples of a grid's best λ retrained for the noise bar: ×1 checks that a trial reproduces. */
export const NEIGHBOURS = [0.95, 0.98, 0.99, 1, 1.01, 1.02, 1.05];

/** Writes the setup's training, hold-out and test rows and the training options (plus `extra`: grid, refit, trials) for torch_lambda.py. */
export function writeSplit(dir: string, o: TuneOptions, extra: Record<string, unknown>): void {
  const s = createSetup(o, o);
  if (s.train.task !== 'classification' || s.test.task !== 'classification') throw new Error('the PyTorch side trains classifiers only');
  const { train: tr, validation: va } = s.folds[0];
  const put = (name: string, x: Float32Array, y: Int32Array | number[], rows: Int32Array) => {
    const d = s.train.d;
    const out = new Float32Array(rows.length * d);
    rows.forEach((r, i) => out.set(x.subarray(r * d, (r + 1) * d), i * d));
    fs.writeFileSync(path.join(dir, `x_${name}.f32`), out);
    fs.writeFileSync(path.join(dir, `y_${name}.i32`), Int32Array.from(rows, (r) => y[r]));
  };
  fs.mkdirSync(dir, { recursive: true });
  put('train', s.train.x, s.train.y, tr);
  put('val', s.train.x, s.train.y, va);
  put('test', s.test.x, s.test.y, Int32Array.from({ length: s.test.n }, (_, i) => i));
  const arch = s.architecture(0);
  const cnn = o.model.startsWith('cnn:') ? o.model.slice(4) : undefined;
  const meta = { d: s.train.d, classes: s.train.classes.length, ...(cnn ? { cnn } : { hidden: arch.widths[1] }), batch: s.plan.batchSize, lr: s.plan.lr, momentum: o.momentum, epochs: s.plan.epochBudget, patience: o.patience, seed: o.seed };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, ...extra }));
}

/** Runs test/ref/torch_lambda.py on a split written by writeSplit: its JSON answer. */
export function runTorch<T>(split: string, mode: 'grid' | 'optuna' | 'refit' | 'l2lab', ...args: string[]): T {
  const py = spawnSync('/usr/bin/python3', [path.join(root, 'test/ref/torch_lambda.py'), split, mode, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (py.status !== 0) throw new Error(`torch_lambda.py ${mode} failed: ${py.stderr}`);
  return JSON.parse(py.stdout) as T;
}

/** l2lab's refit at λ: a one-trial grid, then tune's refit on the whole training part scored on the test split. */
export async function refitAt(id: string, o: Omit<TuneOptions, 'strategy'>, lambda: number, what: string): Promise<Refit> {
  return (await tune({ ...o, strategy: 'grid', lambdas: [lambda], extend: false, study: `${id}-refit-${what}` })).refit;
}

/** The grid's best λ retrained at NEIGHBOURS × itself, in l2lab and in PyTorch. */
async function neighbours(id: string, o: Omit<TuneOptions, 'strategy'>, l2labBest: number, torchBest: number, split: string): Promise<Reference['neighbours']> {
  const lambdas = NEIGHBOURS.map((f) => f * l2labBest);
  const g = await tune({ ...o, strategy: 'grid', lambdas, extend: false, study: `${id}-neighbours` });
  const l2lab = NEIGHBOURS.map((factor, i) => {
    const t = g.trials.find((r) => Math.abs(r.lambda / lambdas[i] - 1) < 1e-6)!;
    return { factor, value: t.cv_mean, epochs: t.epochs_trained ?? null };
  });
  writeSplit(split, { ...o, strategy: 'grid' }, { grid: NEIGHBOURS.map((f) => f * torchBest) });
  const torch = runTorch<{ grid: { value: number; epochs: number }[] }>(split, 'grid').grid.map((t, i) => ({ factor: NEIGHBOURS[i], value: t.value, epochs: t.epochs }));
  return { l2lab, torch };
}

/** Computes the reference of one run from scratch. */
async function compute(id: string, o: Omit<TuneOptions, 'strategy'>, key: Record<string, unknown>, grid: number[], optunaTrials: number, dir: string): Promise<Reference> {
  const g = await tune({ ...o, strategy: 'grid', lambdas: grid, extend: false, study: `${id}-holdout-grid` });
  const split = path.join(dir, id);
  writeSplit(split, { ...o, strategy: 'grid' }, { grid, optuna_trials: optunaTrials });
  const torchGrid = runTorch<{ grid: Reference['torch']['grid'] }>(split, 'grid').grid;
  const optuna = runTorch<Omit<Reference['torch'], 'grid'>>(split, 'optuna');
  const torchBest = torchGrid.reduce((a, t) => (t.value < a.value ? t : a)).lambda;
  return {
    key,
    grid: g.trials.map((t) => ({ lambda: t.lambda, cv_mean: t.cv_mean, epochs_trained: t.epochs_trained ?? null, lambda_timescale_epochs: t.lambda_timescale_epochs ?? null })),
    grid_lambda: g.best_lambda,
    torch: { grid: torchGrid, ...optuna },
    neighbours: await neighbours(id, o, g.best_lambda, torchBest, path.join(dir, `${id}-neighbours`)),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: here }).stdout.trim(),
    computed_at: new Date().toISOString(),
  };
}

/** The reference for one run: read from bench/cache when its key (options, source hash) matches and BENCH_REFRESH is not 1; computed and written there otherwise. */
export async function reference(id: string, o: Omit<TuneOptions, 'strategy'>, grid: number[], optunaTrials: number, dir: string, source: string): Promise<Reference> {
  const file = path.join(here, 'cache', `holdout-${id}.json`);
  const { data, storage: _storage, ...opts } = o;
  const key = { ...opts, data: typeof data === 'string' ? data : id.replace(/-s\d+$/, ''), grid, optuna_trials: optunaTrials, source };
  if (process.env.BENCH_REFRESH !== '1' && fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as Reference;
    if (JSON.stringify(cached.key) === JSON.stringify(key)) return cached;
    console.log(`${id}: the cached reference was computed for other options or other code (source ${String(cached.key.source)}, now ${source}); recomputing`);
  }
  const ref = await compute(id, o, key, grid, optunaTrials, dir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(ref, null, 1)}\n`);
  return ref;
}
