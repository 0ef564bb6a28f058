/** A two-stage bootstrap over settings and the seeds within each, for intervals on fits to atlas cells. */
import { InvalidOptionError } from '../../errors.js';
import { Rng } from '../../util/rng.js';

export interface BootstrapOptions {
  /** Resamples drawn. Default 2000; an integer ≥ 100. */
  resamples?: number;
  /** Seed of the resampling. Default 0. */
  seed?: number;
  /** Coverage of the percentile interval, in (0, 1). Default 0.95. */
  level?: number;
}

export interface BootstrapResult {
  /** The statistic on the data as given (null when it cannot be computed there). */
  estimate: number[] | null;
  /** Per component of the statistic: the percentile interval [lo, hi] over the resamples, null when none could compute it. */
  intervals: ([number, number] | null)[];
  /** Resamples whose statistic could be computed (the others, e.g. a resample with a single P, are left out). */
  used: number;
  resamples: number;
  level: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, linear between order statistics. */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  return i + 1 < sorted.length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/**
 * Bootstraps `statistic` over grouped data: each resample draws as many groups as there are, with
 * replacement, then within each drawn group as many members as it has, with replacement — the
 * two-stage scheme for hierarchical data (Davison & Hinkley 1997, §3.8), here settings (dataset,
 * model, m) and the seeds of each. Resampling the seeds too lets the interval carry the seed noise
 * of λ*, which a resample of settings alone would hide when a setting has several seeds. The
 * interval is the percentile interval. `statistic` returns null for a resample where it is not
 * defined; such resamples are counted out.
 *
 * @example bootstrap([[a0, a1], [b0, b1], [c0, c1]], (pts) => [slopeOf(pts)], { resamples: 2000 })
 */
export function bootstrap<T>(groups: readonly (readonly T[])[], statistic: (sample: T[]) => number[] | null, options: BootstrapOptions = {}): BootstrapResult {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  if (!(Number.isInteger(resamples) && resamples >= 100)) throw new InvalidOptionError(`The 'resamples' option of bootstrap must be an integer in [100, ∞). Got ${resamples} instead.`);
  if (!(level > 0 && level < 1)) throw new InvalidOptionError(`The 'level' option of bootstrap must be a number in (0, 1). Got ${level} instead.`);
  const nonEmpty = groups.filter((g) => g.length > 0);
  const estimate = nonEmpty.length > 0 ? statistic(nonEmpty.flat()) : null;
  const rng = new Rng(options.seed ?? 0);
  const draws: number[][] = [];
  for (let r = 0; r < resamples && nonEmpty.length > 0; r++) {
    const sample: T[] = [];
    for (let g = 0; g < nonEmpty.length; g++) {
      const group = nonEmpty[rng.int(nonEmpty.length)];
      for (let k = 0; k < group.length; k++) sample.push(group[rng.int(group.length)]);
    }
    const s = statistic(sample);
    if (s !== null && s.every(Number.isFinite)) draws.push(s);
  }
  const components = estimate?.length ?? draws[0]?.length ?? 0;
  const tail = (1 - level) / 2;
  const intervals = Array.from({ length: components }, (_, j): [number, number] | null => {
    if (draws.length === 0) return null;
    const sorted = draws.map((d) => d[j]).sort((a, b) => a - b);
    return [quantile(sorted, tail), quantile(sorted, 1 - tail)];
  });
  return { estimate, intervals, used: draws.length, resamples, level };
}
