/** Argument checks and error messages shared by every storage implementation, so all backends accept and reject the same calls. */
import { InvalidOptionError, invalidNumber } from '../errors.js';
import { StorageError, StudyConfigMismatchError, TrialAlreadyFinishedError, TrialNotOwnedError } from './errors.js';
import { canonicalJson, isJsonObject, jsonDiffPaths, type Json } from './json.js';
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  FINISHED_STATES,
  TRIAL_STATES,
  type ClaimOptions,
  type Direction,
  type FinishedState,
  type FinishOptions,
  type StorageOptions,
  type TrialOwner,
  type TrialEpochInput,
  type TrialParams,
  type TrialState,
} from './storage.js';

/** Trial counts with every state at zero. */
export function emptyCounts(): Record<TrialState, number> {
  return { WAITING: 0, RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0 };
}

export function checkStudyName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    throw new InvalidOptionError(`A study name must be a non-empty string of at most 200 characters. Got ${JSON.stringify(name)} instead.`);
  }
  return name;
}

export function checkDirection(direction: unknown): Direction {
  const d = direction ?? 'minimize';
  if (d !== 'minimize' && d !== 'maximize') {
    throw new InvalidOptionError(`The 'direction' option of createStudy must be 'minimize' or 'maximize'. Got ${JSON.stringify(direction)} instead.`);
  }
  return d;
}

/** The config's canonical JSON; requires an object with strategy, data, model and convention. */
export function configText(config: unknown): string {
  if (!isJsonObject(config)) throw new InvalidOptionError(`A study config must be a JSON object with strategy, data, model and convention. Got ${JSON.stringify(config)} instead.`);
  const missing = ['strategy', 'data', 'model', 'convention'].filter((k) => (config as Record<string, unknown>)[k] === undefined);
  if (missing.length > 0) throw new InvalidOptionError(`A study config must give ${missing.map((k) => `'${k}'`).join(', ')}; they decide the trials' results.`);
  return canonicalJson(config, 'config');
}

/**
 * The error for `createStudy(name, config)` when `name` exists with another config or direction.
 * It shows both configs, the differing fields and the two fixes.
 */
export function configMismatch(
  name: string,
  location: string,
  stored: { config: Json; direction: Direction },
  requested: { config: Json; direction: Direction },
): StudyConfigMismatchError {
  const paths = jsonDiffPaths(stored.config, requested.config);
  if (stored.direction !== requested.direction) paths.unshift('direction');
  const lines = [
    `Study '${name}' already exists in ${location} with a different config (differs at: ${paths.join(', ')}).`,
    `  stored:    ${stored.direction} ${JSON.stringify(stored.config)}`,
    `  requested: ${requested.direction} ${JSON.stringify(requested.config)}`,
    `Its trials were run under the stored config and cannot be mixed with these. Use a new study name (e.g. --study ${name}-2), or delete the stored one to start over: l2lab studies --delete ${name}, with the same --storage.`,
  ];
  return new StudyConfigMismatchError(lines.join('\n'), name, paths);
}

/** Params' canonical JSON and the trial key (default: that JSON). */
export function paramsAndKey(params: unknown, key: unknown): { paramsText: string; key: string } {
  if (!isJsonObject(params)) throw new InvalidOptionError(`Trial params must be a JSON object such as {"lambda": 0.001}. Got ${JSON.stringify(params)} instead.`);
  const lambda = (params as TrialParams).lambda;
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) throw invalidNumber('lambda', 'createTrial', '[0, ∞)', lambda);
  const paramsText = canonicalJson(params, 'params');
  const k = key ?? paramsText;
  if (typeof k !== 'string' || k === '') throw new InvalidOptionError(`A trial key must be a non-empty string. Got ${JSON.stringify(key)} instead.`);
  return { paramsText, key: k };
}

/** The error for a key that already names a trial with other params. */
export function keyClash(key: string, storedParams: string, requestedParams: string): StorageError {
  return new StorageError(
    `Trial key ${JSON.stringify(key)} already names a trial with params ${storedParams}, not ${requestedParams}. A key must be a deterministic function of the params: derive it from them, or leave it out to use the params' JSON.`,
  );
}

export function checkId(id: unknown, what: string): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw new InvalidOptionError(`A ${what} id must be a positive integer. Got ${JSON.stringify(id)} instead.`);
  return id;
}

export function checkStep(step: unknown): number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0 || step > 2_147_483_647) throw invalidNumber('step', 'reportIntermediate', 'the integers [0, 2³¹)', step);
  return step;
}

export function checkValue(value: unknown, where: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InvalidOptionError(`The 'value' option of ${where} must be a number (±Infinity allowed for a diverged loss). Got ${String(value)} instead. A NaN loss means the trial failed: finish it as FAIL with a reason.`);
  }
  return value;
}

export function checkAttempt(attempt: unknown): number | undefined {
  if (attempt === undefined) return undefined;
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 1) throw invalidNumber('attempt', 'the storage', 'the integers [1, ∞)', attempt);
  return attempt;
}

export function checkHeartbeatTimeout(options: StorageOptions | undefined): number {
  const ms = options?.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw invalidNumber('heartbeatTimeoutMs', 'the storage', '[0, ∞]', ms);
  return ms;
}

/** Claim options with defaults filled in. */
export function claimSettings(options: ClaimOptions | undefined, defaultStaleAfterMs: number, fallbackOwner: TrialOwner): { trialId?: number; owner: TrialOwner; staleAfterMs: number } {
  const owner = options?.owner ?? fallbackOwner;
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0 || typeof owner.hostname !== 'string' || owner.hostname === '') {
    throw new InvalidOptionError(`The 'owner' option of claimTrial must be {pid: positive integer, hostname: non-empty string}. Got ${JSON.stringify(owner)} instead.`);
  }
  const staleAfterMs = checkStaleAfter(options?.staleAfterMs, defaultStaleAfterMs, 'claimTrial');
  const trialId = options?.trialId === undefined ? undefined : checkId(options.trialId, 'trial');
  return { trialId, owner, staleAfterMs };
}

/** The `staleAfterMs` option of `method`: a number in [0, ∞], default the storage's heartbeat timeout. */
export function checkStaleAfter(staleAfterMs: unknown, defaultStaleAfterMs: number, method: string): number {
  const ms = staleAfterMs ?? defaultStaleAfterMs;
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw invalidNumber('staleAfterMs', method, '[0, ∞]', ms);
  return ms;
}

/** The `max` option of {@link StudyStorage.claimTrials}: an integer ≥ 0 or Infinity, default Infinity. */
export function checkMax(max: unknown): number {
  if (max === undefined) return Infinity;
  if (!(max === Infinity || (Number.isSafeInteger(max) && (max as number) >= 0))) throw invalidNumber('max', 'claimTrials', 'the integers [0, ∞]', max);
  return max as number;
}

/** Finish arguments checked and serialized. */
export function finishSettings(state: unknown, outcome: FinishOptions | undefined): { state: FinishedState; value: number | null; resultText: string; reason: string | null; attempt?: number } {
  if (!FINISHED_STATES.includes(state as FinishedState)) {
    throw new InvalidOptionError(`A trial can be finished as ${FINISHED_STATES.map((s) => `'${s}'`).join(', ')}. Got ${JSON.stringify(state)} instead.`);
  }
  const s = state as FinishedState;
  let value: number | null = null;
  if (s === 'COMPLETE') {
    if (outcome?.value === undefined) throw new InvalidOptionError(`finishTrial(…, 'COMPLETE') needs {value}: the objective of the trial. Finish it as 'FAIL' with a reason when there is none.`);
    value = checkValue(outcome.value, "finishTrial(…, 'COMPLETE')");
  } else if (s === 'PRUNED') {
    if (outcome?.value !== undefined) value = checkValue(outcome.value, "finishTrial(…, 'PRUNED')");
  } else if (outcome?.value !== undefined) {
    throw new InvalidOptionError(`finishTrial(…, 'FAIL') takes no value (got ${String(outcome.value)}): a failed trial has no objective. Put diagnostics in {result} or {reason}.`);
  }
  const reason = outcome?.reason ?? null;
  if (reason !== null && typeof reason !== 'string') throw new InvalidOptionError(`The 'reason' option of finishTrial must be a string. Got ${JSON.stringify(reason)} instead.`);
  const resultText = canonicalJson(outcome?.result ?? null, 'result');
  return { state: s, value, resultText, reason, attempt: checkAttempt(outcome?.attempt) };
}

export function checkStates(filter: { state?: TrialState | readonly TrialState[] } | undefined): TrialState[] | undefined {
  if (filter?.state === undefined) return undefined;
  const states = (typeof filter.state === 'string' ? [filter.state] : [...filter.state]) as TrialState[];
  for (const s of states) {
    if (!TRIAL_STATES.includes(s)) throw new InvalidOptionError(`The 'state' filter of listTrials must be one of ${TRIAL_STATES.join(', ')}. Got ${JSON.stringify(s)} instead.`);
  }
  return states;
}

export function checkAttrKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new InvalidOptionError(`A study attribute key must be a non-empty string. Got ${JSON.stringify(key)} instead.`);
  return key;
}

export function noStudy(studyId: number, location: string): StorageError {
  return new StorageError(`No study with id ${studyId} in ${location}; it may have been deleted. listStudies() shows the studies there.`);
}

export function noTrial(trialId: number, location: string): StorageError {
  return new StorageError(`No trial with id ${trialId} in ${location}.`);
}

/** What a stored trial looks like to the checks below. */
export interface TrialStatus {
  id: number;
  number: number;
  state: TrialState;
  value: number | null;
  attempt: number;
}

/**
 * Throws unless the trial may be written by a holder of `attempt` (when given): it must be
 * RUNNING and, with `attempt`, not reclaimed since. `action` names the call for the message.
 */
export function assertWritable(trial: TrialStatus, action: string, attempt: number | undefined): void {
  if (FINISHED_STATES.includes(trial.state as FinishedState)) {
    const v = trial.value === null ? '' : ` (value ${trial.value})`;
    throw new TrialAlreadyFinishedError(`Trial #${trial.number} (id ${trial.id}) is already finished as ${trial.state}${v}; cannot ${action}. A finished trial never changes: create a new trial to run it again.`);
  }
  if (trial.state === 'WAITING') {
    throw new TrialNotOwnedError(`Trial #${trial.number} (id ${trial.id}) is WAITING; claim it with claimTrial() before you ${action}.`);
  }
  if (attempt !== undefined && attempt !== trial.attempt) {
    throw new TrialNotOwnedError(
      `Trial #${trial.number} (id ${trial.id}) was reclaimed by another process (its attempt is now ${trial.attempt}, yours is ${attempt}), probably because this process's heartbeat went stale; cannot ${action}. Stop this run of the trial.`,
    );
  }
}

/** Validates {@link StudyStorage.reportEpochs} input; non-finite values become `null`. */
export function epochRows(records: unknown): TrialEpochInput[] {
  if (!Array.isArray(records)) throw new InvalidOptionError(`reportEpochs takes an array of epoch records. Got ${typeof records} instead.`);
  const value = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return records.map((r: Partial<TrialEpochInput>, i) => {
    const whole = (x: unknown, what: string, min: number): number => {
      if (!(Number.isInteger(x) && (x as number) >= min)) throw new InvalidOptionError(`Epoch record ${i} of reportEpochs: '${what}' must be an integer ≥ ${min}. Got ${String(x)} instead.`);
      return x as number;
    };
    return { trialId: whole(r.trialId, 'trialId', 1), member: whole(r.member, 'member', 0), epoch: whole(r.epoch, 'epoch', 0), trainLoss: value(r.trainLoss), valLoss: value(r.valLoss), valAccuracy: value(r.valAccuracy), penalty: value(r.penalty), sumSquares: value(r.sumSquares) };
  });
}

/** The `after` cursor of {@link StudyStorage.listEpochs}: an integer ≥ 0, default 0 (everything). */
export function checkAfter(after: unknown): number {
  if (after === undefined) return 0;
  if (!(Number.isInteger(after) && (after as number) >= 0)) throw new InvalidOptionError(`The 'after' option of listEpochs must be an integer ≥ 0 (a seq read before). Got ${String(after)} instead.`);
  return after as number;
}
