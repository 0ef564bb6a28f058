/** Checks one feature or target value (CSV text or JSON value) and converts it to a finite float32. */
import type { IssueLog } from './issue-log.js';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const FLOAT32_MAX = 3.4028234663852886e38;

/** The number a plain decimal literal ("-1.5e3") spells, else undefined ("0x10", "NaN", "", "abc"). */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : undefined;
}

/** True for the spellings of NaN and infinity that spreadsheets and NumPy write. */
export function isNonFiniteLiteral(text: string): boolean {
  return NON_FINITE.test(text.trim());
}

/**
 * Parses a CSV field; on a bad value reports it at `where()` (e.g. "a.csv, line 3, column 2 ('age')")
 * and returns NaN. `where` is a function so that good values never pay for building the message.
 */
export function parseField(text: string, where: () => string, log: IssueLog): number {
  const t = text.trim();
  if (DECIMAL.test(t)) return checkRange(Number(t), where, log);
  if (t === '') {
    log.add(`${where()}: value is empty. Fill in the missing value (for example with the column mean) or drop the row.`);
  } else if (NON_FINITE.test(t)) {
    log.add(`${where()}: "${t}" is not a finite number. Replace it with a finite value (for example the column mean) or drop the row.`);
  } else {
    log.add(
      `${where()}: "${t}" is not a number. Features must be numeric: fix the value, or encode the column as numbers (e.g. one-hot) or drop it before loading.`,
    );
  }
  return NaN;
}

/** Checks a JSON value the same way as `parseField` (JSON has no NaN, but 1e999 parses to Infinity). */
export function checkNumber(value: unknown, where: () => string, log: IssueLog): number {
  if (typeof value !== 'number') {
    log.add(`${where()}: ${JSON.stringify(value) ?? String(value)} is not a number. Write every feature as a JSON number.`);
    return NaN;
  }
  if (!Number.isFinite(value)) {
    log.add(`${where()}: ${value} is not a finite number. Replace it with a finite value or drop the sample.`);
    return NaN;
  }
  return checkRange(value, where, log);
}

function checkRange(v: number, where: () => string, log: IssueLog): number {
  if (Math.abs(v) > FLOAT32_MAX) {
    log.add(`${where()}: ${v} is outside the float32 range (±3.4e38). Rescale the column (e.g. take its logarithm) before loading.`);
    return NaN;
  }
  return v;
}
