/** The cells of an atlas: dataset × model × m × seed, each with its architecture's size and a key naming everything that decides its result. */
import { createHash } from 'node:crypto';
import type { Dataset } from '../data/index.js';
import { parseModelSpec, countParams } from '../models/architecture.js';
import { isConvex } from '../solvers/model-rows.js';
import type { SolverName } from '../options/names.js';
import { resolveEpochs } from '../plan/run-plan.js';
import type { AtlasDataset, AtlasLambdaRange, AtlasSpec, AtlasStrategy, AtlasTraining, AtlasValidation, SpecIssue } from './spec.js';

/** What the atlas needs to know of a loaded dataset. */
export interface DataShape {
  n: number;
  d: number;
  task: 'classification' | 'regression';
  /** Number of classes; 0 for regression. */
  classes: number;
  /** Image datasets: the shape `cnn:` models are built for. */
  image?: Dataset['image'];
}

/** One cell: a model trained on m rows of a dataset under one seed. Plain JSON. */
export interface AtlasCell {
  /** Human-readable: `mnist-10k/mlp:64/m=1000/seed=0`. */
  id: string;
  /** `id` plus a hash of every setting that changes the cell's result (training, λ grid, validation, test rows). */
  key: string;
  dataset: string;
  target: string | null;
  model: string;
  m: number;
  seed: number;
  /** Rows drawn besides the m to score each refit. */
  testRows: number;
  training: AtlasTraining;
  validation: AtlasValidation;
  lambda: AtlasLambdaRange;
  /** Layer widths, input first. */
  widths: number[];
  /** Parameters: weights + biases. */
  params: number;
  weights: number;
  biases: number;
  /** Units: hidden units plus output units, Σ fan_out over the dense layers (He init: E‖W‖² = 2·units); a `cnn:` model's convolutions are not counted. */
  units: number;
  /** Hidden layers. */
  depth: number;
  task: 'classification' | 'regression';
  classes: number;
  /** How the cell is fitted: `training.solver` for a convex model, 'sgd' for an MLP. */
  solver: SolverName;
}

export function shortHash(value: unknown, length = 8): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, length);
}

/** The test rows of a dataset: as given, else min(2000, n − max m). */
export function resolveTestRows(ds: AtlasDataset, shape: DataShape): number {
  return ds.testRows ?? Math.min(2000, shape.n - ds.m[ds.m.length - 1]);
}

/**
 * Every cell of `spec`, seeds outermost (so a partial run holds whole atlases of the first seeds),
 * then datasets, m and models; plus the issues found against the data (m + testRows > n, a model
 * that does not fit the task).
 */
export function expandCells(spec: AtlasSpec, shapes: ReadonlyMap<string, DataShape>): { cells: AtlasCell[]; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  const cells: AtlasCell[] = [];
  const archs = new Map<string, ReturnType<typeof parseModelSpec>>();
  spec.datasets.forEach((ds, i) => {
    const shape = shapes.get(ds.name);
    if (!shape) {
      issues.push({ path: `datasets[${i}].name`, message: `dataset '${ds.name}' was not loaded.` });
      return;
    }
    const maxM = ds.m[ds.m.length - 1];
    const testRows = resolveTestRows(ds, shape);
    if (ds.testRows === null && testRows < 1) {
      const fit = shape.n - Math.ceil(0.2 * shape.n);
      issues.push({ path: `datasets[${i}].m`, message: `m = ${maxM} leaves no test rows among the ${shape.n} rows of '${ds.name}': lower the largest m to at most ${fit} (keeping 20% to test on), or set "testRows".` });
    } else if (maxM + testRows > shape.n) {
      issues.push({
        path: `datasets[${i}].testRows`,
        message: `m = ${maxM} plus ${testRows} test rows is more than the ${shape.n} rows of '${ds.name}': lower the largest m to at most ${Math.max(0, shape.n - testRows)} or testRows to at most ${Math.max(0, shape.n - maxM)}.`,
      });
    }
    const task = shape.task === 'regression' ? ({ task: 'regression' } as const) : ({ task: 'classification', classes: shape.classes } as const);
    ds.models.forEach((model, j) => {
      try {
        archs.set(`${i}|${model}`, parseModelSpec(model, shape.d, task, { activation: ds.training.activation, image: shape.image }));
      } catch (e) {
        issues.push({ path: `datasets[${i}].models[${j}]`, message: `${(e as Error).message} (dataset '${ds.name}')` });
      }
    });
  });
  issues.push(...repeatedCells(spec));
  if (issues.length > 0) return { cells, issues };
  for (const seed of spec.seeds) {
    spec.datasets.forEach((ds, i) => {
      const shape = shapes.get(ds.name)!;
      const testRows = resolveTestRows(ds, shape);
      for (const m of ds.m) {
        for (const model of ds.models) {
          const arch = archs.get(`${i}|${model}`)!;
          const count = countParams(arch);
          const id = `${ds.name}${ds.target ? `[${ds.target}]` : ''}/${model}/m=${m}/seed=${seed}`;
          // An imported graph's content decides too (only then present, so other cells keep their keys).
          const decides = { v: 1, dataset: ds.name, target: ds.target ?? null, model, ...(arch.onnx ? { modelHash: arch.onnx.hash } : {}), m, seed, testRows, training: ds.training, validation: ds.validation, lambda: ds.lambda };
          cells.push({
            id,
            key: `${id}#${shortHash(decides)}`,
            dataset: ds.name,
            target: ds.target ?? null,
            model,
            m,
            seed,
            testRows,
            training: ds.training,
            validation: ds.validation,
            lambda: ds.lambda,
            widths: arch.widths,
            params: count.total,
            weights: count.weights,
            biases: count.biases,
            units: arch.widths.slice(1).reduce((a, b) => a + b, 0),
            depth: arch.widths.length - 2,
            task: shape.task,
            classes: shape.classes,
            solver: isConvex(arch) ? ds.training.solver : 'sgd',
          });
        }
      }
    });
  }
  return { cells, issues };
}

/** A (dataset, target, model, m) listed in two dataset entries: one issue for each repeat. */
function repeatedCells(spec: AtlasSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Map<string, number>();
  spec.datasets.forEach((ds, i) => {
    for (const model of ds.models) {
      for (const m of ds.m) {
        const id = `${ds.name}|${ds.target ?? ''}|${model}|${m}`;
        const first = seen.get(id);
        if (first !== undefined && first !== i) issues.push({ path: `datasets[${i}]`, message: `model '${model}' at m = ${m} on '${ds.name}' is also in datasets[${first}]: keep it in one entry.` });
        else seen.set(id, i);
      }
    }
  });
  return issues;
}

/** The name of one (cell, strategy) outcome in the atlas study and the results file. */
export function outcomeKey(cell: AtlasCell, s: AtlasStrategy): string {
  return `cell:${cell.key}:${s.name}`;
}

/** A hash of every setting that decides one (cell, strategy) outcome: the cell's key and the strategy with its options. */
export function pairHash(cell: AtlasCell, strategy: AtlasStrategy): string {
  return shortHash({ key: cell.key, strategy: strategy.name, options: strategy.options });
}

/** The study that holds one strategy's trials for one cell: deterministic, so a re-run resumes it. */
export function cellStudyName(cell: AtlasCell, strategy: AtlasStrategy): string {
  return `atlas:${cell.id}:${strategy.name}#${pairHash(cell, strategy)}`;
}

/** Rows one epoch of SGD visits on n rows with batch B (the engine drops a partial last batch). */
export function rowsPerEpoch(n: number, batchSize: number): number {
  return Math.floor(n / batchSize) * batchSize;
}

/** The epochs a cell's SGD training runs at most: the fixed count, or the cap of 'auto'. */
export function epochBudget(t: AtlasTraining): number {
  return resolveEpochs(t).epochBudget;
}

/**
 * Sample gradients grid-CV spends on a cell: every λ on every fold for all epochs, plus the refit on
 * all m rows (a nominal count: diverged trials stop early, 'auto' counts its cap, a range extension
 * adds λ values).
 */
export function nominalGridCost(cell: AtlasCell, lambdas = cell.lambda.n): number {
  const { batchSize } = cell.training;
  const epochs = epochBudget(cell.training);
  const v = cell.validation;
  const foldTrain = 'folds' in v ? Array.from({ length: v.folds }, () => cell.m - Math.round(cell.m / v.folds)) : [cell.m - Math.round(cell.m * v.holdout)];
  const cv = foldTrain.reduce((a, n) => a + rowsPerEpoch(n, batchSize), 0);
  return lambdas * cv * epochs + rowsPerEpoch(cell.m, batchSize) * epochs;
}
