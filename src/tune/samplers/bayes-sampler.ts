/** Bayesian-optimization sampler for log10 λ: a Gaussian process proposes the λ with the largest expected improvement. */

import { InvalidOptionError, L2labError } from '../../errors.js';
import { Rng } from '../../util/rng.js';
import { GaussianProcess } from './gaussian-process.js';

/** erfc(x) for x ≥ 0 to ≈ 1e-13 relative: a positive-term series below 2, a continued fraction (exact to rounding there) above. */
function erfcPositive(x: number): number {
  if (x < 2) {
    // erf(x) = (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6): no cancellation.
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) (A&S 7.1.14), evaluated bottom-up.
  let f = x;
  for (let k = 100; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** Standard normal cumulative distribution Φ(z), accurate in the far tails (Φ(−8) ≈ 6.2e-16 to full precision). */
export function normalCdf(z: number): number {
  const a = z / Math.SQRT2;
  return a <= 0 ? 0.5 * erfcPositive(-a) : 1 - 0.5 * erfcPositive(a);
}

/** Standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Expected improvement below `best` of y ~ N(mu, sigma²), for minimization (Jones, Schonlau &
 * Welch, "Efficient Global Optimization of Expensive Black-Box Functions", J. Global Optim. 13,
 * 1998, eq. 15): with I = best − mu − xi and z = I/sigma,
 *
 *     EI = I·Φ(z) + sigma·φ(z)          (sigma > 0)
 *     EI = max(I, 0)                    (sigma = 0)
 *
 * @param xi Exploration margin ≥ 0, in units of y (default 0.01): an improvement smaller than xi
 *   counts for nothing, which pushes the search away from the incumbent.
 *
 * @example
 * expectedImprovement(0, 1, 0, 0); // φ(0) ≈ 0.3989
 */
export function expectedImprovement(mu: number, sigma: number, best: number, xi = 0.01): number {
  const imp = best - mu - xi;
  if (!(sigma > 0)) return Math.max(imp, 0);
  const z = imp / sigma;
  return imp * normalCdf(z) + sigma * normalPdf(z);
}

/** One evaluated point: x = log10 λ, y = validation loss (NaN or ±∞ for a failed trial). */
export interface Observation {
  x: number;
  y: number;
}

/** What {@link BayesSampler.propose} suggests. */
export interface Proposal {
  /** The next log10 λ to evaluate. */
  x: number;
  /** Its expected improvement, in units of y. */
  expectedImprovement: number;
  /** The model's mean and standard deviation of y there. */
  mean: number;
  std: number;
}

/** What {@link BayesSampler.noise} reads: the noise's standard deviation (units of y) and, in x, the latent minimum and the stretch around it within that of it. */
export interface NoiseReading {
  std: number;
  x: number;
  lo: number;
  hi: number;
}

/** What {@link BayesSampler.posteriorChoice} chooses: x̂, the process's latent mean there (units of y), and the band [lo, hi] of x it cannot tell above x̂ at `z` standard deviations. */
export interface PosteriorChoice {
  x: number;
  mean: number;
  lo: number;
  hi: number;
  z: number;
}

/** Options of {@link BayesSampler}. */
export interface BayesSamplerOptions {
  /** Lower end of the search interval in log10 λ (e.g. −6 for λ = 1e-6). */
  lo: number;
  /** Upper end in log10 λ, > lo. */
  hi: number;
  /** Seed of the jitter in {@link BayesSampler.initialPoints} (default 0). */
  seed?: number;
  /** Number of evenly spaced candidates over [lo, hi] on which EI is maximized, an integer in [2, ∞) (default 512). */
  candidates?: number;
  /** EI's exploration margin in units of the standard deviation of the observed y, ≥ 0 (default 0.01). */
  xi?: number;
  /**
   * {@link BayesSampler.shouldStop} says stop once the best EI is below tol × (max − min of the
   * observed y), in (0, ∞) (default 1e-3: the best hope left is a thousandth of the spread seen).
   */
  tol?: number;
}

/** Candidates closer than this (in log10 λ) to an observed x are not proposed again. */
const SAME_X = 1e-6;

/**
 * Bayesian optimization of the validation loss over x = log10 λ in [lo, hi] (Snoek, Larochelle &
 * Adams, "Practical Bayesian Optimization of Machine Learning Algorithms", NeurIPS 2012): a
 * {@link GaussianProcess} (Matérn-5/2, hyperparameters by marginal likelihood) models the loss, and
 * the next x maximizes {@link expectedImprovement} over a dense grid of candidates.
 *
 * The sampler keeps no state besides its options: each {@link propose} refits the model to all
 * observations, so a study resumes from its stored trials alone. Failed trials (non-finite y) are
 * modelled as the worst finite y seen, which steers the search away from them without letting an
 * infinite value wreck the fit. Everything is deterministic given the seed.
 *
 * @example
 * const bo = new BayesSampler({ lo: -6, hi: 1 });
 * const obs = bo.initialPoints().map((x) => ({ x, y: validationLoss(10 ** x) }));
 * while (obs.length < 20) {
 *   const p = bo.propose(obs);
 *   if (bo.shouldStop(obs, p.expectedImprovement)) break;
 *   obs.push({ x: p.x, y: validationLoss(10 ** p.x) });
 * }
 */
export class BayesSampler {
  private readonly lo: number;
  private readonly hi: number;
  private readonly seed: number;
  private readonly candidates: number;
  private readonly xi: number;
  private readonly tol: number;

  constructor(options: BayesSamplerOptions) {
    const { lo, hi } = options;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new InvalidOptionError(`The 'lo' and 'hi' options of BayesSampler must be finite log10 λ values with lo < hi, e.g. {lo: -6, hi: 1} for λ in [1e-6, 10]. Got lo = ${String(lo)}, hi = ${String(hi)} instead.`);
    }
    this.lo = lo;
    this.hi = hi;
    this.seed = options.seed ?? 0;
    this.candidates = options.candidates ?? 512;
    this.xi = options.xi ?? 0.01;
    this.tol = options.tol ?? 1e-3;
    if (!Number.isFinite(this.seed)) throw new InvalidOptionError(`The 'seed' option of BayesSampler must be a finite number. Got ${String(this.seed)} instead.`);
    if (!(Number.isInteger(this.candidates) && this.candidates >= 2)) {
      throw new InvalidOptionError(`The 'candidates' option of BayesSampler must be an integer in [2, ∞). Got ${String(this.candidates)} instead.`);
    }
    if (!(Number.isFinite(this.xi) && this.xi >= 0)) throw new InvalidOptionError(`The 'xi' option of BayesSampler must be a number in [0, ∞). Got ${String(this.xi)} instead.`);
    if (!(Number.isFinite(this.tol) && this.tol > 0)) throw new InvalidOptionError(`The 'tol' option of BayesSampler must be a number in (0, ∞). Got ${String(this.tol)} instead.`);
  }

  /**
   * `n` space-filling starting points in [lo, hi], ascending: evenly spaced with both endpoints
   * included, each interior point moved by a seeded uniform jitter of at most a quarter spacing
   * (so repeated studies with different seeds do not probe the very same λ). One point is the middle.
   *
   * @param n An integer in [1, candidates] (default 4).
   */
  initialPoints(n = 4): number[] {
    if (!(Number.isInteger(n) && n >= 1 && n <= this.candidates)) {
      throw new InvalidOptionError(`The 'n' of BayesSampler.initialPoints must be an integer in [1, ${this.candidates}]. Got ${String(n)} instead.`);
    }
    if (n === 1) return [(this.lo + this.hi) / 2];
    const rng = new Rng(this.seed);
    const h = (this.hi - this.lo) / (n - 1);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const jitter = i === 0 || i === n - 1 ? 0 : (rng.uniform() - 0.5) * 0.5 * h;
      out.push(i === n - 1 ? this.hi : this.lo + i * h + jitter);
    }
    return out;
  }

  /**
   * The candidate x in [lo, hi] with the largest expected improvement over the best y observed,
   * under a Gaussian process fitted to `observations` (candidates within 1e-6 of an observed x are
   * skipped; ties go to the smaller x).
   *
   * @throws L2labError (code `DIVERGED`) when no observation has a finite y.
   * @throws InvalidOptionError when there is no observation or every candidate was observed.
   */
  propose(observations: readonly Observation[]): Proposal {
    const { gp, best, xs } = this.fit(observations, 'propose');
    const xi = this.xi * gp.targetScale.std;
    const sorted = [...xs].sort((a, b) => a - b);

    let pick: Proposal | null = null;
    for (const x of this.grid()) {
      if (nearest(sorted, x) < SAME_X) continue;
      const { mean, variance } = gp.predict(x);
      const std = Math.sqrt(variance);
      const ei = expectedImprovement(mean, std, best, xi);
      if (pick === null || ei > pick.expectedImprovement) pick = { x, expectedImprovement: ei, mean, std };
    }
    if (pick === null) {
      throw new InvalidOptionError(`BayesSampler.propose: all ${this.candidates} candidates were already observed. Raise 'candidates' or stop the search.`);
    }
    return pick;
  }

  /**
   * What the process, fitted as {@link propose} fits it, reads as noise: the standard deviation of
   * an observation about the latent curve (in units of y; with y = log loss, a relative scatter),
   * and the stretch of x around the latent curve's minimum (over the observed span) where the curve
   * stays within that of its minimum: the x an observation of this noise cannot tell apart.
   */
  noise(observations: readonly Observation[]): NoiseReading {
    const { gp, xs } = this.fit(observations, 'noise');
    const std = Math.sqrt(gp.hyperparameters.noiseVariance) * gp.targetScale.std;
    const span = this.observedSpan(xs);
    const means = span.map((x) => gp.predict(x).mean);
    let at = 0;
    for (let i = 1; i < means.length; i++) if (means[i] < means[at]) at = i;
    let a = at;
    let b = at;
    while (a > 0 && means[a - 1] <= means[at] + std) a--;
    while (b < means.length - 1 && means[b + 1] <= means[at] + std) b++;
    return { std, x: span[at], lo: span[a], hi: span[b] };
  }

  /**
   * The choice that survives noise: among `candidates` (the x of finished trials) the one where the
   * process's latent curve, the observations smoothed by their learned noise, is lowest (ties to the
   * larger x, the simpler model), not the luckiest observation; with its {@link posteriorBand}.
   *
   * @throws InvalidOptionError when `candidates` is empty or z is not a number in [0, ∞).
   */
  posteriorChoice(observations: readonly Observation[], candidates: readonly number[], z = 1): PosteriorChoice {
    if (candidates.length === 0) throw new InvalidOptionError('BayesSampler.posteriorChoice needs at least one candidate x (a finished trial).');
    const { gp, xs } = this.fit(observations, 'posteriorChoice');
    const meanAt = (x: number) => gp.predict(x).mean;
    const x = candidates.reduce((a, b) => (meanAt(b) < meanAt(a) || (meanAt(b) === meanAt(a) && b > a) ? b : a));
    return { x, mean: meanAt(x), ...this.bandOf(gp, xs, x, z), z };
  }

  /**
   * The band of x over the observed span that the process cannot tell above y(x0): where the
   * posterior of y(x) − y(x0) puts its mean within z standard deviations of 0 (its hull, x0 included).
   * When the posterior is calibrated and x0 is near the minimum, the true minimizer x* has
   * y(x*) − y(x0) ≤ 0, so it lies in the band with probability at least Φ(z) (84% for z = 1).
   *
   * @throws InvalidOptionError when z is not a number in [0, ∞).
   */
  posteriorBand(observations: readonly Observation[], x0: number, z = 1): { lo: number; hi: number } {
    const { gp, xs } = this.fit(observations, 'posteriorBand');
    return this.bandOf(gp, xs, x0, z);
  }

  private bandOf(gp: GaussianProcess, xs: readonly number[], x0: number, z: number): { lo: number; hi: number } {
    if (!(Number.isFinite(z) && z >= 0)) throw new InvalidOptionError(`The 'z' of BayesSampler's posterior band must be a number in [0, ∞). Got ${String(z)} instead.`);
    const at = gp.predict(x0);
    const inBand = this.observedSpan([...xs, x0]).filter((u) => {
      const p = gp.predict(u);
      // var(y(u) − y(x0)): close points share most of their uncertainty.
      const sd = Math.sqrt(Math.max(0, p.variance + at.variance - 2 * gp.covariance(u, x0)));
      return p.mean - at.mean <= z * sd;
    });
    return { lo: Math.min(x0, ...inBand), hi: Math.max(x0, ...inBand) };
  }

  /** The candidates within the observed x's range, and the observed x themselves (a span narrower than a candidate step still has its points), ascending. */
  private observedSpan(xs: readonly number[]): number[] {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return [...new Set([...this.grid().filter((x) => x >= lo && x <= hi), ...xs])].sort((a, b) => a - b);
  }

  /** The candidates: `candidates` evenly spaced x over [lo, hi], both ends included. */
  private grid(): number[] {
    const step = (this.hi - this.lo) / (this.candidates - 1);
    return Array.from({ length: this.candidates }, (_, i) => (i === this.candidates - 1 ? this.hi : this.lo + i * step));
  }

  /** The process fitted to the observations (failed ones as the worst finite y), and the best y. */
  private fit(observations: readonly Observation[], caller: 'propose' | 'noise' | 'posteriorChoice' | 'posteriorBand'): { gp: GaussianProcess; best: number; xs: number[] } {
    if (!Array.isArray(observations) || observations.length === 0) {
      throw new InvalidOptionError(`BayesSampler.${caller} needs at least one observation; evaluate initialPoints() first.`);
    }
    for (const o of observations) {
      if (!Number.isFinite(o.x)) throw new InvalidOptionError(`BayesSampler.${caller}: every observation needs a finite x = log10 λ. Got ${String(o.x)} instead.`);
    }
    const finite = observations.map((o) => o.y).filter((y) => Number.isFinite(y));
    if (finite.length === 0) {
      throw new L2labError('DIVERGED', `BayesSampler.${caller}: all ${observations.length} trials failed (non-finite loss), so there is nothing to model. Lower the learning rate or check the data, then rerun.`);
    }
    const worst = Math.max(...finite);
    const best = Math.min(...finite);
    const xs = observations.map((o) => o.x);
    const ys = observations.map((o) => (Number.isFinite(o.y) ? o.y : worst));
    const width = this.hi - this.lo;
    // ℓ from 1/50 of the interval (a dip a few candidates wide) to half of it, with BoTorch's
    // Gamma(3, 6) prior on ℓ/width: from 4 points on a near-straight stretch, maximum likelihood
    // alone picks ℓ ≫ width and stops exploring (tuned on plateau–dip–rise validation curves).
    const gp = new GaussianProcess({ lengthScaleBounds: [width / 50, width / 2], lengthScalePrior: { shape: 3, rate: 6, scale: width } }).fit(xs, ys);
    return { gp, best, xs };
  }

  /**
   * True when `ei` (the best expected improvement, from {@link propose}) is below tol × the range
   * of the finite observed y; never while they are all equal. The rule trusts the model: when the
   * first points all miss a narrow dip, the model is confidently wrong and the rule can stop before
   * finding it, so cap the number of trials too rather than relying on this alone.
   */
  shouldStop(observations: readonly Observation[], ei: number): boolean {
    const ys = observations.map((o) => o.y).filter((y) => Number.isFinite(y));
    if (ys.length === 0) return false;
    return ei < this.tol * (Math.max(...ys) - Math.min(...ys));
  }
}

/** Distance from x to the nearest value of an ascending array (binary search). */
function nearest(sorted: readonly number[], x: number): number {
  let a = 0;
  let b = sorted.length - 1;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (sorted[m] <= x) a = m;
    else b = m;
  }
  return Math.min(Math.abs(sorted[a] - x), Math.abs(sorted[b] - x));
}
