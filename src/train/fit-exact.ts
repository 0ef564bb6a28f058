/** `fit()` with the exact solver: one Newton / L-BFGS solve of the seed cost on the training split, then the same report as SGD's. */
import type { Dataset } from '../data/index.js';
import type { Architecture } from '../models/architecture.js';
import { metricsOf, paramsOf, problemOf } from '../solvers/model-rows.js';
import { solveGlm } from '../solvers/solve.js';
import { cost } from '../solvers/glm.js';
import type { SolveResult } from '../solvers/types.js';
import type { EpochRecord } from './trainer.js';

export interface ExactFit {
  params: Float64Array[];
  solve: SolveResult;
  /** At θ = 0 (epoch 0) and at the solution (epoch = iterations), in the loop's record format. */
  records: [EpochRecord, EpochRecord];
  seconds: number;
}

/** Solves on `train` with per-weight coefficient `rate`, from `init` (default zero; a warm start changes the iterations, not the minimizer); validation metrics when `validation` has rows. */
export async function fitExact(arch: Architecture, train: Dataset, validation: Dataset | undefined, rate: number, init?: Float64Array): Promise<ExactFit> {
  const t0 = performance.now();
  const p = problemOf(arch, train, undefined, rate);
  const v = validation && validation.n > 0 ? problemOf(arch, validation, undefined, 0) : undefined;
  const record = (theta: Float64Array, epoch: number): EpochRecord => {
    const dataLoss = cost({ ...p, rate: 0 }, theta);
    let sq = 0;
    for (let j = 0; j < p.d * p.k; j++) sq += theta[j] * theta[j];
    const tr = metricsOf(arch, p, theta);
    const r: EpochRecord = { epoch, data_loss: dataLoss, penalty: 0.5 * rate * sq, cost: dataLoss + 0.5 * rate * sq, sum_sq: sq };
    if (tr.accuracy !== undefined) r.train_accuracy = tr.accuracy;
    if (v) {
      const m = metricsOf(arch, v, theta);
      r.val_loss = m.loss;
      if (m.accuracy !== undefined) r.val_accuracy = m.accuracy;
      if (m.rmse !== undefined) r.val_rmse = m.rmse;
    }
    return r;
  };
  const zero = new Float64Array((p.d + 1) * p.k);
  const solve = await solveGlm(p, { init });
  return { params: paramsOf(solve.theta, p.d, p.k), solve, records: [record(zero, 0), record(solve.theta, solve.iterations)], seconds: (performance.now() - t0) / 1000 };
}
