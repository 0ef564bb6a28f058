/** Successive halving and asynchronous successive halving (ASHA) over training epochs: which λ trials keep training. */

import { InvalidDataError, InvalidOptionError } from '../errors.js';

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

/** Options of {@link AshaScheduler}: the rungs come from {@link rungSchedule}. */
export interface HalvingOptions {
  /** Epochs of the first rung, an integer in [1, ∞). */
  minEpochs: number;
  /** Epochs of the last rung, an integer in [minEpochs, ∞). */
  maxEpochs: number;
  /** Reduction factor η in (1, ∞) (default 3): each rung keeps the best 1/η. */
  eta?: number;
}

/** One unit of work: train trial `id` until `epochs` (it already has `fromEpochs` from its previous rung, 0 at rung 0). */
export interface HalvingJob {
  id: number;
  rung: number;
  epochs: number;
  fromEpochs: number;
}

/** The best trial so far: the lowest finite value at the highest rung that has one. */
export interface HalvingBest {
  id: number;
  rung: number;
  epochs: number;
  value: number;
}

/** A result as stored in JSON: a non-finite value (which JSON cannot hold) is `null`. */
interface StoredResult {
  id: number;
  value: number | null;
}

const store = (r: RungResult): StoredResult => ({ id: r.id, value: Number.isFinite(r.value) ? r.value : null });
const load = (r: StoredResult): RungResult => ({ id: r.id, value: r.value ?? NaN });

function bestOf(rungs: readonly number[], results: readonly RungResult[][]): HalvingBest | undefined {
  for (let k = results.length - 1; k >= 0; k--) {
    const top = rank(results[k])[0];
    if (top !== undefined && Number.isFinite(top.value)) return { id: top.id, rung: k, epochs: rungs[k], value: top.value };
  }
  return undefined;
}

/** The halving options that rebuild a stored schedule, after checking that they give back the same rungs. */
function optionsFromState(state: { rungs: number[]; eta: number }, owner: string): HalvingOptions {
  const options = { minEpochs: state.rungs[0], maxEpochs: state.rungs[state.rungs.length - 1], eta: state.eta };
  const again = rungSchedule(options.minEpochs, options.maxEpochs, options.eta);
  if (again.length !== state.rungs.length || again.some((e, k) => e !== state.rungs[k])) {
    throw new InvalidDataError(`${owner}: the stored rungs [${state.rungs.join(', ')}] do not match rungSchedule for eta = ${state.eta} ([${again.join(', ')}]); the state was edited or written by another version of l2lab.`);
  }
  return options;
}

function checkValue(value: unknown, owner: string): number {
  if (typeof value !== 'number') throw new InvalidOptionError(`The value reported to ${owner} must be a number (NaN or ±Infinity for a diverged trial). Got ${String(value)} instead.`);
  return value;
}

/** What {@link AshaScheduler.nextJob} says to do next. */
export type AshaDecision =
  | ({ kind: 'start' } & HalvingJob)
  | ({ kind: 'promote' } & HalvingJob)
  /** Nothing can start now, but running jobs may still open a promotion: ask again after the next report. */
  | { kind: 'wait' }
  | { kind: 'done' };

/** Options of {@link AshaScheduler}. */
export interface AshaOptions extends HalvingOptions {
  /** How many configs to start in all, an integer in [1, ∞). */
  maxTrials: number;
}

/** Plain-JSON state of an {@link AshaScheduler}. */
export interface AshaState {
  kind: 'asha';
  version: 1;
  eta: number;
  rungs: number[];
  maxTrials: number;
  /** Configs started so far; trial ids are 0…started − 1. */
  started: number;
  /** Completed results per rung. */
  results: StoredResult[][];
  /** Ids promoted out of each rung. */
  promoted: number[][];
  /** Jobs handed out and not yet reported. */
  running: { id: number; rung: number }[];
}

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter
 * Tuning", MLSys 2020, Algorithm 2) with epochs as the budget. Each call to {@link nextJob} looks
 * from the second-highest rung down for a trial in the top ⌊n/η⌋ of its rung's n completed results
 * that was not promoted yet, and promotes it; failing that it starts a new config at rung 0. No
 * worker ever waits for a rung to fill, so a slow or crashed trial holds nobody up.
 *
 * Two additions to the paper's unbounded loop: at most `maxTrials` configs start, and once they all
 * have, each rung promotes at least its best (as synchronous halving does), so the best config
 * reaches `maxEpochs`. Then it answers `done`. Diverged trials (non-finite value) are never promoted.
 *
 * The caller picks each new config (e.g. from a sampler) when told `start`, and keys it by the
 * job's `id`. State is plain JSON ({@link toJSON} / {@link AshaScheduler.fromJSON}).
 *
 * @example
 * const asha = new AshaScheduler({ minEpochs: 1, maxEpochs: 27, maxTrials: 30 });
 * const job = asha.nextJob(); // { kind: 'start', id: 0, rung: 0, epochs: 1, fromEpochs: 0 }
 * asha.report(job.id, job.rung, 0.42);
 */
export class AshaScheduler {
  private readonly eta: number;
  private readonly rungs: number[];
  private readonly maxTrials: number;
  private started = 0;
  private readonly results: RungResult[][];
  private readonly promoted: Set<number>[];
  private running: { id: number; rung: number }[] = [];

  constructor(options: AshaOptions) {
    if (!(Number.isInteger(options.maxTrials) && options.maxTrials >= 1)) {
      throw new InvalidOptionError(`The 'maxTrials' option of AshaScheduler must be an integer in [1, ∞). Got ${String(options.maxTrials)} instead.`);
    }
    this.eta = options.eta ?? 3;
    this.rungs = rungSchedule(options.minEpochs, options.maxEpochs, this.eta);
    this.maxTrials = options.maxTrials;
    this.results = this.rungs.map(() => []);
    this.promoted = this.rungs.map(() => new Set<number>());
  }

  /** Epoch budget of each rung. */
  get schedule(): readonly number[] {
    return this.rungs;
  }

  /** The next job, now counted as running: a promotion if one is due, else a new config, else `wait` or `done`. */
  nextJob(): AshaDecision {
    const draining = this.started >= this.maxTrials;
    for (let k = this.rungs.length - 2; k >= 0; k--) {
      const quota = Math.floor(this.results[k].length / this.eta);
      const top = rank(this.results[k]).slice(0, draining ? Math.max(1, quota) : quota);
      const next = top.find((r) => Number.isFinite(r.value) && !this.promoted[k].has(r.id));
      if (next !== undefined) {
        this.promoted[k].add(next.id);
        this.running.push({ id: next.id, rung: k + 1 });
        return { kind: 'promote', id: next.id, rung: k + 1, epochs: this.rungs[k + 1], fromEpochs: this.rungs[k] };
      }
    }
    if (!draining) {
      const id = this.started++;
      this.running.push({ id, rung: 0 });
      return { kind: 'start', id, rung: 0, epochs: this.rungs[0], fromEpochs: 0 };
    }
    return this.running.length > 0 ? { kind: 'wait' } : { kind: 'done' };
  }

  /** Records the validation loss of a running job (NaN or ±Infinity for a diverged trial). */
  report(id: number, rung: number, value: number): void {
    const v = checkValue(value, 'AshaScheduler.report');
    const i = this.running.findIndex((r) => r.id === id && r.rung === rung);
    if (i < 0) {
      const list = this.running.map((r) => `${r.id}@${r.rung}`).join(', ');
      throw new InvalidOptionError(`AshaScheduler.report: trial ${id} has no running job at rung ${rung} (running, as id@rung: [${list}]). Report only jobs from nextJob(), once each.`);
    }
    this.running.splice(i, 1);
    this.results[rung].push({ id, value: v });
  }

  /** Completed results of rung `k` in the order reported. */
  resultsAt(k: number): RungResult[] {
    return (this.results[k] ?? []).map((r) => ({ ...r }));
  }

  /** The lowest finite value at the highest rung that has one; `undefined` before any finite result. */
  best(): HalvingBest | undefined {
    return bestOf(this.rungs, this.results);
  }

  toJSON(): AshaState {
    return {
      kind: 'asha', version: 1, eta: this.eta, rungs: [...this.rungs], maxTrials: this.maxTrials, started: this.started,
      results: this.results.map((rs) => rs.map(store)), promoted: this.promoted.map((s) => [...s]),
      running: this.running.map((r) => ({ ...r })),
    };
  }

  /** Rebuilds a scheduler from {@link toJSON}'s output (after a JSON round trip). */
  static fromJSON(state: AshaState): AshaScheduler {
    if (state?.kind !== 'asha' || state.version !== 1) {
      throw new InvalidDataError(`AshaScheduler.fromJSON: expected a state with kind 'asha' and version 1. Got kind ${String(state?.kind)}, version ${String(state?.version)} instead.`);
    }
    const asha = new AshaScheduler({ ...optionsFromState(state, 'AshaScheduler.fromJSON'), maxTrials: state.maxTrials });
    asha.started = state.started;
    state.results.forEach((rs, k) => asha.results[k].push(...rs.map(load)));
    state.promoted.forEach((ids, k) => ids.forEach((id) => asha.promoted[k].add(id)));
    asha.running = state.running.map((r) => ({ ...r }));
    return asha;
  }
}
