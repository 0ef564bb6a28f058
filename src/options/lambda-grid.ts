/** Parses the λ grids a user writes on the command line: `--lambdas 0.01,0.1,1`, `--lambdas 0.01:0.4:0.01`, `--log-range 1e-4:1:9`. */

import { InvalidOptionError } from '../errors.js';
import { logSpace } from '../linalg/log-space.js';

/** n log-spaced λ from lo to hi (`--log-range lo:hi:n`). */
export interface LogRange {
  lo: number;
  hi: number;
  n: number;
}

/** The most λ values one spec may produce: each λ trains at least one model. */
export const MAX_GRID_VALUES = 10_000;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fail(option: string, spec: string, problem: string, example: string): InvalidOptionError {
  return new InvalidOptionError(`Invalid ${option} '${spec}': ${problem}. ${example}`);
}

/** Parses one field as a plain decimal number (no hex, no `Infinity`; an empty field is an error, not 0). */
function field(text: string, what: string, option: string, spec: string, example: string): number {
  const t = text.trim();
  const v = NUMBER.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v)) throw fail(option, spec, `the ${what} '${text}' is not a number`, example);
  return v;
}

/** Fewest decimals (0–20) that print `x` exactly, e.g. 2 for 0.01, 0 for 5, 5 for 1e-5. */
function decimalsOf(x: number): number {
  for (let d = 0; d <= 20; d++) if (Number(x.toFixed(d)) === x) return d;
  return 20;
}

const LAMBDAS_EXAMPLE = 'Write a comma list such as --lambdas 0.01,0.1,1 or an inclusive range start:end:step such as --lambdas 0.01:0.4:0.01.';
const LOG_EXAMPLE = 'Write lo:hi:n with 0 < lo < hi and an integer n ≥ 2, such as --log-range 1e-4:1:9 (9 values, 2 per decade).';

/**
 * Parses a `--lambdas` spec into λ values, each in [0, ∞).
 *
 * - A comma list `"0.01,0.1,1"` gives those values in the order written (no duplicates).
 * - An inclusive arithmetic range `"start:end:step"` gives start, start + step, … up to end,
 *   each rounded to the decimals of start and step so floating-point drift never shows:
 *   `"0.01:0.4:0.01"` gives exactly the 40 values 0.01, 0.02, …, 0.4 (never 0.30000000000000004).
 *   `end` is included when it lies on the grid (within 1e-9 of a step).
 *
 * @throws InvalidOptionError for a value that is not a number or is negative, a step ≤ 0, an end
 *   below the start, a duplicate, or more than {@link MAX_GRID_VALUES} values; the message names
 *   the option, the bad text and a valid example.
 *
 * @example
 * parseLambdas('0,0.01,0.1'); // [0, 0.01, 0.1]
 * parseLambdas('0.01:0.4:0.01').length; // 40
 */
export function parseLambdas(spec: string): number[] {
  const option = '--lambdas';
  if (typeof spec !== 'string' || spec.trim() === '') throw fail(option, String(spec), 'the spec is empty', LAMBDAS_EXAMPLE);
  if (spec.includes(':')) return parseArithmetic(spec, option);

  const parts = spec.split(',');
  if (parts.length > MAX_GRID_VALUES) {
    throw fail(option, spec, `it lists ${parts.length} values, more than the ${MAX_GRID_VALUES} allowed`, LAMBDAS_EXAMPLE);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  for (const p of parts) {
    if (p.trim() === '') throw fail(option, spec, 'it has an empty entry (two commas in a row, or a trailing comma)', LAMBDAS_EXAMPLE);
    const v = field(p, 'value', option, spec, LAMBDAS_EXAMPLE);
    if (v < 0) throw fail(option, spec, `the value ${p.trim()} is negative, and λ must be in [0, ∞)`, LAMBDAS_EXAMPLE);
    if (seen.has(v)) throw fail(option, spec, `the value ${p.trim()} appears twice`, LAMBDAS_EXAMPLE);
    seen.add(v);
    out.push(v);
  }
  return out;
}

function parseArithmetic(spec: string, option: string): number[] {
  const parts = spec.split(':');
  if (parts.length !== 3) throw fail(option, spec, `a range has 3 fields start:end:step, this one has ${parts.length}`, LAMBDAS_EXAMPLE);
  const start = field(parts[0], 'start', option, spec, LAMBDAS_EXAMPLE);
  const end = field(parts[1], 'end', option, spec, LAMBDAS_EXAMPLE);
  const step = field(parts[2], 'step', option, spec, LAMBDAS_EXAMPLE);
  if (start < 0) throw fail(option, spec, `the start ${parts[0].trim()} is negative, and λ must be in [0, ∞)`, LAMBDAS_EXAMPLE);
  if (!(step > 0)) throw fail(option, spec, `the step ${parts[2].trim()} must be > 0`, LAMBDAS_EXAMPLE);
  if (end < start) throw fail(option, spec, `the end ${parts[1].trim()} is below the start ${parts[0].trim()}`, LAMBDAS_EXAMPLE);

  const q = (end - start) / step;
  // Tolerate drift in the division: (0.4 − 0.01)/0.01 = 38.99999999999999 must count 39 steps.
  const steps = Math.abs(q - Math.round(q)) <= 1e-9 * Math.max(1, q) ? Math.round(q) : Math.floor(q);
  if (steps + 1 > MAX_GRID_VALUES) {
    throw fail(option, spec, `it gives ${steps + 1} values, more than the ${MAX_GRID_VALUES} allowed; use a larger step`, LAMBDAS_EXAMPLE);
  }
  const decimals = Math.max(decimalsOf(start), decimalsOf(step));
  const out = new Array<number>(steps + 1);
  for (let i = 0; i <= steps; i++) out[i] = Number((start + i * step).toFixed(decimals));
  return out;
}

/**
 * Parses a `--log-range` spec `"lo:hi:n"` into n values from lo to hi (both included), evenly
 * spaced in log scale (numpy's `geomspace`; see {@link logSpace}), rounded to 12 significant digits.
 *
 * @throws InvalidOptionError for a field that is not a number, lo ≤ 0, hi ≤ lo, n not an integer
 *   ≥ 2, or n > {@link MAX_GRID_VALUES}; the message names the option, the bad text and a valid example.
 *
 * @example
 * parseLogRange('1e-4:1:5'); // [0.0001, 0.001, 0.01, 0.1, 1]
 */
export function parseLogRange(spec: string): number[] {
  const option = '--log-range';
  if (typeof spec !== 'string' || spec.trim() === '') throw fail(option, String(spec), 'the spec is empty', LOG_EXAMPLE);
  const parts = spec.split(':');
  if (parts.length !== 3) throw fail(option, spec, `it needs 3 fields lo:hi:n, this one has ${parts.length}`, LOG_EXAMPLE);
  const lo = field(parts[0], 'lo', option, spec, LOG_EXAMPLE);
  const hi = field(parts[1], 'hi', option, spec, LOG_EXAMPLE);
  const n = field(parts[2], 'count n', option, spec, LOG_EXAMPLE);
  if (!(lo > 0)) throw fail(option, spec, `lo = ${parts[0].trim()} must be > 0 on a log scale (to include λ = 0, use --lambdas 0,…)`, LOG_EXAMPLE);
  if (!(hi > lo)) throw fail(option, spec, `hi = ${parts[1].trim()} must be larger than lo = ${parts[0].trim()}`, LOG_EXAMPLE);
  if (!(Number.isInteger(n) && n >= 2)) throw fail(option, spec, `the count n = ${parts[2].trim()} must be an integer ≥ 2`, LOG_EXAMPLE);
  if (n > MAX_GRID_VALUES) throw fail(option, spec, `n = ${n} is more than the ${MAX_GRID_VALUES} values allowed`, LOG_EXAMPLE);
  // 12 significant digits: the grid reads 0.001, not 0.0010000000000000002, in tables and the study store.
  return logSpace(lo, hi, n).map((v) => Number(v.toPrecision(12)));
}
