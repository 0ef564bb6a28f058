/**
 * Exact convex CV against scikit-learn (issue 24, item 2): k-fold CV over a log grid of λ, l2lab's
 * `tune --strategy grid` (exact solver) beside scikit-learn's LogisticRegressionCV / RidgeCV on the
 * same standardized rows and folds (written to disk for Python): breast-cancer logistic and diabetes
 * ridge (10 folds × 40 λ), softmax on 500 MNIST digits, 784 pixels (5 folds × 8 λ, at most 3 repeats:
 * 7,850 parameters, so L-BFGS; LogisticRegressionCV(multi_class='multinomial')).
 *
 * Two comparisons, each a median over BENCH_REPEATS (default 5) alternated runs:
 * - whole: the command a user types, `node bin/l2lab.js tune … --json` in a fresh process with a new
 *   study file, against the whole Python script (`/usr/bin/python3 test/ref/sklearn_glm.py … --no-curve`:
 *   interpreter start-up, imports, reading the CSV, the fit);
 * - in-process: `tune()` in this process (after one unmeasured run: V8's compilation and the lazy
 *   imports are paid once, as Python's imports are outside its fit time) against scikit-learn's
 *   fit time measured inside Python.
 * ratio = scikit-learn's seconds ÷ l2lab's (> 1: l2lab is faster). One JSON line per problem,
 * {"bench": "exact_cv", "problem", "whole_ratio", "inprocess_ratio", …}, with the CV curves' largest
 * relative difference and both λ_min. Needs the compiled CLI (`npm run build`) and Debian's python3-sklearn.
 * Run: npm run build && npm run bench:exact   (BENCH_QUICK=1: 1 repeat, 10 λ, smaller softmax;
 * BENCH_ONLY_CASE=diabetes runs the cases whose name contains it)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, subsample, subset } from '../src/data/index.js';
import { foldPath } from '../src/solvers/index.js';
import { logSpace } from '../src/tune/closed-form/ridge.js';
import { createSetup } from '../src/tune/setup.js';
import { tune, type TuneOptions } from '../src/tune/tune.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REF = path.join(ROOT, 'test/ref/sklearn_glm.py');
const QUICK = process.env.BENCH_QUICK === '1';
const median = (v: number[]): number => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
const seconds = (t0: number): number => (performance.now() - t0) / 1000;

interface Case {
  name: string;
  sklearn: string;
  model: 'logistic' | 'ridge' | 'softmax';
  /** The `tune` options; `cli` the same as command-line arguments. */
  options: Omit<TuneOptions, 'strategy' | 'storage' | 'study'> & { logRange: { lo: number; hi: number; n: number } };
  cli: string[];
}

/** The CSV of l2lab's standardized training rows and the folds' validation indices, for Python. */
function writeForPython(c: Case, dir: string): { csv: string; folds: string } {
  const setup = createSetup(c.options, c.options);
  const t = setup.train;
  const lines = [[...t.featureNames.map((_, j) => `x${j}`), 'target'].join(',')];
  for (let i = 0; i < t.n; i++) lines.push([...Array.from(t.x.subarray(i * t.d, (i + 1) * t.d), String), String(t.y[i])].join(','));
  const csv = path.join(dir, `${c.name}.csv`);
  const folds = path.join(dir, `${c.name}-folds.json`);
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  fs.writeFileSync(folds, JSON.stringify(setup.folds.map((f) => Array.from(f.validation))));
  return { csv, folds };
}

interface SklearnRun {
  cv_loss: number[];
  best_lambda: number;
  seconds: number;
}

function sklearn(c: Case, files: { csv: string; folds: string }, curve: boolean): { run: SklearnRun; whole: number } {
  const r = c.options.logRange;
  const args = [REF, files.csv, '--target', 'target', '--model', c.model, '--lambdas', logSpace(r.lo, r.hi, r.n).join(','), '--folds', files.folds, ...(curve ? [] : ['--no-curve'])];
  const t0 = performance.now();
  const py = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  const whole = seconds(t0);
  if (py.status !== 0) throw new Error(`${REF} failed: ${py.stderr}`);
  return { run: JSON.parse(py.stdout) as SklearnRun, whole };
}

function l2labCommand(c: Case, db: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/l2lab.js'), 'tune', ...c.cli, '--storage', db, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const whole = seconds(t0);
  if (r.status !== 0) throw new Error(`l2lab tune ${c.cli.join(' ')} exited ${r.status}: ${r.stderr}`);
  return whole;
}

/** Runs one case; returns its JSON line. */
async function runCase(c: Case, dir: string, repeats: number): Promise<Record<string, unknown>> {
  const files = writeForPython(c, dir);
  const setup = createSetup(c.options, c.options);
  const run = (tag: string) => tune({ ...c.options, strategy: 'grid', extend: false, storage: path.join(dir, `${c.name}-${tag}.db`), study: c.name });
  const result = await run('warm-up');
  const times = { whole: [] as number[], skWhole: [] as number[], inProcess: [] as number[], skFit: [] as number[], solver: [] as number[] };
  for (let r = 0; r < repeats; r++) {
    times.whole.push(l2labCommand(c, path.join(dir, `${c.name}-cli-${r}.db`)));
    const sk = sklearn(c, files, false);
    times.skWhole.push(sk.whole);
    times.skFit.push(sk.run.seconds);
    let t0 = performance.now();
    await run(`in-${r}`);
    times.inProcess.push(seconds(t0));
    // The solver alone (no study store, no refit): its share of the in-process time.
    t0 = performance.now();
    await foldPath(setup.architecture(0), setup.train, setup.folds, result.trials.map((t) => t.lambda), (l, m) => setup.plan.coefficients(l, m).coupled);
    times.solver.push(seconds(t0));
  }
  const reference = sklearn(c, files, true).run;
  const curve = result.trials.slice().sort((a, b) => a.lambda - b.lambda);
  const worst = Math.max(...curve.map((p, i) => Math.abs(p.cv_mean! - reference.cv_loss[i]) / reference.cv_loss[i]));
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<keyof typeof times, number>;
  const row = {
    bench: 'exact_cv',
    problem: c.name,
    sklearn: c.sklearn,
    whole_ratio: m.skWhole / m.whole,
    inprocess_ratio: m.skFit / m.inProcess,
    solver_ratio: m.skFit / m.solver,
    l2lab_whole_s: m.whole,
    sklearn_whole_s: m.skWhole,
    l2lab_inprocess_s: m.inProcess,
    l2lab_solver_s: m.solver,
    sklearn_fit_s: m.skFit,
    lambdas: c.options.logRange.n,
    folds: c.options.folds,
    l2lab_lambda: result.best_lambda,
    sklearn_lambda: reference.best_lambda,
    max_curve_rel_diff: worst,
    failed_trials: curve.filter((p) => p.state !== 'COMPLETE').length,
    repeats,
    cores: os.cpus().length,
    load: os.loadavg()[0],
  };
  console.log(JSON.stringify(row));
  return row;
}

/** 500 (QUICK: 200) MNIST digits as a CSV of raw pixels and a label, the softmax case's data for both tools. */
function digitsCsv(dir: string, m: number): string {
  const all = loadDataset('mnist-10k');
  const data = subset(all, subsample(all, m, { seed: 0 }));
  const lines = [[...Array.from({ length: data.d }, (_, j) => `p${j}`), 'label'].join(',')];
  for (let i = 0; i < data.n; i++) lines.push([...Array.from(data.x.subarray(i * data.d, (i + 1) * data.d), String), String(data.y[i])].join(','));
  const file = path.join(dir, `mnist-${m}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The cases with their command lines (the same options twice: for `tune()` and for `l2lab tune`). */
function cases(dir: string): Case[] {
  const n = QUICK ? 10 : 40;
  const diabetes = path.join(ROOT, 'data/diabetes.csv');
  const digits = digitsCsv(dir, QUICK ? 200 : 500);
  const softmaxFolds = QUICK ? 3 : 5;
  const softmaxN = QUICK ? 3 : 8;
  const range = (lo: number, hi: number, k: number) => ({ lo, hi, n: k });
  const cli = (data: string, model: string, folds: number, r: { lo: number; hi: number; n: number }, extra: string[] = []) => ['--data', data, '--model', model, '--folds', String(folds), '--log-range', `${r.lo}:${r.hi}:${r.n}`, '--no-extend', ...extra];
  const bc = range(1e-2, 1e4, n);
  const db = range(1e-3, 1e4, n);
  const sm = range(1e-1, 1e3, softmaxN);
  return [
    { name: 'breast-cancer-logistic', sklearn: `LogisticRegressionCV(Cs=${n}, cv=10)`, model: 'logistic', options: { data: 'breast-cancer', model: 'logistic', folds: 10, logRange: bc }, cli: cli('breast-cancer', 'logistic', 10, bc) },
    { name: 'diabetes-ridge', sklearn: `RidgeCV(alphas=${n}, cv=10)`, model: 'ridge', options: { data: diabetes, model: 'linear', folds: 10, logRange: db }, cli: cli(diabetes, 'linear', 10, db) },
    {
      name: `mnist-${QUICK ? 200 : 500}-softmax`,
      sklearn: `LogisticRegressionCV(Cs=${softmaxN}, cv=${softmaxFolds}, multi_class='multinomial')`,
      model: 'softmax',
      options: { data: digits, target: 'label', task: 'classification', model: 'softmax', folds: softmaxFolds, logRange: sm },
      cli: cli(digits, 'softmax', softmaxFolds, sm, ['--target', 'label', '--task', 'classification']),
    },
  ];
}

/** Every case in one run; `dir` is a scratch directory. BENCH_ONLY_CASE (a name fragment) runs fewer. */
export async function benchExactCv(dir: string, repeats = Number(process.env.BENCH_REPEATS ?? (QUICK ? 1 : 5))): Promise<Record<string, Record<string, unknown>>> {
  if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first (the whole-command timing runs bin/l2lab.js).');
  const only = process.env.BENCH_ONLY_CASE;
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of cases(dir)) if (!only || c.name.includes(only)) out[c.name] = await runCase(c, dir, c.model === 'softmax' ? Math.min(repeats, 3) : repeats);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchExactCv(fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-exact-cv-')));
}
