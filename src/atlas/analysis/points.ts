/** The best λ of each cell as a point to fit: λ* in the seed's convention and PyTorch's, with the cell's size and training settings. */
import { convert } from '../../conventions/index.js';
import type { AtlasCellResult } from '../run.js';
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
  batchSize: number;
  /** η as given. */
  lr: number;
  /** η/(1 − μ) for momentum and Nesterov (the step a constant gradient reaches), η otherwise. */
  lrEffective: number;
  /** Training length T in epochs. */
  epochs: number;
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
export function effectiveLr(lr: number, optimizer: string, momentum?: number): number {
  return optimizer === 'momentum' || optimizer === 'nesterov' ? lr / (1 - (momentum ?? 0.9)) : lr;
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
      batchSize: cell.training.batchSize,
      lr: cell.training.lr,
      lrEffective: effectiveLr(cell.training.lr, cell.training.optimizer, cell.training.momentum),
      epochs: cell.training.epochs,
      lambda: r.best_lambda,
      lambdaPytorch: toPytorch(r.best_lambda, cell.m),
      lambda1se: r.lambda_1se,
      edge: r.edge_warning !== null,
    });
  }
  return out;
}
