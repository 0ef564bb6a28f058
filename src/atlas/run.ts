/**
 * `runAtlas()`: tunes every cell of a spec by every strategy, one tune() call per (cell, strategy)
 * under a deterministic study name, and keeps each finished (cell, strategy) summary as an attribute
 * of the atlas's own study. A re-run reads finished cells back from the store and resumes the one a
 * killed run left half-done (tune() reuses its finished trials and reclaims those a dead process held).
 */
import { loadDataset, subsample, subset, type Dataset } from '../data/index.js';
import { L2labError } from '../errors.js';
import { openStorage, type Json, type StudyStorage } from '../study/index.js';
import { tune, type TuneOptions, type TuneResult } from '../tune/tune.js';
import { cellStudyName, expandCells, nominalGridCost, type AtlasCell, type DataShape } from './cells.js';
import { AtlasSpecError, type AtlasSpec, type AtlasStrategy, type AtlasStrategyName, type SpecIssue } from './spec.js';
import { applicableOptions, checkOptions } from '../options/check.js';

/** One strategy's outcome on one cell, as stored (plain JSON; λ in the seed convention). */
export interface StrategyOutcomeRecord {
  /** done: tuned; failed: tune() threw (stored, so a re-run does not retry it unless asked); missing: not run yet (report-only). */
  status: 'done' | 'failed' | 'missing';
  strategy: AtlasStrategyName;
  study: string;
  /** The chosen λ (λ_min of the strategy's validation curve, or the evidence maximum). */
  best_lambda: number | null;
  lambda_1se: number | null;
  /** λ of the refit that was scored on the test rows. */
  refit_lambda: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
  test_rmse: number | null;
  /** Sample gradients spent (training rows × epochs over every run, refit included). */
  sample_grads: number | null;
  seconds: number | null;
  scheme: string | null;
  trials: number;
  /** Validation curve at the chosen dropout: λ, mean validation loss, its standard error, train loss. */
  curve: { lambda: number; val_mean: number; val_se: number; train_mean: number | null }[];
  edge_warning: string | null;
  range_extended: boolean;
  /**
   * True when this run continued a study an earlier (killed) run had started: tune() then counts only
   * the work this run did, so for grid `sample_grads` holds the nominal full cost ({@link nominalGridCost}).
   */
  resumed: boolean;
  /** Fields of the tune result beyond the common ones (e.g. evidence's γ and log evidence). */
  extra: Record<string, Json>;
  error: string | null;
  finished_at: string;
}

/** A cell with its outcomes by strategy. */
export interface AtlasCellResult {
  cell: AtlasCell;
  results: Partial<Record<AtlasStrategyName, StrategyOutcomeRecord>>;
}

/** Reported after each cell: where its outcomes came from, and progress. */
export interface CellEvent {
  index: number;
  total: number;
  cell: AtlasCell;
  results: AtlasCellResult['results'];
  /** Per strategy: read back from the store, computed now, or neither. */
  sources: Partial<Record<AtlasStrategyName, 'store' | 'run' | 'missing'>>;
  seconds: number;
}

/** Reported before each tune() call. */
export interface StrategyStartEvent {
  index: number;
  total: number;
  cell: AtlasCell;
  strategy: AtlasStrategyName;
  study: string;
}

export interface RunAtlasOptions {
  /** Called after each cell (from the store or computed). */
  onCell?: (e: CellEvent) => void;
  /** Called before each tune() call that computes. */
  onStrategyStart?: (e: StrategyStartEvent) => void;
  /** Overrides `spec.storage`: a SQLite path, a postgres:// URL or an open storage (left open). */
  storage?: string | StudyStorage;
  /** false: only read what the store holds (for a report of a partial atlas). Default true. */
  compute?: boolean;
  /** Re-run (cell, strategy) pairs stored as failed. Default false. */
  retryFailed?: boolean;
  /** Engine threads per run. Default `spec.threads`. */
  threads?: number;
  /** Stops between tune() calls when aborted (the cells done so far stay stored). */
  signal?: AbortSignal;
  /** Loads a dataset by name (tests inject small ones). Default `loadDataset`. */
  load?: (name: string, target: string | null) => Dataset;
}

export interface AtlasRun {
  spec: AtlasSpec;
  cells: AtlasCellResult[];
  /** Where the studies live, for messages. */
  storage: string;
  /** Every (cell, strategy) pair has an outcome stored (done or failed). */
  complete: boolean;
}

/** The study holding the atlas's per-cell summaries. Its config is fixed so that editing a spec never conflicts with it. */
export function atlasStudyName(spec: Pick<AtlasSpec, 'name'>): string {
  return `atlas:${spec.name}`;
}

const ATLAS_STUDY_CONFIG = { strategy: { kind: 'atlas' }, data: null, model: null, convention: 'seed' };

function outcomeKey(cell: AtlasCell, s: AtlasStrategy): string {
  return `cell:${cell.key}:${s.name}`;
}

/** Replaces non-finite numbers by null and drops undefined, so anything can be stored as JSON. */
export function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>, toJson);
  if (typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = toJson(x);
    return out;
  }
  return null;
}

const COMMON_RESULT_KEYS = new Set(['strategy', 'study', 'scheme', 'best_lambda', 'lambda_1se', 'best_dropout', 'select', 'convention', 'trials', 'refit', 'cost', 'range_extended', 'edge_warning', 'curve']);

/** The stored summary of a tune() result. */
export function summarize(cell: AtlasCell, strategy: AtlasStrategyName, r: TuneResult, resumed: boolean): StrategyOutcomeRecord {
  const extra: Record<string, Json> = {};
  for (const [k, v] of Object.entries(r)) {
    if (COMMON_RESULT_KEYS.has(k)) continue;
    const j = toJson(v);
    // Keep the record small: a long per-epoch trace belongs in the strategy's own study.
    if (JSON.stringify(j).length <= 20_000) extra[k] = j;
  }
  const grid = strategy === 'grid' && resumed;
  const lambdasTried = new Set(r.trials.map((t) => t.lambda)).size;
  return {
    status: 'done',
    strategy,
    study: r.study,
    best_lambda: r.best_lambda,
    lambda_1se: r.lambda_1se,
    refit_lambda: r.refit.lambda,
    test_loss: r.refit.test_loss,
    test_accuracy: r.refit.test_accuracy ?? null,
    test_rmse: r.refit.test_rmse ?? null,
    sample_grads: grid ? nominalGridCost(cell, lambdasTried) : r.cost.sample_grads,
    seconds: r.cost.seconds,
    scheme: r.scheme,
    trials: r.trials.length,
    curve: r.curve.map((p) => ({ lambda: p.lambda, val_mean: p.valMean, val_se: p.valSe, train_mean: p.trainMean ?? null })),
    edge_warning: r.edge_warning ?? null,
    range_extended: r.range_extended,
    resumed,
    extra,
    error: null,
    finished_at: new Date().toISOString(),
  };
}

function emptyOutcome(strategy: AtlasStrategyName, study: string, status: StrategyOutcomeRecord['status'], error: string | null): StrategyOutcomeRecord {
  return {
    status,
    strategy,
    study,
    best_lambda: null,
    lambda_1se: null,
    refit_lambda: null,
    test_loss: null,
    test_accuracy: null,
    test_rmse: null,
    sample_grads: null,
    seconds: null,
    scheme: null,
    trials: 0,
    curve: [],
    edge_warning: null,
    range_extended: false,
    resumed: false,
    extra: {},
    error,
    finished_at: new Date().toISOString(),
  };
}


/** The rows a cell trains and tests on: m + testRows drawn (stratified, seeded) from the dataset. */
export function cellData(full: Dataset, cell: AtlasCell): Dataset {
  const rows = subsample(full, cell.m + cell.testRows, { seed: cell.seed });
  return { ...subset(full, rows), name: `${cell.dataset}~m${cell.m}s${cell.seed}` };
}

/** The tune() options of one (cell, strategy). The test fraction makes tune's training part exactly m rows. */
export function tuneOptionsFor(cell: AtlasCell, data: Dataset, strategy: AtlasStrategy, storage: StudyStorage, threads?: number): TuneOptions {
  const t = cell.training;
  const v = cell.validation;
  // The cell's settings are shared by every strategy; each strategy gets those it uses (the registry says which).
  const shared = applicableOptions(
    'tune',
    {
      activation: t.activation,
      ...('folds' in v ? { folds: v.folds } : { holdout: v.holdout }),
      optimizer: t.optimizer,
      momentum: t.momentum,
      lr: t.lr,
      epochs: t.epochs,
      batchSize: t.batchSize,
      logRange: { lo: cell.lambda.lo, hi: cell.lambda.hi, n: cell.lambda.n },
      extend: cell.lambda.extend,
    },
    { strategy: strategy.name, model: cell.model },
  );
  return {
    ...shared,
    ...(strategy.options as Partial<TuneOptions>),
    strategy: strategy.name,
    data,
    model: cell.model,
    test: cell.testRows / (cell.m + cell.testRows),
    seed: cell.seed,
    convention: 'seed',
    storage,
    study: cellStudyName(cell, strategy),
    ...(threads !== undefined ? { threads } : {}),
  };
}

/** Refuses, before any training, a strategy option that does not apply to a cell's model (tune() would fail every such cell). */
function checkStrategyOptions(spec: AtlasSpec, cells: AtlasCell[]): void {
  const issues: SpecIssue[] = [];
  spec.strategies.forEach((strategy, i) => {
    for (const model of new Set(cells.map((c) => c.model))) {
      try {
        checkOptions('tune', strategy.options, { strategy: strategy.name, model });
      } catch (e) {
        if (!(e instanceof L2labError)) throw e;
        issues.push({ path: `strategies[${i}]`, message: `${e.message} (model ${model})` });
      }
    }
  });
  if (issues.length > 0) throw new AtlasSpecError(issues, `The atlas spec '${spec.name}'`);
}

/** Loads each dataset of the spec once and lists its cells; throws an AtlasSpecError naming the field when the data rules a cell out. */
export function planAtlas(spec: AtlasSpec, load: (name: string, target: string | null) => Dataset = defaultLoad): { cells: AtlasCell[]; data: Map<string, Dataset> } {
  const data = new Map<string, Dataset>();
  const shapes = new Map<string, DataShape>();
  const targets = new Map<string, string | null>();
  for (const [i, ds] of spec.datasets.entries()) {
    if (targets.has(ds.name) && targets.get(ds.name) !== (ds.target ?? null)) {
      throw new AtlasSpecError([{ path: `datasets[${i}].target`, message: `'${ds.name}' appears with targets '${targets.get(ds.name)}' and '${ds.target ?? null}': one file, one target (copy the file to study another target).` }], `The atlas spec '${spec.name}'`);
    }
    targets.set(ds.name, ds.target ?? null);
    if (data.has(ds.name)) continue;
    const d = load(ds.name, ds.target ?? null);
    data.set(ds.name, d);
    shapes.set(ds.name, { n: d.n, d: d.d, task: d.task, classes: d.task === 'classification' ? d.classes.length : 0 });
  }
  const { cells, issues } = expandCells(spec, shapes);
  if (issues.length > 0) throw new AtlasSpecError(issues, `The atlas spec '${spec.name}'`);
  checkStrategyOptions(spec, cells);
  return { cells, data };
}

function defaultLoad(name: string, target: string | null): Dataset {
  return loadDataset(name, target ? { target } : {});
}

/**
 * Runs (or resumes) every cell of `spec`. Each (cell, strategy) is one tune() call whose study name
 * is fixed by the cell and strategy, so an interrupted atlas resumes by running it again: finished
 * pairs are read back from the store without training, the interrupted one continues from its
 * finished trials.
 *
 * @example
 * const run = await runAtlas(loadAtlasSpec('atlas/smoke.json'), { onCell: (e) => console.log(`${e.index + 1}/${e.total} ${e.cell.id}`) });
 * const analysis = analyzeAtlas(run);
 */
export async function runAtlas(spec: AtlasSpec, options: RunAtlasOptions = {}): Promise<AtlasRun> {
  const { cells, data } = planAtlas(spec, options.load);
  const compute = options.compute ?? true;
  const storage = typeof options.storage === 'object' ? options.storage : await openStorage(options.storage ?? spec.storage);
  const owns = typeof options.storage !== 'object';
  const threads = options.threads ?? spec.threads;
  try {
    const { value: atlasStudy } = await storage.createStudy(atlasStudyName(spec), ATLAS_STUDY_CONFIG);
    if (compute) await storage.setStudyAttr(atlasStudy.id, 'spec', toJson(spec));
    const stored = await storage.getStudyAttrs(atlasStudy.id);
    const results: AtlasCellResult[] = [];
    let complete = true;
    for (let index = 0; index < cells.length; index++) {
      const cell = cells[index];
      const t0 = performance.now();
      const out: AtlasCellResult = { cell, results: {} };
      const sources: CellEvent['sources'] = {};
      let cellData_: Dataset | undefined;
      for (const strategy of spec.strategies) {
        const key = outcomeKey(cell, strategy);
        const study = cellStudyName(cell, strategy);
        const have = stored[key] as unknown as StrategyOutcomeRecord | undefined;
        if (have && (have.status === 'done' || (have.status === 'failed' && !options.retryFailed))) {
          out.results[strategy.name] = have;
          sources[strategy.name] = 'store';
          continue;
        }
        if (!compute || options.signal?.aborted) {
          out.results[strategy.name] = emptyOutcome(strategy.name, study, 'missing', 'not run yet');
          sources[strategy.name] = 'missing';
          complete = false;
          continue;
        }
        options.onStrategyStart?.({ index, total: cells.length, cell, strategy: strategy.name, study });
        cellData_ ??= cellData(data.get(cell.dataset)!, cell);
        const before = await storage.getStudy(study);
        const resumed = before !== null && (await storage.listTrials(before.id, { state: ['COMPLETE', 'FAIL', 'PRUNED'] })).length > 0;
        let record: StrategyOutcomeRecord;
        try {
          const r = await tune(tuneOptionsFor(cell, cellData_, strategy, storage, threads));
          record = summarize(cell, strategy.name, r, resumed);
        } catch (e) {
          if (!(e instanceof L2labError) || e instanceof AtlasSpecError) throw e;
          record = emptyOutcome(strategy.name, study, 'failed', e.message);
        }
        await storage.setStudyAttr(atlasStudy.id, key, toJson(record));
        out.results[strategy.name] = record;
        sources[strategy.name] = 'run';
      }
      results.push(out);
      options.onCell?.({ index, total: cells.length, cell, results: out.results, sources, seconds: (performance.now() - t0) / 1000 });
    }
    return { spec, cells: results, storage: storage.location, complete };
  } finally {
    if (owns) await storage.close();
  }
}
