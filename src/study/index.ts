/** Study storage: the contract, its errors and `openStorage`. Backends are reached through `openStorage` or their own folders. */
export * from './storage.js';
export { StorageError, StudyConfigMismatchError, TrialAlreadyFinishedError, TrialNotOwnedError } from './errors.js';
export { canonicalJson } from './json.js';
export { currentOwner, isOwnerDeadHere, isProcessAlive, workerHost } from './owner.js';
export { STORAGE_SCHEMA_VERSION } from './schema-version.js';
export { DEFAULT_STORAGE, openStorage, type OpenStorageOptions } from './open-storage.js';
export { keepAlive, type KeepAlive, type KeepAliveOptions } from './keep-alive.js';
export { runTrials, type RunTrialsOptions, type TrialOutcome, type WaitEvent } from './run-trials.js';
export { openStudy, deleteStudyNamed, type OpenedStudy } from './open-study.js';
export { runOnce, type RunOnceOptions } from './run-once.js';
