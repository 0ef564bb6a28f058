/** The best λ of each cell as a point to fit: λ* in the seed's convention and PyTorch's, with the cell's size and training settings. */
import { convert } from '../../conventions/index.js';
import type { OptimizerName } from '../../options/names.js';
import { momentumOf } from '../../plan/optimizer.js';
import { resolveOptimizer } from '../../plan/run-plan.js';
import type { AtlasCellResult } from '../run.js';
import type { InitMeasure } from '../init-measure.js';
import type { TestCurvePoint } from '../test-curve.js';
import type { AtlasStrategyName } from '../spec.js';

/** One cell's best λ under the reference strategy. */
export interface LambdaPoint {
  /** Cell id: `dataset/model/m=…/seed=…`. */
  cell: string;
  /** The cell without its seed: `dataset/model/m=…` (what seeds repeat). */
  setting: string;
  dataset: string;
  model: string;
  m: number;
  seed: number;
  params: number;
  units: number;
  depth: number;
  /** Width of the first hidden layer (0 without one). */
  width: number;
  batchSize: number;
  /** η as given. */
  lr: number;
  /** η/(1 − μ) for momentum and Nesterov (the step a constant gradient reaches), η otherwise. */
  lrEffective: number;
  /** How the cell was fitted: 'exact' (convex, the minimizer) or 'sgd'. */
  solver: 'exact' | 'sgd';
  /** Training length T in epochs at λ* (under 'auto': until converged or the cap); null for an exact solve. */
  epochs: number | null;
  /** τ/T at λ*: the penalty's decay timescale over the epochs trained (< 1: λ acted); null for an exact solve. */
  tauOverT: number | null;
  /** Every fold converged at λ* (SGD); true for an exact solve. */
  converged: boolean;
  /** Test loss of a refit at each λ tried (null when the run did not measure it). */
  testCurve: TestCurvePoint[] | null;
  /** Σθ² and the data loss at the refit's initialization (null when not measured). */
  init: InitMeasure | null;
  /** λ* in the seed's convention: cost = (1/m)Σ loss + (λ/2m)Σθ². */
  lambda: number;
  /** λ* in PyTorch's: weight_decay = λ/m. */
  lambdaPytorch: number;
  /** The largest λ within one SE of the minimum (null when the strategy has no curve). */
  lambda1se: number | null;
  /** The best λ sat on the edge of the range tried (a censored value). */
  edge: boolean;
}

/** η/(1 − μ) under momentum/Nesterov, else η: the per-step scale a steady gradient (such as λθ/m) gets. */
export function effectiveLr(lr: number, optimizer: OptimizerName, momentum?: number): number {
  const mu = momentumOf(resolveOptimizer({ optimizer, momentum, lr }).optimizer);
  return mu === null ? lr : lr / (1 - mu);
}

/** λ in PyTorch's weight_decay units for a training set of m rows (through conventions.convert: λ/m). */
export function toPytorch(lambda: number, m: number): number {
  return convert(lambda, 'seed', 'pytorch', { m }).value;
}

/** The cells the reference strategy finished, as points. */
export function lambdaPoints(cells: readonly AtlasCellResult[], reference: AtlasStrategyName): LambdaPoint[] {
  const out: LambdaPoint[] = [];
  for (const { cell, results } of cells) {
    const r = results[reference];
    if (!r || r.status !== 'done' || r.best_lambda === null || !(r.best_lambda > 0)) continue;
    out.push({
      cell: cell.id,
      setting: `${cell.dataset}${cell.target ? `[${cell.target}]` : ''}/${cell.model}/m=${cell.m}`,
      dataset: cell.dataset,
      model: cell.model,
      m: cell.m,
      seed: cell.seed,
      params: cell.params,
      units: cell.units,
      depth: cell.depth,
      width: cell.depth > 0 ? cell.widths[1] : 0,
      batchSize: cell.training.batchSize,
      lr: cell.training.lr,
      lrEffective: effectiveLr(cell.training.lr, cell.training.optimizer, cell.training.momentum),
      solver: cell.solver,
      epochs: cell.solver === 'exact' ? null : r.epochs_trained ?? (typeof cell.training.epochs === 'number' ? cell.training.epochs : null),
      tauOverT: cell.solver !== 'exact' && r.lambda_timescale_epochs != null && r.epochs_trained ? r.lambda_timescale_epochs / r.epochs_trained : null,
      converged: cell.solver === 'exact' ? true : r.converged ?? false,
      testCurve: r.test_curve ?? null,
      init: r.init ?? null,
      lambda: r.best_lambda,
      lambdaPytorch: toPytorch(r.best_lambda, cell.m),
      lambda1se: r.lambda_1se,
      edge: r.edge_warning !== null,
    });
  }
  return out;
}
