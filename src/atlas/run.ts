/**
 * `runAtlas()`: tunes every cell of a spec by every strategy, one tune() call per (cell, strategy)
 * under a deterministic study name, and keeps each finished (cell, strategy) summary as an attribute
 * of the atlas's own study. A re-run reads finished cells back from the store and resumes the one a
 * killed run left half-done (tune() reuses its finished trials and reclaims those a dead process held).
 */
import type { OnProgress } from '../train/progress.js';
import { loadDataset, subsample, subset, type Dataset } from '../data/index.js';
import { L2labError, invalidNumber } from '../errors.js';
import { openStorage, runTrials, type StudyStorage, type Trial, type WaitEvent } from '../study/index.js';
import { tune, type TuneOptions, type TuneResult } from '../tune/tune.js';
import { cellStudyName, expandCells, outcomeKey, shortHash, type AtlasCell, type DataShape } from './cells.js';
import { AtlasSpecError, type AtlasSpec, type AtlasStrategy, type AtlasStrategyName, type SpecIssue } from './spec.js';
import { applicableOptions, checkOptions } from '../options/check.js';
import { measureTestCurve } from './test-curve.js';
import { measureInit } from './init-measure.js';
import { appendResults, findResult, prepareResultsFile, readResults, resultLine, type Results } from './results-file.js';
import { emptyOutcome, summarize, toJson, type StrategyOutcomeRecord } from './outcome-record.js';

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
  /** Per strategy: read back from the store or the spec's results file, computed now by this process or by another worker, or neither. */
  sources: Partial<Record<AtlasStrategyName, 'store' | 'results' | 'run' | 'elsewhere' | 'missing'>>;
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
  /** Called with each line of the results file that cannot be read (it is ignored). Default: none. */
  onWarning?: (message: string) => void;
  /** Computes only the cells it accepts; the others are read from the store or the results file, or reported missing. Default: every cell. */
  select?: (cell: AtlasCell) => boolean;
  /** Re-run (cell, strategy) pairs stored as failed. Default false. */
  retryFailed?: boolean;
  /** Engine threads per run. Default `spec.threads`. */
  threads?: number;
  /** Stops between tune() calls when aborted (the cells done so far stay stored). */
  signal?: AbortSignal;
  /** Loads a dataset by name (tests inject small ones). Default `loadDataset`. */
  load?: (name: string, target: string | null) => Dataset;
  /** Seconds without a heartbeat after which another worker's (cell, strategy) or trial is run here instead (with a `storage` path or URL). Default 60. */
  heartbeatTimeout?: number;
  /** Called when this worker waits on cells or trials that other workers run. */
  onWait?: (e: WaitEvent) => void;
  /** Receives the progress events of each tune() call (see {@link ProgressEvent}; `onStrategyStart` says which cell and strategy). Default: none. */
  onProgress?: OnProgress;
  /** Writes the report of the finished run; called by one worker only when several run the atlas together. */
  report?: (run: AtlasRun) => Promise<void>;
}

export interface AtlasRun {
  spec: AtlasSpec;
  cells: AtlasCellResult[];
  /** Where the studies live, for messages. */
  storage: string;
  /** Every (cell, strategy) pair has an outcome stored (done or failed). */
  complete: boolean;
  /** With `report`: the worker that wrote it when it was not this process (`host pid N`), else null. */
  reportWrittenBy: string | null;
}

/** The study holding the atlas's per-cell summaries. Its config is fixed so that editing a spec never conflicts with it. */
export function atlasStudyName(spec: Pick<AtlasSpec, 'name'>): string {
  return `atlas:${spec.name}`;
}

const ATLAS_STUDY_CONFIG = { strategy: { kind: 'atlas' }, data: null, model: null, convention: 'seed' };

/** The λ values a finished tune() trained on full budget: the grid of a test curve. */
function lambdasTried(r: TuneResult): number[] {
  return r.trials.filter((t) => t.state === 'COMPLETE' && t.rung === undefined && t.dropout === r.best_dropout).map((t) => t.lambda);
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
  // An exact solve takes no gradient-descent options: tune() refuses them beside solver 'exact'.
  const descent = cell.solver === 'exact' ? { solver: 'exact' as const } : { solver: 'sgd' as const, optimizer: t.optimizer, momentum: t.momentum, lr: t.lr, epochs: t.epochs, maxEpochs: t.maxEpochs, batchSize: t.batchSize };
  // The cell's settings are shared by every strategy; each strategy gets those it uses (the registry says which).
  const shared = applicableOptions(
    'tune',
    {
      activation: t.activation,
      ...('folds' in v ? { folds: v.folds } : { holdout: v.holdout }),
      ...descent,
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
    shapes.set(ds.name, { n: d.n, d: d.d, task: d.task, classes: d.task === 'classification' ? d.classes.length : 0, ...(d.image ? { image: d.image } : {}) });
  }
  const { cells, issues } = expandCells(spec, shapes);
  if (issues.length > 0) throw new AtlasSpecError(issues, `The atlas spec '${spec.name}'`);
  checkStrategyOptions(spec, cells);
  return { cells, data };
}

function defaultLoad(name: string, target: string | null): Dataset {
  return loadDataset(name, target ? { target } : {});
}

/** One (cell, strategy) of the run, with what is known of it so far. */
interface Pair {
  index: number;
  cell: AtlasCell;
  strategy: AtlasStrategy;
  key: string;
  study: string;
}

/**
 * The atlas task that claims one (cell, strategy) among workers: its key names the pair, and after
 * a stored failure that `--retry-failed` re-runs, that failure, so every worker picks the same task.
 */
function taskKey(pair: Pair, failed: StrategyOutcomeRecord | undefined): string {
  return failed ? `${pair.key}|retry-after:${failed.finished_at}` : pair.key;
}

/**
 * Runs (or resumes) every cell of `spec`. Each (cell, strategy) is one tune() call whose study name
 * is fixed by the cell and strategy, so an interrupted atlas resumes by running it again: finished
 * pairs are read back from the store without training, the interrupted one continues from its
 * finished trials. Any number of processes (on any number of machines sharing a PostgreSQL
 * `storage`) run one atlas together: each (cell, strategy) is a task of the atlas's own study,
 * claimed atomically and kept alive by heartbeats; a worker with nothing left to claim waits for the
 * others' tasks and takes over any whose heartbeat goes silent. `report`, when given, is then called
 * by exactly one of them.
 *
 * @example
 * const run = await runAtlas(loadAtlasSpec('atlas/smoke.json'), { onCell: (e) => console.log(`${e.index + 1}/${e.total} ${e.cell.id}`) });
 * const analysis = analyzeAtlas(run);
 */
export async function runAtlas(spec: AtlasSpec, options: RunAtlasOptions = {}): Promise<AtlasRun> {
  checkOptions('tune', { threads: options.threads ?? spec.threads });
  const { cells, data } = planAtlas(spec, options.load);
  const compute = options.compute ?? true;
  const timeout = options.heartbeatTimeout;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) throw invalidNumber('heartbeatTimeout', 'runAtlas', '(0, ∞) seconds', timeout);
  // Checked before the store opens, so a run never trains for hours toward a file it cannot write.
  if (spec.results !== undefined) prepareResultsFile(spec.results);
  const filed: Results = spec.results === undefined ? new Map() : readResults(spec.results, options.onWarning);
  const storage = typeof options.storage === 'object' ? options.storage : await openStorage(options.storage ?? spec.storage, timeout === undefined ? {} : { heartbeatTimeoutMs: timeout * 1000 });
  const owns = typeof options.storage !== 'object';
  try {
    const { value: atlasStudy } = await storage.createStudy(atlasStudyName(spec), ATLAS_STUDY_CONFIG);
    if (compute) await storage.setStudyAttr(atlasStudy.id, 'spec', toJson(spec));
    const progress = new AtlasProgress(cells, options);
    const { tasks, pairOf } = await claimPairs(spec, options, storage, atlasStudy.id, progress, filed);
    const computed = new Set<number>();
    const cellDataCache = new Map<number, Dataset>();
    const threads = options.threads ?? spec.threads;
    await runTrials(
      storage,
      atlasStudy.id,
      tasks,
      async ([task]) => {
        const pair = pairOf.get(task.id)!;
        options.onStrategyStart?.({ index: pair.index, total: cells.length, cell: pair.cell, strategy: pair.strategy.name, study: pair.study });
        if (!cellDataCache.has(pair.index)) {
          progress.started[pair.index] = performance.now(); // a cell's seconds count from its first task here, not from the plan
          cellDataCache.set(pair.index, cellData(data.get(pair.cell.dataset)!, pair.cell));
        }
        const record = await computePair(spec, options, storage, pair, cellDataCache.get(pair.index)!, threads);
        // The record goes in before the task is finished: a finished task always has its record.
        await storage.setStudyAttr(atlasStudy.id, pair.key, toJson(record));
        if (spec.results !== undefined) appendResults(spec.results, filed, [resultLine(pair.key, pair.cell, pair.strategy, record)]);
        computed.add(task.id);
        progress.settle(pair, record, 'run');
        progress.done(pair.index);
        return [record.status === 'done' ? { state: 'COMPLETE', value: record.test_loss ?? 0 } : { state: 'FAIL', reason: record.error ?? 'failed' }];
      },
      { chunk: 1, signal: options.signal, onWait: options.onWait },
    );
    await collectElsewhere(storage, atlasStudy.id, tasks.filter((t) => !computed.has(t.id)), pairOf, progress);
    // What the store holds and the file does not yet (other workers' cells, runs from before the file) joins the file.
    if (spec.results !== undefined) syncResults(spec, filed, progress.results);
    const run: AtlasRun = { spec, cells: progress.results, storage: storage.location, complete: progress.complete, reportWrittenBy: null };
    if (options.report) run.reportWrittenBy = await reportOnce(storage, atlasStudy.id, run, tasks.length > 0, options);
    return run;
  } finally {
    if (owns) await storage.close();
  }
}

/** The cells' outcomes as they settle, where each came from, and the onCell event of each cell once none of its pairs is pending. */
class AtlasProgress {
  readonly results: AtlasCellResult[];
  readonly sources: CellEvent['sources'][];
  readonly started: number[];
  readonly pending: number[];
  complete = true;

  constructor(
    private readonly cells: AtlasCell[],
    private readonly options: RunAtlasOptions,
  ) {
    this.results = cells.map((cell) => ({ cell, results: {} }));
    this.sources = cells.map(() => ({}));
    this.started = cells.map(() => performance.now());
    this.pending = cells.map(() => 0);
  }

  settle(pair: Pair, record: StrategyOutcomeRecord, source: NonNullable<CellEvent['sources'][AtlasStrategyName]>): void {
    this.results[pair.index].results[pair.strategy.name] = record;
    this.sources[pair.index][pair.strategy.name] = source;
    if (record.status === 'missing') this.complete = false;
  }

  /** One pair of the cell is settled; the cell's event goes out with its last. */
  done(index: number): void {
    if (--this.pending[index] === 0) this.emit(index);
  }

  emit(index: number): void {
    const { cells, results, sources, started } = this;
    this.options.onCell?.({ index, total: cells.length, cell: cells[index], results: results[index].results, sources: sources[index], seconds: (performance.now() - started[index]) / 1000 });
  }
}

/**
 * Settles every pair already known (stored or filed, done, or failed without `retryFailed`) or not to
 * be computed here, and makes a task of the atlas study for each of the others: the tasks, with their pairs.
 */
async function claimPairs(spec: AtlasSpec, options: RunAtlasOptions, storage: StudyStorage, atlasStudy: number, progress: AtlasProgress, filed: Results): Promise<{ tasks: Trial[]; pairOf: Map<number, Pair> }> {
  const compute = options.compute ?? true;
  const stored = await storage.getStudyAttrs(atlasStudy);
  const tasks: Trial[] = [];
  const pairOf = new Map<number, Pair>();
  for (const [index, cell] of progress.results.map((r) => r.cell).entries()) {
    for (const strategy of spec.strategies) {
      const pair: Pair = { index, cell, strategy, key: outcomeKey(cell, strategy), study: cellStudyName(cell, strategy) };
      const known = knownOutcome(stored[pair.key] as unknown as StrategyOutcomeRecord | undefined, findResult(filed, pair.key, cell, strategy));
      if (known && (known.record.status === 'done' || (known.record.status === 'failed' && !options.retryFailed))) progress.settle(pair, known.record, known.source);
      else if (!compute || options.signal?.aborted || !(options.select?.(cell) ?? true)) progress.settle(pair, emptyOutcome(strategy.name, pair.study, 'missing', 'not run yet'), 'missing');
      else {
        // A task, not a λ trial: the store requires a λ, which the atlas study does not use.
        const { value: task } = await storage.createTrial(atlasStudy, { lambda: 0, task: `${cell.id} ${strategy.name}` }, taskKey(pair, known?.record));
        tasks.push(task);
        pairOf.set(task.id, pair);
        progress.pending[index]++;
      }
    }
    if (progress.pending[index] === 0) progress.emit(index);
  }
  return { tasks, pairOf };
}

/** Tunes one (cell, strategy) — the reference strategy also measures its test curve and the initialization — into its record; a failed tune() is a failed record. */
async function computePair(spec: AtlasSpec, options: RunAtlasOptions, storage: StudyStorage, pair: Pair, rows: Dataset, threads: number | undefined): Promise<StrategyOutcomeRecord> {
  const { cell, strategy } = pair;
  const before = await storage.getStudy(pair.study);
  const resumed = before !== null && (await storage.listTrials(before.id, { state: ['COMPLETE', 'FAIL', 'PRUNED'] })).length > 0;
  try {
    const o = tuneOptionsFor(cell, rows, strategy, storage, threads);
    const r = await tune({ ...o, onWait: options.onWait, onProgress: options.onProgress });
    const reference = strategy.name === spec.reference;
    const curve = reference ? await measureTestCurve(o, lambdasTried(r)) : null;
    return summarize(cell, strategy.name, r, resumed, curve, reference ? await measureInit(o) : null);
  } catch (e) {
    if (!(e instanceof L2labError) || e instanceof AtlasSpecError) throw e;
    return emptyOutcome(strategy.name, pair.study, 'failed', e.message);
  }
}

/** The tasks other workers finished (or that an abort left open): their records, from the store. */
async function collectElsewhere(storage: StudyStorage, atlasStudy: number, open: Trial[], pairOf: Map<number, Pair>, progress: AtlasProgress): Promise<void> {
  const attrs = await storage.getStudyAttrs(atlasStudy);
  for (const task of await Promise.all(open.map((t) => storage.getTrial(t.id)))) {
    const pair = pairOf.get(task!.id)!;
    const record = attrs[pair.key] as unknown as StrategyOutcomeRecord | undefined;
    const done = task!.state !== 'WAITING' && task!.state !== 'RUNNING' && record !== undefined;
    progress.settle(pair, done ? record : emptyOutcome(pair.strategy.name, pair.study, 'missing', 'not run yet'), done ? 'elsewhere' : 'missing');
    progress.done(pair.index);
  }
}

/** The outcome known for a pair before the run: the store's, else the results file's; a finished one wins over a failure. */
function knownOutcome(stored: StrategyOutcomeRecord | undefined, filed: StrategyOutcomeRecord | undefined): { record: StrategyOutcomeRecord; source: 'store' | 'results' } | undefined {
  if (stored && (stored.status === 'done' || filed?.status !== 'done')) return { record: stored, source: 'store' };
  return filed ? { record: filed, source: 'results' } : undefined;
}

/** Appends every finished or failed outcome of the run that the results file does not hold yet (re-read: other workers on this checkout append too). */
function syncResults(spec: AtlasSpec, filed: Results, cells: readonly AtlasCellResult[]): void {
  for (const [key, line] of readResults(spec.results!)) filed.set(key, line);
  const lines = cells.flatMap(({ cell, results }) =>
    spec.strategies.flatMap((s) => {
      const r = results[s.name];
      return r && r.status !== 'missing' ? [resultLine(outcomeKey(cell, s), cell, s, r)] : [];
    }),
  );
  appendResults(spec.results!, filed, lines);
}

/**
 * Calls `options.report(run)` unless another worker of this same run writes it: the report is an
 * atlas task keyed by every record it shows, which the first worker to get there claims. Its claim
 * never goes stale (a report takes seconds, and a stalled writer must not get a twin), so a writer
 * that dies leaves it to a later run: a run with nothing to compute (the atlas was already complete)
 * always writes the report. Returns who writes it when not this process.
 */
async function reportOnce(storage: StudyStorage, studyId: number, run: AtlasRun, participated: boolean, options: RunAtlasOptions): Promise<string | null> {
  const report = options.report!;
  if (!(options.compute ?? true) || !participated) {
    await report(run);
    return null;
  }
  // A missing outcome's time is when this worker looked, not a result: it must not tell workers' reports apart.
  const shown = run.cells.flatMap((c) => Object.values(c.results).map((r) => `${c.cell.key}|${r!.strategy}|${r!.status}|${r!.status === 'missing' ? '' : r!.finished_at}`));
  const { value: task } = await storage.createTrial(studyId, { lambda: 0, task: 'the atlas report' }, `report#${shortHash(shown)}`);
  const claimed = await storage.claimTrial(studyId, { trialId: task.id, staleAfterMs: Infinity });
  if (claimed === null) {
    const owner = (await storage.getTrial(task.id))?.owner;
    return owner ? `${owner.hostname} pid ${owner.pid}` : 'another worker';
  }
  await report(run);
  await storage.finishTrial(claimed.id, 'COMPLETE', { value: 0, attempt: claimed.attempt });
  return null;
}
