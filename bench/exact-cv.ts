/**
 * The exact solver's section of `npm run bench:tune`: 10-fold CV over 40 λ, l2lab's `tune` (grid,
 * exact solver, warm-started fold path) beside scikit-learn's LogisticRegressionCV(Cs=40, cv=10)
 * on breast-cancer and RidgeCV(alphas=40, cv=10) on diabetes, on the same standardized rows and
 * the same folds (written to disk for Python). Medians of 3 alternated runs after one unmeasured warm-up run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { foldPath } from '../src/solvers/index.js';
import { logSpace } from '../src/tune/closed-form/ridge.js';
import { createSetup } from '../src/tune/setup.js';
import { tune, type TuneOptions } from '../src/tune/tune.js';

const REF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/ref/sklearn_glm.py');
const median = (v: number[]): number => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];

interface Case {
  name: string;
  sklearn: string;
  model: 'logistic' | 'ridge';
  options: Omit<TuneOptions, 'strategy' | 'storage' | 'study'>;
}

/** Runs one case; returns the numbers for the summary line. */
async function runCase(c: Case, dir: string, repeats: number): Promise<Record<string, number>> {
  const lambdas = c.options.lambdas!;
  const setup = createSetup(c.options, c.options);
  const t = setup.train;
  const csv = path.join(dir, `${c.name}.csv`);
  const lines = [[...t.featureNames.map((_, j) => `x${j}`), 'target'].join(',')];
  for (let i = 0; i < t.n; i++) lines.push([...Array.from(t.x.subarray(i * t.d, (i + 1) * t.d), String), String(t.y[i])].join(','));
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  const folds = path.join(dir, `${c.name}-folds.json`);
  fs.writeFileSync(folds, JSON.stringify(setup.folds.map((f) => Array.from(f.validation))));
  const ours: number[] = [];
  const solverOnly: number[] = [];
  const inside: number[] = [];
  const process: number[] = [];
  let result;
  let sk: { cv_loss: number[]; best_lambda: number; seconds: number } | undefined;
  // One unmeasured run first: the first tune in a process pays V8's compilation and the lazy imports,
  // as scikit-learn's timing (around fit, after its imports) does not.
  await tune({ ...c.options, strategy: 'grid', extend: false, storage: path.join(dir, `${c.name}-warm.db`), study: `${c.name}-warm` });
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    result = await tune({ ...c.options, strategy: 'grid', extend: false, storage: path.join(dir, `${c.name}-${r}.db`), study: `${c.name}-${r}` });
    ours.push((performance.now() - t0) / 1000);
    // The same fits without the study store (SQLite writes per trial) or the refit: the solver's share.
    const t2 = performance.now();
    await foldPath(setup.architecture(0), t, setup.folds, lambdas, (l, m) => setup.plan.coefficients(l, m).coupled);
    solverOnly.push((performance.now() - t2) / 1000);
    const t1 = performance.now();
    const py = spawnSync('/usr/bin/python3', [REF, csv, '--target', 'target', '--model', c.model, '--lambdas', lambdas.join(','), '--folds', folds], { encoding: 'utf8' });
    process.push((performance.now() - t1) / 1000);
    if (py.status !== 0) throw new Error(`${REF} failed: ${py.stderr}`);
    sk = JSON.parse(py.stdout);
    inside.push(sk!.seconds);
  }
  const curve = result!.trials.slice().sort((a, b) => a.lambda - b.lambda);
  const worst = Math.max(...curve.map((p, i) => Math.abs(p.cv_mean! - sk!.cv_loss[i]) / sk!.cv_loss[i]));
  const fails = curve.filter((p) => p.state !== 'COMPLETE').length;
  const row = {
    l2lab_seconds: median(ours),
    l2lab_solver_seconds: median(solverOnly),
    sklearn_fit_seconds: median(inside),
    sklearn_process_seconds: median(process),
    ratio_fit: median(inside) / median(ours),
    ratio_process: median(process) / median(ours),
    ratio_solver: median(inside) / median(solverOnly),
    l2lab_lambda: result!.best_lambda,
    sklearn_lambda: sk!.best_lambda,
    max_curve_rel_diff: worst,
    failed_trials: fails,
  };
  console.log(
    `${c.name}: 10-fold CV over ${lambdas.length} λ — l2lab tune (exact) ${row.l2lab_seconds.toFixed(2)} s (solver alone ${row.l2lab_solver_seconds.toFixed(2)} s, the rest is the study store and refit); ${c.sklearn} ${row.sklearn_fit_seconds.toFixed(2)} s inside Python, ${row.sklearn_process_seconds.toFixed(2)} s with start-up → ratio ×${row.ratio_fit.toFixed(2)} (×${row.ratio_process.toFixed(2)} with start-up, ×${row.ratio_solver.toFixed(2)} solver alone); λ_min ${row.l2lab_lambda.toPrecision(3)} vs ${row.sklearn_lambda.toPrecision(3)}; CV curves differ by ≤ ${(100 * worst).toFixed(3)}%; ${fails} failed trials`,
  );
  return row;
}

/** Both cases, in one run; `dir` is a scratch directory. */
export async function benchExactCv(dir: string, repeats = 3): Promise<Record<string, Record<string, number>>> {
  const cases: Case[] = [
    { name: 'breast-cancer-logistic', sklearn: 'LogisticRegressionCV(Cs=40, cv=10)', model: 'logistic', options: { data: 'breast-cancer', model: 'logistic', folds: 10, lambdas: logSpace(1e-2, 1e4, 40) } },
    { name: 'diabetes-ridge', sklearn: 'RidgeCV(alphas=40, cv=10)', model: 'ridge', options: { data: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/diabetes.csv'), model: 'linear', folds: 10, lambdas: logSpace(1e-3, 1e4, 40) } },
  ];
  const out: Record<string, Record<string, number>> = {};
  for (const c of cases) out[c.name] = await runCase(c, dir, repeats);
  return out;
}
