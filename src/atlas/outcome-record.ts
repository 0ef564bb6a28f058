/**
 * What the atlas keeps of one (cell, strategy): the outcome record, as stored in the atlas's study and
 * its results file (plain JSON; λ in the seed convention), and how a tune() result becomes one.
 */
import type { Json } from '../study/index.js';
import type { TuneResult } from '../tune/tune.js';
import { nominalGridCost, type AtlasCell } from './cells.js';
import type { AtlasStrategyName } from './spec.js';
import type { TestCurvePoint } from './test-curve.js';
import type { InitMeasure } from './init-measure.js';

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
  /** At the chosen λ, SGD cells: τ (the penalty's decay timescale, mean over folds), the epochs trained T and whether every fold converged; null for exact solves and strategies without trials there. */
  lambda_timescale_epochs: number | null;
  epochs_trained: number | null;
  converged: boolean | null;
  /** The reference strategy only: the test loss of a refit at every λ it tried (measureTestCurve), to judge any λ by its test loss. */
  test_curve: TestCurvePoint[] | null;
  /** The reference strategy only (SGD cells): Σθ² and the data loss at the refit's initialization, so the initial penalty at any λ is (λ/2m)·Σθ². Absent in records stored before it was measured. */
  init?: InitMeasure | null;
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
export function summarize(cell: AtlasCell, strategy: AtlasStrategyName, r: TuneResult, resumed: boolean, testCurve: TestCurvePoint[] | null = null, init: InitMeasure | null = null): StrategyOutcomeRecord {
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
    ...actedAt(r),
    test_curve: testCurve,
    init,
    resumed,
    extra,
    error: null,
    finished_at: new Date().toISOString(),
  };
}

/** τ, T and converged at the chosen λ, from the trial that trained there on full budget (not a halving rung). */
function actedAt(r: TuneResult): Pick<StrategyOutcomeRecord, 'lambda_timescale_epochs' | 'epochs_trained' | 'converged'> {
  const t = r.trials.find((x) => x.lambda === r.best_lambda && x.dropout === r.best_dropout && x.rung === undefined && x.epochs_trained !== undefined);
  return { lambda_timescale_epochs: t?.lambda_timescale_epochs ?? null, epochs_trained: t?.epochs_trained ?? null, converged: t?.converged ?? null };
}

export function emptyOutcome(strategy: AtlasStrategyName, study: string, status: StrategyOutcomeRecord['status'], error: string | null): StrategyOutcomeRecord {
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
    lambda_timescale_epochs: null,
    epochs_trained: null,
    converged: null,
    test_curve: null,
    init: null,
    resumed: false,
    extra: {},
    error,
    finished_at: new Date().toISOString(),
  };
}
