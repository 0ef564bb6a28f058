/** Storage errors (code 'STORAGE'): one base class and the subclasses a caller may want to branch on. */
import { L2labError } from '../errors.js';

/** A study storage could not do what was asked: an unreadable database, a missing study or trial, a broken invariant. */
export class StorageError extends L2labError {
  constructor(message: string) {
    super('STORAGE', message);
    this.name = 'StorageError';
  }
}

/**
 * `createStudy` found a study of the same name whose config differs from the requested one.
 * The message names both configs, the fields that differ, and the fix (a new `--study` name).
 */
export class StudyConfigMismatchError extends StorageError {
  constructor(
    message: string,
    readonly studyName: string,
    readonly differingPaths: readonly string[],
  ) {
    super(message);
    this.name = 'StudyConfigMismatchError';
  }
}

/** A trial that is already COMPLETE, PRUNED or FAIL was finished, or reported to, again (Optuna's "trial already finished"). */
export class TrialAlreadyFinishedError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'TrialAlreadyFinishedError';
  }
}

/**
 * A process acted on a trial it no longer owns: the trial was reclaimed by another process after
 * this one's heartbeat went stale (the `attempt` it holds is older than the stored one), or it was
 * never claimed.
 */
export class TrialNotOwnedError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'TrialNotOwnedError';
  }
}
