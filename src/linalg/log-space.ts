/** Log-spaced grids of regularization constants. */
import { InvalidOptionError } from '../errors.js';

/**
 * `n` numbers from `lo` to `hi` (both included), evenly spaced in log scale — numpy's
 * `geomspace(lo, hi, n)`. Unlike `numpy.logspace`, `lo` and `hi` are the values, not exponents.
 *
 * @example
 * logSpace(1e-3, 1e3, 7); // ≈ [0.001, 0.01, 0.1, 1, 10, 100, 1000]
 */
export function logSpace(lo: number, hi: number, n: number): number[] {
  if (!(Number.isFinite(lo) && lo > 0)) throw new InvalidOptionError(`logSpace: 'lo' must be a number in (0, ∞). Got ${lo} instead.`);
  if (!(Number.isFinite(hi) && hi > 0)) throw new InvalidOptionError(`logSpace: 'hi' must be a number in (0, ∞). Got ${hi} instead.`);
  if (!(Number.isInteger(n) && n >= 1)) throw new InvalidOptionError(`logSpace: 'n' must be an integer in [1, ∞). Got ${n} instead.`);
  if (n === 1) return [lo];
  const a = Math.log(lo);
  const step = (Math.log(hi) - a) / (n - 1);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = Math.exp(a + i * step);
  // Exact endpoints, so a grid spanning decades contains its round numbers exactly.
  out[0] = lo;
  out[n - 1] = hi;
  return out;
}
