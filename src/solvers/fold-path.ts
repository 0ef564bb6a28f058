/**
 * Exact fits of every fold along a λ path: from the largest λ down, each fold's solve starts from
 * its solution at the previous λ (the warm start of glmnet's pathwise coordinate descent, Friedman,
 * Hastie & Tibshirani 2010), so most solves take a few Newton steps.
 */
import type { Architecture } from '../models/architecture.js';
import type { TrainingRows } from '../data/index.js';
import type { Metrics } from '../models/metrics.js';
import { metricsOf, problemOf } from './model-rows.js';
import { ridgeSolves } from './ridge-path.js';
import { solveGlm, type SolveOptions } from './solve.js';
import type { SolveResult } from './types.js';

export interface FoldRows {
  train: Int32Array;
  validation: Int32Array;
}

export interface FoldFit {
  solve: SolveResult;
  /** Data loss (no penalty) and accuracy / RMSE on the fold's training and validation rows. */
  train: Metrics;
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
    const record = (i: number, solve: SolveResult) => (fits[i][j] = { solve, train: metricsOf(arch, train, solve.theta), validation: metricsOf(arch, validation, solve.theta) });
    if (train.loss === 'mse' && (options.method ?? 'auto') === 'auto') {
      ridgeSolves(train, lambdas.map((l) => rate(l, train.n)), options.tol).forEach((solve, i) => record(i, solve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    let previous: Float64Array | undefined;
    for (const i of order) {
      const solve = await solveGlm({ ...train, rate: rate(lambdas[i], train.n) }, { ...options, init: warm?.[i]?.[j] ?? previous });
      // A failed solve is no start for the next λ.
      previous = solve.converged ? solve.theta : undefined;
      record(i, solve);
    }
  }
  return fits;
}
