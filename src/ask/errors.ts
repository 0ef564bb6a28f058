/** The ask/tell protocol's errors: one class, a stable code per misuse, so every door (CLI exit code, HTTP status, Python exception) can branch on it. */
import { L2labError } from '../errors.js';

/** The codes a {@link ProtocolError} carries; bad values (a NaN loss, an unknown optimizer) are `InvalidOptionError`s ('INVALID_OPTION'). */
export type ProtocolErrorCode = 'STUDY_NOT_FOUND' | 'TRIAL_NOT_FOUND' | 'CONTEXT_MISMATCH' | 'EPOCH_BACKWARDS' | 'TRIAL_FINISHED' | 'LEASE_EXPIRED';

/**
 * A call the protocol refuses; nothing stored changed. Codes:
 * - `STUDY_NOT_FOUND`: report/tell/best, or an ask without context, named a study the store lacks;
 * - `TRIAL_NOT_FOUND`: no trial of that number in the study;
 * - `CONTEXT_MISMATCH`: an ask's context differs from the one the study was created with;
 * - `EPOCH_BACKWARDS`: a report's epoch is below one already reported (or repeats it with other values);
 * - `TRIAL_FINISHED`: a report or tell for a trial already told (COMPLETE, PRUNED or FAIL);
 * - `LEASE_EXPIRED`: the trial went without a report for the heartbeat timeout and went back to the
 *   pool (or to another worker): the worker must stop training it and ask again.
 */
export class ProtocolError extends L2labError {
  constructor(
    override readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'ProtocolError';
  }
}
