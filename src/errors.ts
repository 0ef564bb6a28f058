/** One error base class with a stable `code`, so callers (and the CLI) can branch on the kind. */

export type ErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_DATA'
  | 'SHAPE_MISMATCH'
  | 'NOT_FITTED'
  | 'DIVERGED'
  | 'NOT_CONVERGED'
  | 'MISSING_DEPENDENCY'
  | 'STORAGE'
  | 'UNSUPPORTED'
  | 'STUDY_NOT_FOUND'
  | 'TRIAL_NOT_FOUND'
  | 'CONTEXT_MISMATCH'
  | 'EPOCH_BACKWARDS'
  | 'TRIAL_FINISHED'
  | 'LEASE_EXPIRED';

/** The base of every error l2lab throws on purpose; `code` is stable (e.g. 'INVALID_OPTION', 'DIVERGED') for programs to branch on. */
export class L2labError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'L2labError';
  }
}

/** An option outside its valid range: "The 'lambda' option of train must be a number in [0, ∞). Got -1 instead." */
export class InvalidOptionError extends L2labError {
  constructor(message: string) {
    super('INVALID_OPTION', message);
    this.name = 'InvalidOptionError';
  }
}

/** A dataset that cannot be used as given: names the file, line/column and the fix. */
export class InvalidDataError extends L2labError {
  constructor(message: string) {
    super('INVALID_DATA', message);
    this.name = 'InvalidDataError';
  }
}

/** Incompatible tensor shapes at graph-build time: names the op, its inputs and their shapes. */
export class ShapeError extends L2labError {
  constructor(message: string) {
    super('SHAPE_MISMATCH', message);
    this.name = 'ShapeError';
  }
}

/** A learned value was read before training. */
export class NotFittedError extends L2labError {
  constructor(what: string) {
    super('NOT_FITTED', `${what} is not fitted yet — call fit() first.`);
    this.name = 'NotFittedError';
  }
}

/** A required external resource (a Debian package, a dataset file) is absent. */
export class MissingDependencyError extends L2labError {
  constructor(message: string) {
    super('MISSING_DEPENDENCY', message);
    this.name = 'MissingDependencyError';
  }
}

/** Formats a number-option error in one template, scikit-learn style. */
export function invalidNumber(option: string, owner: string, range: string, got: unknown): InvalidOptionError {
  return new InvalidOptionError(`The '${option}' option of ${owner} must be a number in ${range}. Got ${String(got)} instead.`);
}
