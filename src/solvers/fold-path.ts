/**
 * Exact fits of every fold along a λ path: from the largest λ down, each fold's solve starts from
 * its solutions at the previous λ (the warm start of glmnet's pathwise coordinate descent, Friedman,
 * Hastie & Tibshirani 2010, extrapolated along the path) with the last Hessian computed on that
 * fold, so most solves take two or three Newton steps and form one Hessian or none.
 */
import type { Architecture } from '../models/architecture.js';
import type { TrainingRows } from '../data/index.js';
import type { Metrics } from '../models/metrics.js';
import { metricsOf, problemOf } from './model-rows.js';
import type { HessianMemo } from './newton.js';
import { ridgeSolves } from './ridge-path.js';
import { solveGlm, type SolveOptions } from './solve.js';
import type { SolveResult } from './types.js';

export interface FoldRows {
  train: Int32Array;
  validation: Int32Array;
}

export interface FoldFit {
  solve: SolveResult;
  /** Mean data loss (no penalty) on the fold's training rows: the solve's cost less its penalty. */
  trainLoss: number;
  /** Data loss and accuracy / RMSE on the fold's validation rows. */
  validation: Metrics;
}

/**
 * Fits fold j at each λ with per-weight coefficient rate(λ, m_j). Returns fits[λ index][fold], in the
 * order of `lambdas`. `warm[i][j]`, when given, starts λ i on fold j there instead of the path.
 * A linear (mse) model takes every λ of a fold from one decomposition of its rows (ridgeSolves).
 * Yields to the event loop after each solve, so that a worker's heartbeats keep going during a long path.
 */
export async function foldPath(
  arch: Architecture,
  rows: TrainingRows,
  folds: FoldRows[],
  lambdas: number[],
  rate: (lambda: number, m: number) => number,
  options: Omit<SolveOptions, 'init'> = {},
  warm?: (Float64Array[] | undefined)[],
): Promise<FoldFit[][]> {
  const order = lambdas.map((_, i) => i).sort((a, b) => lambdas[b] - lambdas[a]);
  const fits: FoldFit[][] = lambdas.map(() => new Array<FoldFit>(folds.length));
  for (const [j, f] of folds.entries()) {
    const train = problemOf(arch, rows, f.train, 0);
    const validation = problemOf(arch, rows, f.validation, 0);
    const record = (i: number, solve: SolveResult, r: number) => (fits[i][j] = { solve, trainLoss: dataLoss(solve, r, train.d * train.k), validation: metricsOf(arch, validation, solve.theta) });
    if (train.loss === 'mse' && (options.method ?? 'auto') === 'auto') {
      const rates = lambdas.map((l) => rate(l, train.n));
      ridgeSolves(train, rates, options.tol).forEach((solve, i) => record(i, solve, rates[i]));
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    // The last two converged solutions on this fold's path and their log rates.
    const path: { theta: Float64Array; logRate: number }[] = [];
    const hessian: HessianMemo = {};
    for (const i of order) {
      const r = rate(lambdas[i], train.n);
      const solve = await solveGlm({ ...train, rate: r }, { ...options, hessian, init: warm?.[i]?.[j] ?? predict(path, Math.log(r)) });
      // A failed solve is no start for the next λ.
      if (solve.converged) path.splice(0, path.length - 1, { theta: solve.theta, logRate: Math.log(r) });
      else path.length = 0;
      record(i, solve, r);
    }
  }
  return fits;
}

/** (1/m)·Σ loss at the solution: its cost less (rate/2)·Σ W² (the first `weights` entries of θ). */
function dataLoss(solve: SolveResult, rate: number, weights: number): number {
  let sq = 0;
  for (let q = 0; q < weights; q++) sq += solve.theta[q] * solve.theta[q];
  return solve.cost - 0.5 * rate * sq;
}

/**
 * The next start on a path: the secant through the last two solutions, extended in log rate to the
 * next one (first order in the step, so Newton starts O(step²) from the minimizer instead of
 * O(step) at the last solution); the last solution alone when there is one, none when there is none.
 */
function predict(path: readonly { theta: Float64Array; logRate: number }[], logRate: number): Float64Array | undefined {
  if (path.length < 2) return path[0]?.theta;
  const [a, b] = path;
  const t = (logRate - b.logRate) / (b.logRate - a.logRate);
  if (!Number.isFinite(t)) return b.theta;
  return b.theta.map((v, q) => v + t * (v - a.theta[q]));
}
