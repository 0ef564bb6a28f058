/**
 * The result a tuning trial stores (`trial.result`): one versioned type, one writer, one reader that
 * validates what it reads. tune's strategies write it; tune, the dashboard and `l2lab show` read it.
 */
import { StorageError, type Json } from '../../study/index.js';
import type { ConfigScore } from '../scoring/config-score.js';
import type { SolverReport } from '../../train/solver-option.js';

/**
 * The schema version this l2lab writes. Bump it when a field changes meaning; a new optional field
 * (per-epoch records, say) does not need a bump: older readers ignore it.
 */
export const TRIAL_RESULT_VERSION = 1;

/** One fold's scores (the trial's own fold of CV, or the one hold-out split). */
export interface FoldRecord {
  val_loss: number | null;
  train_loss: number | null;
  val_accuracy: number | null;
  /** The epoch scored: the best one under early stopping, else the last. */
  epoch: number;
  /** Validation loss per epoch, epoch 0 = initialization; null where it was not finite. */
  curve: (number | null)[];
}

/** The refit at the chosen λ on the whole training part, scored on the test split. */
export interface Refit {
  lambda: number;
  dropout: number;
  epochs: number;
  test_loss: number;
  test_accuracy?: number;
  test_rmse?: number;
  /** The exact solver's iterations and gradient norm (epochs is then 0). */
  solver?: SolverReport;
}

/** What the evidence strategy finds (stored in its trial, reported by tune). */
export interface EvidenceReport {
  method: string;
  /** λ in the seed convention (= δ for classification, δ/β for regression). */
  lambda_seed: number;
  /** Effective number of well-determined parameters. */
  gamma: number;
  /** Number of penalized weights (compare with γ). */
  weights: number;
  log_evidence: number;
  noise_precision?: number;
  curve: { lambda: number; log_evidence: number }[];
  /** Online re-estimates: the epoch and the λ training continued with. */
  history: { epoch: number; lambda: number; gamma: number }[];
}

/** A trial's stored result. */
export interface TrialResult {
  version: number;
  /** Standard error of the folds' validation losses; null for one fold or a failed trial. */
  se: number | null;
  train_mean: number | null;
  folds: FoldRecord[];
  /** τ, the penalty's decay timescale in epochs (mean over folds); null without a penalty or when unknown. Trained trials only. */
  lambda_timescale_epochs?: number | null;
  /** Every fold met the convergence rule (hasConverged) at its last epoch. Trained trials only. */
  converged?: boolean;
  /** Epochs the trial trained (under --epochs auto: until converged or the cap). */
  epochs_trained?: number | null;
  /** Fold parameters at the scored epoch (path: the next λ's warm start). */
  params?: number[][][];
  evidence?: EvidenceReport;
  refit?: Refit;
  /** ask/tell: a handed-out trial that went without a report past its lease was FAILed and its λ handed out again as this trial number. */
  replaced_by?: number;
}

/** What a strategy adds to the scores when it writes a result. */
export type TrialResultExtra = Pick<TrialResult, 'params' | 'evidence' | 'refit'>;

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The one writer: a trial's scores (and a strategy's extras) as the JSON the store keeps. */
export function writeTrialResult(s: ConfigScore, extra: TrialResultExtra = {}): Json {
  const result: TrialResult = {
    version: TRIAL_RESULT_VERSION,
    se: finite(s.se),
    train_mean: finite(s.trainMean),
    ...(s.lambdaTimescaleEpochs !== undefined ? { lambda_timescale_epochs: finite(s.lambdaTimescaleEpochs), converged: s.converged ?? false, epochs_trained: s.epochsTrained ?? null } : {}),
    folds: s.folds.map((f) => ({ val_loss: finite(f.valLoss), train_loss: finite(f.trainLoss), val_accuracy: f.valAccuracy ?? null, epoch: f.epoch, curve: f.curve.map((v) => finite(v)) })),
    ...extra,
  };
  return result as unknown as Json;
}

type Obj = { [key: string]: Json };
const isObj = (x: Json | undefined): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: Json | undefined): x is number => typeof x === 'number';
const numOrNull = (x: Json | undefined): boolean => x === null || x === undefined || isNum(x);

/** Names the first field that does not fit the schema, or undefined. */
function problem(r: Obj): string | undefined {
  if (!numOrNull(r.se)) return 'se';
  if (!numOrNull(r.train_mean)) return 'train_mean';
  if (!numOrNull(r.lambda_timescale_epochs)) return 'lambda_timescale_epochs';
  if (!numOrNull(r.epochs_trained)) return 'epochs_trained';
  if (r.converged !== undefined && typeof r.converged !== 'boolean') return 'converged';
  if (r.folds !== undefined && !(Array.isArray(r.folds) && r.folds.every((f) => isObj(f) && numOrNull(f.val_loss) && numOrNull(f.train_loss) && isNum(f.epoch) && Array.isArray(f.curve)))) return 'folds';
  if (r.params !== undefined && !Array.isArray(r.params)) return 'params';
  const e = r.evidence;
  if (e !== undefined && !(isObj(e) && isNum(e.lambda_seed) && isNum(e.gamma) && isNum(e.log_evidence) && Array.isArray(e.curve) && Array.isArray(e.history))) return 'evidence';
  const f = r.refit;
  if (f !== undefined && !(isObj(f) && isNum(f.lambda) && isNum(f.test_loss))) return 'refit';
  if (r.replaced_by !== undefined && !isNum(r.replaced_by)) return 'replaced_by';
  return undefined;
}

/**
 * The one reader: validates a stored result and returns it typed; null for a trial that stored none.
 * Results stored before the schema had a version read as version 1 (the same fields).
 *
 * @throws StorageError for a result written by a newer l2lab, or one that does not fit the schema.
 */
export function readTrialResult(raw: Json | null, where = 'a trial'): TrialResult | null {
  if (raw === null || raw === undefined) return null;
  if (!isObj(raw)) throw new StorageError(`The result of ${where} is not a JSON object (got ${JSON.stringify(raw).slice(0, 80)}): the store is damaged or was not written by l2lab.`);
  const version = raw.version ?? 1;
  if (!isNum(version) || !Number.isInteger(version) || version < 1) throw new StorageError(`The result of ${where} has version ${JSON.stringify(version)}: not an l2lab trial result.`);
  if (version > TRIAL_RESULT_VERSION) {
    throw new StorageError(`The result of ${where} was written by a newer l2lab (trial-result version ${version}; this one reads up to ${TRIAL_RESULT_VERSION}). Upgrade l2lab to read this store.`);
  }
  const bad = problem(raw);
  if (bad) throw new StorageError(`The result of ${where} has a malformed '${bad}' field: the store is damaged. Re-run the study under a new --study name.`);
  return { ...(raw as unknown as TrialResult), version, folds: (raw.folds as unknown as FoldRecord[] | undefined) ?? [] };
}
