/** The study-storage contract: what every backend (SQLite, PostgreSQL, …) must do so a λ study can stop and resume anywhere. */
import type { Json } from './json.js';

export type { Json, JsonObject } from './json.js';

/** Whether a smaller or a larger objective value is better. Default `'minimize'` (a validation loss). */
export type Direction = 'minimize' | 'maximize';

/**
 * A trial's life: `WAITING` (created, not yet started) → `RUNNING` (claimed by one process) →
 * `COMPLETE` | `PRUNED` | `FAIL` (finished; never changes again).
 * A `RUNNING` trial whose owner died goes back to `RUNNING` under a new owner (see {@link StudyStorage.claimTrial}).
 */
export type TrialState = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL';

/** The states a trial can be finished in. */
export type FinishedState = 'COMPLETE' | 'PRUNED' | 'FAIL';

/** All trial states, in lifecycle order. */
export const TRIAL_STATES: readonly TrialState[] = ['WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL'];

/** The finished states. */
export const FINISHED_STATES: readonly FinishedState[] = ['COMPLETE', 'PRUNED', 'FAIL'];

/**
 * What a study is: everything that decides its trials' results. Two runs with equal configs
 * (compared as key-sorted JSON) are the same study and may share trials; a different config needs a new name.
 */
export interface StudyConfig {
  /** How λ is searched: e.g. `{"kind": "grid", ...}`, `{"kind": "successive-halving", ...}`. */
  strategy: Json;
  /** The dataset: a built-in name or a path, plus split/fold settings. */
  data: Json;
  /** The network: architecture, optimizer, epochs. */
  model: Json;
  /** How λ enters the loss: sum or mean, the ½, whether biases are penalized. */
  convention: Json;
  /** Anything else that changes results (seeds, folds, budgets). */
  options?: Json;
  /** Absent fields are left out of the stored JSON. */
  [key: string]: Json | undefined;
}

/** A stored study. */
export interface Study {
  id: number;
  /** Unique within a storage; what `--study` names. */
  name: string;
  direction: Direction;
  config: StudyConfig;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

/** A study with its progress, as {@link StudyStorage.listStudies} reports it. */
export interface StudySummary extends Study {
  /** Number of trials in each state (every state present, zero when none). */
  trialCounts: Record<TrialState, number>;
  /** The best COMPLETE value under the study's direction; `null` before any trial completes. */
  bestValue: number | null;
  /** Id of the trial holding {@link bestValue} (the lowest-numbered on a tie); `null` when none. */
  bestTrialId: number | null;
}

/**
 * A trial's hyper-parameters. `lambda` is the L2 constant under the study's `convention`;
 * any other JSON field may be added (a seed, a learning rate).
 */
export interface TrialParams {
  /** The L2 constant, ≥ 0 and finite. */
  lambda: number;
  /** Dropout rate, when the study also varies it. */
  dropout?: number;
  /** Cross-validation fold index, when a trial is one fold. */
  fold?: number;
  /** Absent fields are left out of the stored JSON (and of the default key). */
  [key: string]: Json | undefined;
}

/** The process that runs a trial: a pid is meaningful only on its host. */
export interface TrialOwner {
  pid: number;
  hostname: string;
}

/** One intermediate objective value, reported at a step (an epoch). */
export interface IntermediateValue {
  step: number;
  value: number;
  /** Anything else worth plotting for that step: train loss, weight norm. `null` when none. */
  extra: Json;
}

/** A stored trial. */
export interface Trial {
  id: number;
  studyId: number;
  /** 0, 1, 2 … in creation order within the study. */
  number: number;
  /** The deterministic identity of the trial within its study (see {@link StudyStorage.createTrial}). */
  key: string;
  params: TrialParams;
  state: TrialState;
  /** The objective; set for COMPLETE, optional for PRUNED (the last reported value), `null` otherwise. */
  value: number | null;
  /** Free-form JSON outcome (weights' norm, per-fold losses, timings); `null` until finished. */
  result: Json;
  /** Why a trial was PRUNED or FAILed (an error message, "rung 2 cut-off 0.31"); `null` otherwise. */
  reason: string | null;
  /** The current or last process to run it; `null` while WAITING. */
  owner: TrialOwner | null;
  /** Last sign of life from the owner, ms since epoch; `null` while WAITING. */
  heartbeatAt: number | null;
  /** How many times the trial has been claimed: 1 on a first run, 2 after one reclaim, … */
  attempt: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Intermediate values of the current attempt, by increasing step. */
  intermediate: IntermediateValue[];
}

/**
 * One epoch of one member of a trial, written while it trains so a running pass shows progress.
 * A member is one fold of the trial's configuration (0 for hold-out); in a population every
 * (configuration, fold) pair is a member of its own trial. Values are finite or `null`.
 */
export interface TrialEpoch {
  trialId: number;
  /** The member's fold index, an integer ≥ 0. */
  member: number;
  /** 0 = at initialization. */
  epoch: number;
  /** (1/m)·Σ loss over the member's training rows. */
  trainLoss: number | null;
  valLoss: number | null;
  /** Validation accuracy in [0, 1] (classification only). */
  valAccuracy: number | null;
  /** The penalty term of the cost, (λ/2m)·Σθ² in the seed convention. */
  penalty: number | null;
  /** Σθ² of the penalized parameters. */
  sumSquares: number | null;
  /** When it was written, ms since the epoch. */
  at: number;
  /** Grows with every write to the storage: pass the largest seen as `after` to read only what is new. */
  seq: number;
}

/** What {@link StudyStorage.reportEpochs} takes: a {@link TrialEpoch} without the fields the storage sets. Non-finite values are stored as `null`. */
export type TrialEpochInput = Omit<TrialEpoch, 'at' | 'seq'>;

/** What {@link StudyStorage.createStudy} and {@link StudyStorage.createTrial} return: the record, and whether this call created it. */
export interface Created<T> {
  value: T;
  /** `false` when an existing record (same study name and config; same trial key) was returned. */
  created: boolean;
}

/** Options of {@link StudyStorage.createStudy}. */
export interface CreateStudyOptions {
  /** Default `'minimize'`. Part of the study's identity: loading with another direction is a config mismatch. */
  direction?: Direction;
}

/** Options of {@link StudyStorage.claimTrial}. */
export interface ClaimOptions {
  /** Claim this trial only; `null` when it is not claimable. Default: the lowest-numbered claimable trial. */
  trialId?: number;
  /** Who claims it. Default: this process (`process.pid`, and `L2LAB_WORKER_ID` or `os.hostname()`: see `workerHost`). */
  owner?: TrialOwner;
  /**
   * A RUNNING trial whose heartbeat is older than this many milliseconds is reclaimable whatever its host.
   * Must be finite and ≥ 0. Default: the storage's `heartbeatTimeoutMs` (see {@link StorageOptions}).
   */
  staleAfterMs?: number;
}

/** One trial to create in {@link StudyStorage.createTrials}: its params and, optionally, its key (default: the key-sorted JSON of `params`). */
export interface TrialSpec {
  params: TrialParams;
  key?: string;
}

/** One trial to finish in {@link StudyStorage.finishTrials}. */
export interface TrialFinish {
  trialId: number;
  state: FinishedState;
  outcome?: FinishOptions;
}

/** What a finished trial carries: see {@link StudyStorage.finishTrial}. */
export interface FinishOptions {
  /** The objective. Required (a number, not NaN) for COMPLETE; optional for PRUNED; must be absent for FAIL. */
  value?: number;
  /** Free-form JSON outcome. Default `null`. */
  result?: Json;
  /** Why it was PRUNED or FAILed. */
  reason?: string;
  /** The `attempt` of the claim being finished; when given, a trial since reclaimed by another process throws {@link TrialNotOwnedError}. */
  attempt?: number;
}

/** Options of {@link StudyStorage.reportIntermediate} and {@link StudyStorage.heartbeat}. */
export interface OwnershipGuard {
  /** The `attempt` of the caller's claim; when given, a trial since reclaimed by another process throws {@link TrialNotOwnedError}. */
  attempt?: number;
}

/** Options shared by every storage implementation. */
export interface StorageOptions {
  /**
   * Milliseconds without a heartbeat after which a RUNNING trial is considered abandoned and may be
   * reclaimed by any process, on any host. Default 60 000 (1 minute). A trial whose owner ran on
   * this host and whose pid no longer exists is reclaimable at once, whatever its heartbeat.
   */
  heartbeatTimeoutMs?: number;
}

/** Default of {@link StorageOptions.heartbeatTimeoutMs}. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;

/**
 * Persistent, shareable storage of λ studies, like Optuna's storages. Every state change is one
 * transaction; the plural methods (`createTrials`, `claimTrials`, `finishTrials`) make one pass of
 * trials one transaction, so a pass costs one durable commit, not one per trial. Every method is
 * async so a network database fits. Implementations live in
 * `src/study/sqlite/` and `src/study/postgres/`; `openStorage` picks one from a path or URL.
 *
 * Errors: {@link StorageError} (code `'STORAGE'`) for missing records and broken databases,
 * {@link StudyConfigMismatchError}, {@link TrialAlreadyFinishedError}, {@link TrialNotOwnedError};
 * `InvalidOptionError` for malformed arguments (a NaN value, a negative step, non-JSON params).
 *
 * @example
 * const storage = await openStorage('./l2lab.db');
 * const { value: study } = await storage.createStudy('mnist-l2', config);
 * for (const lambda of [1e-5, 1e-4, 1e-3]) await storage.createTrial(study.id, { lambda });
 * let trial;
 * while ((trial = await storage.claimTrial(study.id))) {
 *   // … train, calling reportIntermediate(trial.id, epoch, loss) each epoch …
 *   await storage.finishTrial(trial.id, 'COMPLETE', { value: loss, attempt: trial.attempt });
 * }
 */
export interface StudyStorage {
  /** Where the data lives, for messages: `SQLite file ./l2lab.db`, `PostgreSQL postgres://user:***@host/db`. */
  readonly location: string;

  /** Milliseconds without a heartbeat after which this storage's claims take a RUNNING trial over (see {@link StorageOptions}). */
  readonly heartbeatTimeoutMs: number;

  /** Whether other processes can reach this storage (false for a private in-memory SQLite database): a worker alone on it need leave no work for others. */
  readonly shared: boolean;

  /**
   * Creates the study `name`, or loads it when it exists with an equal config and direction.
   * An existing study with another config throws {@link StudyConfigMismatchError} naming both
   * configs, the differing fields, and the fix (a new `--study` name, or `deleteStudy`).
   */
  createStudy(name: string, config: StudyConfig, options?: CreateStudyOptions): Promise<Created<Study>>;

  /** The study named `name`, or `null`. */
  getStudy(name: string): Promise<Study | null>;

  /** Every study with trial counts by state and its best value, ordered by id. */
  listStudies(): Promise<StudySummary[]>;

  /** Deletes a study with its trials, intermediate values and attributes. Throws when no such study. */
  deleteStudy(studyId: number): Promise<void>;

  /**
   * Adds a WAITING trial with these params, unless the study already has a trial with this `key`,
   * which is then returned as it is (any state): the same trial is never created twice, so a
   * resumed run can re-enqueue its whole plan. `key` defaults to the key-sorted JSON of `params`.
   * An existing key with different params throws (the caller's key function is not deterministic).
   */
  createTrial(studyId: number, params: TrialParams, key?: string): Promise<Created<Trial>>;

  /** {@link createTrial} for several trials in one transaction: returns them in the same order. A key clash anywhere creates none. */
  createTrials(studyId: number, trials: readonly TrialSpec[]): Promise<Created<Trial>[]>;

  /** The trial, or `null`. */
  getTrial(trialId: number): Promise<Trial | null>;

  /** The trials with these ids, read from one snapshot, in the same order; `null` for an id with no trial. */
  getTrials(trialIds: readonly number[]): Promise<(Trial | null)[]>;

  /** The study's trials by number; only those in `state` (one or several) when given. */
  listTrials(studyId: number, filter?: { state?: TrialState | readonly TrialState[] }): Promise<Trial[]>;

  /**
   * Atomically takes one trial to run and marks it RUNNING under `owner` with a fresh heartbeat
   * and `attempt + 1`. Claimable: a WAITING trial, or a RUNNING one whose owner is gone — on this
   * host with a pid that no longer exists (`process.kill(pid, 0)` gives ESRCH), or on any host
   * with a heartbeat older than `staleAfterMs`. A reclaimed trial's intermediate values are
   * cleared: it restarts from step 0. Two processes never claim the same trial at once.
   * Returns `null` when nothing is claimable.
   */
  claimTrial(studyId: number, options?: ClaimOptions): Promise<Trial | null>;

  /**
   * {@link claimTrial} for the claimable trials among `trialIds`, in the given order and at most
   * `max` of them (default all), in one transaction. Returns those claimed (none when none is claimable).
   */
  claimTrials(studyId: number, trialIds: readonly number[], options?: Omit<ClaimOptions, 'trialId'> & { max?: number }): Promise<Trial[]>;

  /**
   * The workers alive on the study: the distinct owners of its trials whose heartbeat (a RUNNING
   * trial's last beat, or a finished trial's finish) is at most `staleAfterMs` old (default: the
   * storage's `heartbeatTimeoutMs`), less those on this host whose pid is gone; by host, then pid.
   * Heartbeat ages use the storage's clock, as claims do. A worker that has claimed nothing yet is not among them.
   */
  liveWorkers(studyId: number, options?: Pick<ClaimOptions, 'staleAfterMs'>): Promise<TrialOwner[]>;

  /** Refreshes a RUNNING trial's heartbeat. Throws {@link TrialNotOwnedError} when it is not RUNNING or (with `attempt`) was reclaimed. */
  heartbeat(trialId: number, guard?: OwnershipGuard): Promise<void>;

  /**
   * Records `value` at `step` (an epoch, an integer ≥ 0) of a RUNNING trial, with optional `extra`
   * JSON, and refreshes its heartbeat. Reporting a step again overwrites it. `value` may be ±Infinity
   * (a diverged loss) but not NaN.
   */
  reportIntermediate(trialId: number, step: number, value: number, extra?: Json, guard?: OwnershipGuard): Promise<void>;

  /**
   * Finishes a RUNNING trial as COMPLETE, PRUNED or FAIL. A finished trial never changes:
   * finishing it again throws {@link TrialAlreadyFinishedError}; a WAITING trial must be claimed
   * first. Returns the finished trial.
   */
  finishTrial(trialId: number, state: FinishedState, outcome?: FinishOptions): Promise<Trial>;

  /**
   * {@link finishTrial} for several trials in one transaction: all are finished, or, when any
   * cannot be (finished already, taken over, WAITING), none is and it throws as `finishTrial`
   * would for that one. A pass of trials trained together is thus committed whole, with one
   * durable write: a crash loses no finished pass, and never leaves half of one. Returns the trials in order.
   */
  finishTrials(finishes: readonly TrialFinish[]): Promise<Trial[]>;

  /**
   * Records per-epoch values of RUNNING trials (any number of trials, members and epochs in one
   * transaction). Writing a (trial, member, epoch) again replaces it with a new `seq`. Reclaiming
   * a trial clears its epochs, like its intermediate values. A trial that is not RUNNING throws as
   * in {@link reportIntermediate}.
   */
  reportEpochs(records: readonly TrialEpochInput[]): Promise<void>;

  /** The study's epoch records ordered by `seq`; only those with `seq > after` when given (what changed since a previous read). */
  listEpochs(studyId: number, options?: { after?: number }): Promise<TrialEpoch[]>;

  /** Stores JSON under `key` for the study (strategy state such as successive-halving rungs), replacing any previous value. */
  setStudyAttr(studyId: number, key: string, value: Json): Promise<void>;

  /**
   * Sets attribute `key` to `value` only when it holds `expected` now (compared as key-sorted JSON;
   * `undefined`: the attribute is absent), in one transaction: the compare-and-set that lets
   * workers take a study-wide task (the refit at the chosen λ) exactly once. Returns whether it was set.
   */
  swapStudyAttr(studyId: number, key: string, expected: Json | undefined, value: Json): Promise<boolean>;

  /** Every attribute of the study. */
  getStudyAttrs(studyId: number): Promise<Record<string, Json>>;

  /** Releases connections; the storage is unusable afterwards. Safe to call twice. */
  close(): Promise<void>;
}
