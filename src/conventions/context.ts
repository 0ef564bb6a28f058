/** Validation of a conversion's value and context, with errors that name the missing value and its formula. */
import { InvalidOptionError } from '../errors.js';
import { OPTIMIZERS } from '../options/names.js';
import type { ConversionContext, Convention, NeededValue } from './types.js';

const NEEDED: Record<NeededValue, { flag: string; what: string }> = {
  m: { flag: '--m', what: 'the training-set size m' },
  batchSize: { flag: '--batch-size', what: 'the minibatch size B' },
  lr: { flag: '--lr', what: 'the learning rate η' },
};

/** Extra advice appended when a value is missing, so the user knows what to pass. */
const HINTS: Partial<Record<NeededValue, string>> = {
  batchSize:
    "scikit-learn's default batch_size='auto' is min(200, m); with solver='lbfgs' every step uses the whole set, so B = m.",
};

/**
 * The error for missing context values: "<purpose> needs --batch-size (the minibatch size B): α = λ·B/m."
 * Several fields are listed together ("needs --m (…) and --batch-size (…)") so one run reports them all.
 */
export function missingValue(fields: NeededValue | readonly NeededValue[], purpose: string, formula: string): InvalidOptionError {
  const list = typeof fields === 'string' ? [fields] : fields;
  const named = list.map((f) => `${NEEDED[f].flag} (${NEEDED[f].what})`).join(' and ');
  const hints = list.map((f) => HINTS[f]).filter((h): h is string => h !== undefined);
  return new InvalidOptionError(`${purpose} needs ${named}: ${formula}.${hints.map((h) => ` ${h}`).join('')}`);
}

/** Reads a context value a convention's formula needs; throws the missing-value error when absent. */
export function need(ctx: ConversionContext, field: NeededValue, purpose: string, formula: string): number {
  const v = ctx[field];
  if (v === undefined) throw missingValue(field, purpose, formula);
  return v;
}

function rangeError(option: string, range: string, got: unknown, why = ''): InvalidOptionError {
  return new InvalidOptionError(`The '${option}' option of convert must be ${range}${why}. Got ${String(got)} instead.`);
}

/** Rejects context fields that are present but invalid; absent fields are left for the formulas to ask for. */
export function validateContext(ctx: ConversionContext): void {
  const { m, batchSize, lr, optimizer, noisePrecision } = ctx;
  if (m !== undefined && !(Number.isInteger(m) && m >= 1)) throw rangeError('m', 'an integer in [1, ∞)', m, ' (the training-set size)');
  if (batchSize !== undefined) {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw rangeError('batch-size', 'an integer in [1, ∞)', batchSize, ' (the minibatch size)');
    }
    if (m !== undefined && batchSize > m) {
      throw new InvalidOptionError(
        `The minibatch size cannot exceed the training-set size: got --batch-size ${batchSize} with --m ${m}. ` +
          `Pass --batch-size ${m} for full-batch training (scikit-learn clips batch_size to m).`,
      );
    }
  }
  if (lr !== undefined && !(Number.isFinite(lr) && lr > 0)) throw rangeError('lr', 'a number in (0, ∞)', lr, ' (the learning rate)');
  if (noisePrecision !== undefined && !(Number.isFinite(noisePrecision) && noisePrecision > 0)) {
    throw rangeError('noise-precision', 'a number in (0, ∞)', noisePrecision, ' (β, the inverse noise variance)');
  }
  if (optimizer !== undefined && !OPTIMIZERS.includes(optimizer)) {
    throw new InvalidOptionError(
      `Unknown optimizer '${String(optimizer)}'. Known optimizers: ${OPTIMIZERS.join(', ')}.`,
    );
  }
}

/** Rejects a value outside the convention's range (negative, NaN, ±∞; C = 0 for sklearn-logistic). */
export function validateValue(value: number, convention: Convention): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (convention.range === '[0, ∞)' ? value >= 0 : value > 0);
  if (ok) return;
  const why =
    convention.id === 'sklearn-logistic'
      ? ` (${convention.symbol} = 1/λ; C = 0 would be an infinite penalty)`
      : ` (${convention.id}'s ${convention.symbol})`;
  throw rangeError('lambda', `a number in ${convention.range}`, value, why);
}
