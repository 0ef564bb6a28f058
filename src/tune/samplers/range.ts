/** Range diagnosis: is the best λ at an edge of the grid tried, and which λ to try next beyond it. */

import { InvalidOptionError } from '../../errors.js';

/** Which end of the grid the best λ sits on. */
export type Edge = 'low' | 'high';

/** A λ tried (a failed or diverged one too: see {@link edgeOf}). */
export interface TriedLambda {
  lambda: number;
  mean?: number;
}

/** Options of {@link extendLogRange}. */
export interface ExtendOptions {
  /**
   * How far past the edge one extension reaches, as a ratio in (1, ∞) (default 10: one decade,
   * enough to see the curve turn for most nets while costing only a few trials at a grid's usual
   * 3–10 points per decade).
   */
  factor?: number;
  /**
   * The λ values never to go past, `[lo, hi]` with 0 < lo < hi (default `[1e-8, 1e8]`: below 1e-8
   * an L2 penalty is numerically invisible next to float32 weights; above 1e8 every weight is ≈ 0).
   */
  limits?: readonly [number, number];
}


/**
 * `'low'` when λ_min is the smallest λ tried, `'high'` when it is the largest, otherwise
 * `undefined` — the warning scikit-learn users ask for in issue #16398 ("warn when the best alpha
 * is at the boundary of the grid"). Failed trials count as tried: a λ that diverged is worse than
 * λ_min, so it bounds the range on its side. With fewer than two λ tried there is no range to judge,
 * and the answer is `undefined`.
 *
 * @example
 * edgeOf([{ lambda: 0.01 }, { lambda: 0.1 }, { lambda: 1 }], 1); // 'high'
 */
export function edgeOf(points: readonly TriedLambda[], lambdaMin: number): Edge | undefined {
  const ls = points.map((p) => p.lambda);
  if (ls.length < 2) return undefined;
  const lo = Math.min(...ls);
  const hi = Math.max(...ls);
  if (lo === hi) return undefined;
  if (lambdaMin <= lo) return 'low';
  if (lambdaMin >= hi) return 'high';
  return undefined;
}

/** Rounds to 12 significant digits, so 10^(−1.25) prints as 0.0562341325190, not with float noise. */
const tidy = (v: number): number => Number(v.toPrecision(12));

/**
 * The new λ values to try past `edge` of a grid: they continue the grid's log spacing beyond its
 * smallest positive λ (`'low'`) or its largest (`'high'`) for one `factor` (default one decade),
 * stopping at `limits`. Returns `[]` when the edge is already at the limit.
 *
 * The spacing is the grid's mean step in log λ, (log λ_max − log λ_min)/(m − 1) over its m positive
 * values (exact for a log grid); with a single positive λ it is a third of a decade. λ = 0 is never
 * extended from: below the smallest positive λ the log axis continues towards 0.
 *
 * @example
 * extendLogRange([0.1, 1, 10], 'high'); // [31.6227766017, 100]
 */
export function extendLogRange(lambdas: readonly number[], edge: Edge, options: ExtendOptions = {}): number[] {
  const factor = options.factor ?? 10;
  const limits = options.limits ?? [1e-8, 1e8];
  if (!(Number.isFinite(factor) && factor > 1)) {
    throw new InvalidOptionError(`The 'factor' option of extendLogRange must be a number in (1, ∞): 10 extends by one decade. Got ${String(factor)} instead.`);
  }
  if (!(Array.isArray(limits) && limits.length === 2 && limits[0] > 0 && limits[1] > limits[0] && Number.isFinite(limits[1]))) {
    throw new InvalidOptionError(`The 'limits' option of extendLogRange must be [lo, hi] with 0 < lo < hi < ∞, e.g. [1e-8, 1e8]. Got ${JSON.stringify(limits)} instead.`);
  }
  if (edge !== 'low' && edge !== 'high') {
    throw new InvalidOptionError(`The 'edge' of extendLogRange must be 'low' or 'high'. Got ${String(edge)} instead.`);
  }
  const pos = lambdas.filter((l) => Number.isFinite(l) && l > 0);
  if (pos.length === 0) {
    throw new InvalidOptionError(`extendLogRange needs at least one λ > 0 to continue a log grid. Got [${lambdas.join(', ')}] instead.`);
  }
  const lmin = Math.log10(Math.min(...pos));
  const lmax = Math.log10(Math.max(...pos));
  const step = pos.length > 1 && lmax > lmin ? (lmax - lmin) / (pos.length - 1) : 1 / 3;
  const count = Math.max(1, Math.round(Math.log10(factor) / step));
  const from = edge === 'high' ? lmax : lmin;
  const dir = edge === 'high' ? 1 : -1;
  const out: number[] = [];
  for (let k = 1; k <= count; k++) {
    const v = tidy(10 ** (from + dir * k * step));
    // Relative slack so a grid ending exactly on a limit (1e8) does not sneak one more value in or lose its last.
    if (edge === 'high' ? v > limits[1] * (1 + 1e-9) : v < limits[0] * (1 - 1e-9)) break;
    out.push(v);
  }
  return out;
}

const fmt = (v: number): string => String(tidy(v));

/**
 * The CLI's warning for a best λ at an edge of the grid, with a `--log-range` that puts λ_min
 * inside: for `'high'` it runs from the power of 10 at or below λ_min up two decades, for
 * `'low'` from two decades below the power of 10 at or above λ_min up to it, 4 points per decade.
 * When λ_min = 0 (no penalty at all) it suggests small positive λ below the smallest one tried.
 *
 * @param lambdas The λ values tried (used only when λ_min = 0, to place the suggestion).
 *
 * @example
 * describeEdge('high', 0.4);
 * // "λ_min = 0.4 is the largest λ tried: the best λ may be larger. Extend the range, e.g. --log-range 0.1:10:9"
 */
export function describeEdge(edge: Edge, lambdaMin: number, lambdas: readonly number[] = []): string {
  if (edge === 'high') {
    const lo = 10 ** Math.floor(Math.log10(lambdaMin) + 1e-9);
    return `λ_min = ${fmt(lambdaMin)} is the largest λ tried: the best λ may be larger. Extend the range, e.g. --log-range ${fmt(lo)}:${fmt(lo * 100)}:9`;
  }
  if (lambdaMin === 0) {
    const pos = lambdas.filter((l) => l > 0);
    const hi = pos.length > 0 ? Math.min(...pos) : 1e-2;
    const which = pos.length > 0 ? `the smallest positive λ tried (${fmt(hi)})` : 'every positive λ tried';
    return `λ_min = 0 (no penalty) is the smallest λ tried: L2 may not help this model at this data size, or ${which} is already too large. Check smaller ones, e.g. --log-range ${fmt(hi / 1e4)}:${fmt(hi)}:17`;
  }
  const hi = 10 ** Math.ceil(Math.log10(lambdaMin) - 1e-9);
  return `λ_min = ${fmt(lambdaMin)} is the smallest λ tried: the best λ may be smaller. Extend the range, e.g. --log-range ${fmt(hi / 100)}:${fmt(hi)}:9`;
}
