/** The atlas's tables as rows of named columns: what the CSV files hold and the HTML tables show. */
import type { AtlasAnalysis } from '../analysis/index.js';
import { toPytorch } from '../analysis/points.js';
import type { AtlasRun } from '../run.js';

export type Cell = string | number | boolean | null;
export interface Table {
  /** File name in the output directory. */
  file: string;
  columns: string[];
  rows: Cell[][];
}

/** One row per (cell, strategy): the chosen λ in both conventions, test metrics, cost, status. */
export function cellsTable(run: Pick<AtlasRun, 'cells'>): Table {
  const columns = ['cell', 'dataset', 'model', 'm', 'seed', 'params', 'weights', 'units', 'depth', 'test_rows', 'epochs', 'lr', 'optimizer', 'batch_size', 'strategy', 'status', 'scheme', 'lambda_seed', 'lambda_pytorch', 'lambda_1se', 'refit_lambda', 'test_loss', 'test_accuracy', 'test_rmse', 'sample_grads', 'seconds', 'trials', 'edge', 'resumed', 'error', 'study', 'solver', 'max_epochs', 'epochs_trained', 'lambda_timescale_epochs', 'tau_over_t', 'converged'];
  const rows: Cell[][] = [];
  for (const { cell, results } of run.cells) {
    for (const r of Object.values(results)) {
      if (!r) continue;
      rows.push([
        cell.id, cell.dataset, cell.model, cell.m, cell.seed, cell.params, cell.weights, cell.units, cell.depth, cell.testRows,
        cell.training.epochs, cell.training.lr, cell.training.optimizer, cell.training.batchSize,
        r.strategy, r.status, r.scheme, r.best_lambda, r.best_lambda === null ? null : toPytorch(r.best_lambda, cell.m), r.lambda_1se, r.refit_lambda,
        r.test_loss, r.test_accuracy, r.test_rmse, r.sample_grads, r.seconds, r.trials, r.edge_warning !== null, r.resumed, r.error, r.study,
        cell.solver, cell.training.maxEpochs ?? null, r.epochs_trained ?? null, r.lambda_timescale_epochs ?? null,
        r.lambda_timescale_epochs != null && r.epochs_trained ? r.lambda_timescale_epochs / r.epochs_trained : null, r.converged ?? null,
      ]);
    }
  }
  return { file: 'cells.csv', columns, rows };
}

/** One row per (dataset, model, m): λ* over seeds (geometric mean, range, spread) in both conventions. */
export function settingsTable(a: AtlasAnalysis): Table {
  return {
    file: 'settings.csv',
    columns: ['setting', 'dataset', 'model', 'm', 'params', 'units', 'depth', 'seeds', 'lambda_seed', 'lambda_seed_min', 'lambda_seed_max', 'log10_sd', 'lambda_pytorch', 'edge'],
    rows: a.settings.map((s) => [s.setting, s.dataset, s.model, s.m, s.params, s.units, s.depth, s.seeds, s.lambda, s.min, s.max, s.log10Sd, s.lambdaPytorch, s.edge]),
  };
}

/** One row per heuristic: fitted coefficients and held-out accuracy. */
export function heuristicsTable(a: AtlasAnalysis): Table {
  return {
    file: 'heuristics.csv',
    columns: ['heuristic', 'formula', 'reading', 'a', 'b', 'c', 'not_identifiable', 'fitted_cells', 'rms_log10', 'loso_within2', 'loso_median_abs_log10', 'loso_cells', 'lodo_within2', 'lodo_median_abs_log10', 'lodo_cells'],
    rows: a.heuristics.map((h) => [
      h.heuristic.id, h.heuristic.formula, h.reading, h.fit.coefficients.a ?? null, h.fit.coefficients.b ?? null, h.fit.coefficients.c ?? null, h.fit.notIdentifiable.join(' '), h.fit.n, h.fit.rmsLog10,
      h.bySetting.within2, h.bySetting.medianAbsLog10, h.bySetting.cells, h.byDataset.within2, h.byDataset.medianAbsLog10, h.byDataset.cells,
    ]),
  };
}

/**
 * Per regime (exact, sgd): each rule's held-out accuracy on λ* and its test-loss regret, and the two
 * noise floors (seeds against each other) as rows named 'seeds'.
 */
export function regimesTable(a: AtlasAnalysis): Table {
  const rows: Cell[][] = [];
  for (const g of a.regimes) {
    rows.push([g.regime, 'seeds', 'another seed of the same setting', g.points.length, null, null, g.noiseFloor.within2, g.noiseFloor.cells, g.regretFloor.within, g.regretFloor.medianRegret, g.regretFloor.cells, g.regretFloor.unjudged, g.acted.medianTauOverT, g.acted.actedFraction, g.acted.convergedFraction]);
    for (const h of g.heuristics) {
      const r = g.regret[h.heuristic.id];
      rows.push([g.regime, h.heuristic.id, h.reading, h.fit.n, h.fit.coefficients.b ?? null, h.fit.coefficients.c ?? null, h.bySetting.within2, h.bySetting.cells, r.within, r.medianRegret, r.cells, r.unjudged, null, null, null]);
    }
  }
  return {
    file: 'regimes.csv',
    columns: ['regime', 'rule', 'reading', 'cells', 'b', 'c', 'loso_within2', 'loso_cells', 'regret_within_2pct', 'median_regret', 'regret_cells', 'regret_unjudged', 'median_tau_over_t', 'acted_fraction', 'converged_fraction'],
    rows,
  };
}

/** The test loss of a refit at every λ of each cell's reference grid (what regret is read from). */
export function testCurvesTable(run: Pick<AtlasRun, 'cells'>, a: AtlasAnalysis): Table {
  const rows: Cell[][] = [];
  for (const { cell, results } of run.cells) {
    for (const p of results[a.reference]?.test_curve ?? []) rows.push([cell.id, cell.solver, p.lambda, p.test_loss, p.epochs, p.converged, p.lambda_timescale_epochs]);
  }
  return { file: 'test-curves.csv', columns: ['cell', 'solver', 'lambda', 'test_loss', 'epochs', 'converged', 'lambda_timescale_epochs'], rows };
}

/** Every held-out prediction of every heuristic. */
export function heldOutTable(a: AtlasAnalysis): Table {
  const rows: Cell[][] = [];
  for (const h of a.heuristics) {
    for (const s of [h.bySetting, h.byDataset]) {
      for (const p of s.predictions) rows.push([h.heuristic.id, s.holdOut, p.group, p.cell, p.lambda, p.predicted, p.log10Ratio, Math.abs(p.log10Ratio) <= Math.log10(2) + 1e-12]);
    }
  }
  return { file: 'heldout.csv', columns: ['heuristic', 'held_out', 'group', 'cell', 'lambda_seed', 'predicted', 'log10_ratio', 'within2'], rows };
}

/** Each strategy against the reference, per cell. */
export function comparisonTable(a: AtlasAnalysis): Table {
  const rows: Cell[][] = [];
  for (const c of a.comparisons) {
    for (const r of c.rows) {
      rows.push([r.cell, r.dataset, r.model, r.m, r.seed, r.params, r.candidate, r.reference, r.lambdaCandidate, r.lambdaReference, r.testLossCandidate, r.testLossReference, r.relativeLoss, r.costCandidate, r.costReference, r.costRatio, r.secondsRatio, r.lossOk, r.costOk, r.ok, r.reasons.join('; ')]);
    }
  }
  return {
    file: 'comparison.csv',
    columns: ['cell', 'dataset', 'model', 'm', 'seed', 'params', 'strategy', 'reference', 'lambda', 'lambda_reference', 'test_loss', 'test_loss_reference', 'relative_loss', 'sample_grads', 'sample_grads_reference', 'cost_ratio', 'seconds_ratio', 'loss_ok', 'cost_ok', 'ok', 'reasons'],
    rows,
  };
}

/** The validation curve of every (cell, strategy) that has one. */
export function curvesTable(run: Pick<AtlasRun, 'cells'>): Table {
  const rows: Cell[][] = [];
  for (const { cell, results } of run.cells) {
    for (const r of Object.values(results)) {
      for (const p of r?.curve ?? []) rows.push([cell.id, r!.strategy, p.lambda, p.val_mean, p.val_se, p.train_mean]);
    }
  }
  return { file: 'curves.csv', columns: ['cell', 'strategy', 'lambda', 'val_mean', 'val_se', 'train_mean'], rows };
}

/** The scale analysis per cell: λ*, the test-optimal λ, τ/T and the initialization's penalty against its data loss. */
export function scaleCellsTable(a: AtlasAnalysis): Table {
  return {
    file: 'scale-cells.csv',
    columns: ['cell', 'dataset', 'model', 'm', 'seed', 'params', 'depth', 'width', 'lambda_seed', 'test_optimal_lambda', 'tau_over_t', 'lambda_acted', 'edge', 'init_data_loss', 'init_penalty', 'init_penalty_over_data_loss', 'init_cost', 'init_ratio_at_seed_lambda'],
    rows: a.scale.cells.map((c) => [
      c.cell, c.dataset, c.model, c.m, c.seed, c.params, c.depth, c.width, c.lambda, c.testOptimal, c.tauOverT, c.tauOverT === null ? null : c.tauOverT <= 1, c.edge,
      c.init?.dataLoss ?? null, c.init?.penalty ?? null, c.init?.ratio ?? null, c.init?.cost ?? null, c.init?.seedRatio ?? null,
    ]),
  };
}

/** The slopes of log λ* (and of the test-optimal λ) on log P per dataset and family, with bootstrap intervals and the depth factors. */
export function scaleSlopesTable(a: AtlasAnalysis): Table {
  return {
    file: 'scale-slopes.csv',
    columns: ['dataset', 'family', 'settings', 'decades', 'cells', 'slope', 'slope_lo', 'slope_hi', 'test_optimal_cells', 'test_optimal_slope', 'test_optimal_lo', 'test_optimal_hi', 'depth_factors'],
    rows: a.scale.slopes.map((r) => [
      r.dataset, r.family, r.settings, r.decades, r.cv?.cells ?? null, r.cv?.slope ?? null, r.cv?.interval?.[0] ?? null, r.cv?.interval?.[1] ?? null,
      r.testOptimal?.cells ?? null, r.testOptimal?.slope ?? null, r.testOptimal?.interval?.[0] ?? null, r.testOptimal?.interval?.[1] ?? null,
      r.depthFactors.map((f) => `depth ${f.depth}: ${f.factor} [${f.interval?.join(', ') ?? ''}]`).join('; '),
    ]),
  };
}

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 text: a header line, then one line per row. */
export function toCsv(t: Table): string {
  return [t.columns, ...t.rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

export function allTables(run: Pick<AtlasRun, 'cells'>, a: AtlasAnalysis): Table[] {
  return [cellsTable(run), settingsTable(a), regimesTable(a), heuristicsTable(a), heldOutTable(a), comparisonTable(a), curvesTable(run), testCurvesTable(run, a), scaleCellsTable(a), scaleSlopesTable(a)];
}
