/** Successive halving over training epochs: the rung budgets and which λ trials keep training. */

import { InvalidOptionError } from '../../errors.js';

/** One trial's validation loss at a rung (lower is better; NaN or ±∞ for a diverged trial). */
export interface RungResult<Id extends string | number = number> {
  id: Id;
  value: number;
}

function checkEta(eta: number, owner: string): void {
  if (!(Number.isFinite(eta) && eta > 1)) {
    throw new InvalidOptionError(`The 'eta' option of ${owner} must be a number in (1, ∞): each rung keeps the best 1/eta (3 is usual). Got ${String(eta)} instead.`);
  }
}

function checkEpochs(minEpochs: number, maxEpochs: number, owner: string): void {
  if (!(Number.isInteger(minEpochs) && minEpochs >= 1)) {
    throw new InvalidOptionError(`The 'minEpochs' option of ${owner} must be an integer in [1, ∞). Got ${String(minEpochs)} instead.`);
  }
  if (!(Number.isInteger(maxEpochs) && maxEpochs >= minEpochs)) {
    throw new InvalidOptionError(`The 'maxEpochs' option of ${owner} must be an integer ≥ minEpochs = ${minEpochs}. Got ${String(maxEpochs)} instead.`);
  }
}

/**
 * The epoch budget of each rung, anchored at the top as Hyperband's most aggressive bracket is
 * (Li et al., "Hyperband", JMLR 18(185), 2018, Algorithm 1 with s = s_max): rung i trains for
 * round(maxEpochs · η^(i − s)) epochs, i = 0…s, where s = ⌊log_η(maxEpochs / minEpochs)⌋, so the
 * last rung is exactly `maxEpochs` and the first is ≥ `minEpochs`. Equal budgets after rounding
 * (η close to 1) are merged.
 *
 * @param minEpochs Smallest budget, an integer in [1, ∞).
 * @param maxEpochs Largest budget, an integer in [minEpochs, ∞).
 * @param eta Reduction factor η in (1, ∞) (default 3).
 *
 * @example
 * rungSchedule(1, 27); // [1, 3, 9, 27]
 * rungSchedule(1, 30); // [1, 3, 10, 30]
 */
export function rungSchedule(minEpochs: number, maxEpochs: number, eta = 3): number[] {
  checkEpochs(minEpochs, maxEpochs, 'rungSchedule');
  checkEta(eta, 'rungSchedule');
  // 1e-9 slack: log(27)/log(3) = 3.0000000000000004 or 2.9999999999999996 must both give 3.
  const s = Math.floor(Math.log(maxEpochs / minEpochs) / Math.log(eta) + 1e-9);
  const out: number[] = [];
  for (let i = 0; i <= s; i++) {
    const e = Math.max(minEpochs, Math.round(maxEpochs * eta ** (i - s)));
    if (out.length === 0 || e > out[out.length - 1]) out.push(e);
  }
  return out;
}

/** Best first: finite values ascending, then non-finite ones (diverged); ties by id, numbers numerically. */
function rank<Id extends string | number>(results: readonly RungResult<Id>[]): RungResult<Id>[] {
  const byId = (a: Id, b: Id): number =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return [...results].sort((a, b) => {
    const fa = Number.isFinite(a.value);
    const fb = Number.isFinite(b.value);
    if (fa !== fb) return fa ? -1 : 1;
    if (fa && a.value !== b.value) return a.value - b.value;
    return byId(a.id, b.id);
  });
}

/**
 * The trials of a finished rung that continue to the next (successive halving, Jamieson &
 * Talwalkar, "Non-stochastic best arm identification and hyperparameter optimization", AISTATS
 * 2016): the best ⌊n/η⌋ of the n results, at least 1, best first. Ties are broken by id (numbers
 * numerically, strings lexically) so the choice is deterministic. A non-finite value (a diverged
 * trial) ranks last and is never promoted: more epochs do not bring a NaN loss back.
 *
 * @example
 * promote([{ id: 0, value: 0.5 }, { id: 1, value: 0.2 }, { id: 2, value: NaN }], 3); // [1]
 */
export function promote<Id extends string | number>(results: readonly RungResult<Id>[], eta = 3): Id[] {
  checkEta(eta, 'promote');
  const keep = Math.max(1, Math.floor(results.length / eta));
  return rank(results)
    .slice(0, keep)
    .filter((r) => Number.isFinite(r.value))
    .map((r) => r.id);
}

/** One trial's result at a rung with its λ's decay timescale τ in epochs (see {@link promoteActed}). */
export interface TimedRungResult<Id extends string | number = number> extends RungResult<Id> {
  tau: number;
}

/**
 * {@link promote} that judges a λ only once it had time to act (τ ≤ the rung's `budget` epochs):
 * before that its curve is the λ → 0 curve, and ranking such trials ranks noise (why 1-epoch rungs
 * kept the small λ). So each rung sorts its trials into three groups:
 * - acted (τ ≤ budget): the best ⌊n/η⌋ of them go on, at least one, as in {@link promote};
 * - acting later (budget < τ ≤ maxEpochs): all go on, unjudged;
 * - never acting within `maxEpochs` (τ > maxEpochs, or no τ): they are one model trained under
 *   several names, so one goes on, the largest λ (smallest τ: the closest to acting), unless diverged.
 * Order: acted best first, then the others by id.
 *
 * @example
 * // budget 1 of 20 epochs: τ 0.5 and 0.4 acted (keep the better), τ 8 acts later, τ 500 and 900 never act (keep τ 500)
 * promoteActed([{ id: 0, value: 0.3, tau: 0.5 }, { id: 1, value: 0.4, tau: 0.4 }, { id: 2, value: 0.2, tau: 8 }, { id: 3, value: 0.1, tau: 500 }, { id: 4, value: 0.1, tau: 900 }], 1, 20, 2); // [0, 2, 3]
 */
export function promoteActed<Id extends string | number>(results: readonly TimedRungResult<Id>[], budget: number, maxEpochs: number, eta = 3): Id[] {
  checkEta(eta, 'promoteActed');
  const acted = results.filter((r) => r.tau <= budget);
  const later = results.filter((r) => r.tau > budget && r.tau <= maxEpochs && Number.isFinite(r.value));
  const idle = results.filter((r) => !(r.tau <= maxEpochs) && Number.isFinite(r.value));
  const closest = idle.reduce<TimedRungResult<Id> | undefined>((a, r) => (a === undefined || (Number.isFinite(r.tau) && !(r.tau >= a.tau)) ? r : a), undefined);
  const rest = rank([...later, ...(closest ? [closest] : [])].map((r) => ({ id: r.id, value: 0 }))).map((r) => r.id);
  return [...(acted.length > 0 ? promote(acted, eta) : []), ...rest];
}
