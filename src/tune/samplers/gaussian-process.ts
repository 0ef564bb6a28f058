/** A one-dimensional Gaussian process with a Matérn-5/2 kernel, hyperparameters by maximum marginal likelihood (or a posteriori) on a grid. */

import { InvalidOptionError, NotFittedError } from '../../errors.js';
import { cholesky, choleskyLogDet, choleskySolve } from '../../linalg/cholesky.js';
import { logSpace } from '../../linalg/log-space.js';

/**
 * Matérn-5/2 correlation at distance r ≥ 0 for length scale ℓ:
 * (1 + √5·r/ℓ + 5r²/(3ℓ²))·exp(−√5·r/ℓ) (Rasmussen & Williams, *Gaussian Processes for Machine
 * Learning*, 2006, eq. 4.17). Twice differentiable sample paths: smooth enough for a validation
 * curve, rough enough not to overshoot as the squared exponential does (Snoek et al. 2012, §3.1).
 */
export function matern52(r: number, lengthScale: number): number {
  const a = (Math.sqrt(5) * Math.abs(r)) / lengthScale;
  return (1 + a + (a * a) / 3) * Math.exp(-a);
}

/** Options of {@link GaussianProcess}. */
export interface GaussianProcessOptions {
  /** Fix the length scale ℓ (in x units, > 0) instead of fitting it. */
  lengthScale?: number;
  /**
   * Range `[lo, hi]` (0 < lo < hi) searched for ℓ (default `[span/20, 5·span]`, span = the range of
   * the x values fitted, 1 when they are all equal).
   */
  lengthScaleBounds?: readonly [number, number];
  /**
   * A Gamma(shape, rate) prior on ℓ/scale, making the fit maximum a posteriori instead of maximum
   * likelihood (default none). With few points the likelihood alone often picks a length scale so
   * long that the model is confidently wrong between them; BoTorch's long-time default is
   * Gamma(3, 6) on inputs scaled to [0, 1] (mode at a third of the domain), i.e.
   * `{shape: 3, rate: 6, scale: domain width}`.
   */
  lengthScalePrior?: { shape: number; rate: number; scale: number };
  /**
   * Fix the noise ratio g = noise variance / signal variance (≥ 0) instead of fitting it over
   * {1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3}.
   */
  noiseRatio?: number;
}

/** The fitted hyperparameters, for the standardized targets (y − mean)/std. */
export interface GpHyperparameters {
  lengthScale: number;
  signalVariance: number;
  noiseVariance: number;
  /** Log marginal likelihood of the standardized targets at these values (maximized, plus the log prior of ℓ if one is set). */
  logMarginalLikelihood: number;
}

/** Default noise-ratio grid: from numerically noiseless (an exact closed-form loss) to heavy SGD noise. */
const NOISE_RATIOS = [1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3];
/** Length scales tried between the bounds, log-spaced (≈ 9% apart over two decades). */
const LENGTH_SCALES = 48;

interface Factor {
  lengthScale: number;
  noiseRatio: number;
  l: Float64Array;
  /** A⁻¹z, with A = C + g·I the kernel matrix over the signal variance. */
  alpha0: Float64Array;
  signalVariance: number;
  lml: number;
  /** lml + log prior(ℓ): what the grid search maximizes. */
  objective: number;
}

/**
 * A Gaussian-process regression model of y(x) on the real line, as used for Bayesian optimization
 * of log10 λ (Snoek, Larochelle & Adams, "Practical Bayesian Optimization of Machine Learning
 * Algorithms", NeurIPS 2012).
 *
 * Model: y is standardized to z = (y − ȳ)/s_y (constant mean = the sample mean; s_y = 1 when
 * fewer than two values differ), then z ~ GP(0, σ²·(k_ℓ(x, x′) + g·δ)) with k_ℓ = {@link matern52}.
 * The signal variance σ² has a closed-form maximum for each (ℓ, g), σ² = zᵀA⁻¹z / n with
 * A = K_ℓ + g·I, so the log marginal likelihood
 *
 *     log p(z | ℓ, g) = −(n/2)·log σ² − ½·log det A − n/2 − (n/2)·log 2π
 *
 * (plus the log density of ℓ under `lengthScalePrior`, if given) is maximized over a fixed grid of ℓ
 * (48 log-spaced values within the bounds) and g (8 values):
 * deterministic and cheap for the few dozen points of a λ search. With fewer than 3 points the
 * likelihood cannot tell length scales apart, so ℓ is the geometric middle of its bounds and g = 1e-8.
 * Linear algebra is a float64 Cholesky factorization.
 *
 * @example
 * const gp = new GaussianProcess().fit([-3, -2, -1, 0], [0.9, 0.5, 0.4, 0.7]);
 * gp.predict(-1.5); // { mean, variance } of the latent y at x = −1.5
 */
export class GaussianProcess {
  private readonly options: GaussianProcessOptions;
  private x: Float64Array | null = null;
  private factor: Factor | null = null;
  private yMean = 0;
  private yStd = 1;

  constructor(options: GaussianProcessOptions = {}) {
    const { lengthScale, lengthScaleBounds, lengthScalePrior, noiseRatio } = options;
    if (lengthScale !== undefined && !(Number.isFinite(lengthScale) && lengthScale > 0)) {
      throw new InvalidOptionError(`The 'lengthScale' option of GaussianProcess must be a number in (0, ∞). Got ${String(lengthScale)} instead.`);
    }
    if (lengthScaleBounds !== undefined && !(lengthScaleBounds[0] > 0 && lengthScaleBounds[1] > lengthScaleBounds[0] && Number.isFinite(lengthScaleBounds[1]))) {
      throw new InvalidOptionError(`The 'lengthScaleBounds' option of GaussianProcess must be [lo, hi] with 0 < lo < hi < ∞. Got ${JSON.stringify(lengthScaleBounds)} instead.`);
    }
    if (lengthScalePrior !== undefined && !(lengthScalePrior.shape > 0 && lengthScalePrior.rate > 0 && lengthScalePrior.scale > 0)) {
      throw new InvalidOptionError(`The 'lengthScalePrior' option of GaussianProcess must be {shape, rate, scale}, each > 0, e.g. {shape: 3, rate: 6, scale: 1}. Got ${JSON.stringify(lengthScalePrior)} instead.`);
    }
    if (noiseRatio !== undefined && !(Number.isFinite(noiseRatio) && noiseRatio >= 0)) {
      throw new InvalidOptionError(`The 'noiseRatio' option of GaussianProcess must be a number in [0, ∞). Got ${String(noiseRatio)} instead.`);
    }
    this.options = { ...options };
  }

  /** Fits the model to points (x[i], y[i]), all finite; returns `this`. */
  fit(x: readonly number[], y: readonly number[]): this {
    const n = x.length;
    if (n === 0 || y.length !== n) {
      throw new InvalidOptionError(`GaussianProcess.fit needs x and y of the same non-zero length. Got ${x.length} x and ${y.length} y values instead.`);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
        throw new InvalidOptionError(`GaussianProcess.fit needs finite values; point ${i} is (${x[i]}, ${y[i]}). Drop or replace failed trials first.`);
      }
    }
    let mean = 0;
    for (const v of y) mean += v;
    mean /= n;
    let ss = 0;
    for (const v of y) ss += (v - mean) * (v - mean);
    const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    this.yMean = mean;
    this.yStd = std > 0 ? std : 1;
    const z = Float64Array.from(y, (v) => (v - mean) / this.yStd);
    const xs = Float64Array.from(x);

    const span = Math.max(...x) - Math.min(...x) || 1;
    const [lo, hi] = this.options.lengthScaleBounds ?? [span / 20, 5 * span];
    const few = n < 3;
    const lengthScales = this.options.lengthScale !== undefined ? [this.options.lengthScale] : few ? [Math.sqrt(lo * hi)] : logSpace(lo, hi, LENGTH_SCALES);
    const noiseRatios = this.options.noiseRatio !== undefined ? [this.options.noiseRatio] : few ? [NOISE_RATIOS[0]] : NOISE_RATIOS;

    const prior = this.options.lengthScalePrior;
    let best: Factor | null = null;
    for (const ell of lengthScales) {
      // Gamma log density up to a constant: (shape − 1)·log u − rate·u with u = ℓ/scale.
      const logPrior = prior === undefined ? 0 : (prior.shape - 1) * Math.log(ell / prior.scale) - prior.rate * (ell / prior.scale);
      for (const g of noiseRatios) {
        const f = factorize(xs, z, ell, g);
        if (f === null) continue;
        f.objective = f.lml + logPrior;
        if (best === null || f.objective > best.objective) best = f;
      }
    }
    if (best === null) {
      throw new InvalidOptionError('GaussianProcess.fit: the kernel matrix is not positive definite for any length scale tried (are x values repeated with a noise ratio of 0?). Use a positive noiseRatio.');
    }
    this.x = xs;
    this.factor = best;
    return this;
  }

  /** The fitted hyperparameters (for the standardized y). */
  get hyperparameters(): GpHyperparameters {
    const f = this.fitted();
    return { lengthScale: f.lengthScale, signalVariance: f.signalVariance, noiseVariance: f.signalVariance * f.noiseRatio, logMarginalLikelihood: f.lml };
  }

  /** Posterior mean and variance of the latent (noise-free) y at `x`, in the units of y. */
  predict(x: number): { mean: number; variance: number } {
    const f = this.fitted();
    const { c, v } = this.projected(x);
    let m = 0;
    for (let i = 0; i < c.length; i++) m += c[i] * f.alpha0[i];
    return { mean: this.yMean + this.yStd * m, variance: this.latentCovariance(v, v, 1) };
  }

  /**
   * Posterior covariance of the latent y at `a` and `b`, in units of y²: σ²·(k(a, b) − v_aᵀv_b) with
   * v = L⁻¹k(X, ·) (Rasmussen & Williams 2006, eq. 2.24). What the variance of y(a) − y(b) needs:
   * var(a) + var(b) − 2·cov(a, b), far smaller than the sum when a and b are close.
   */
  covariance(a: number, b: number): number {
    const f = this.fitted();
    return this.latentCovariance(this.projected(a).v, this.projected(b).v, matern52(a - b, f.lengthScale));
  }

  /** k(X, x) and v = L⁻¹k(X, x), by forward substitution. */
  private projected(x: number): { c: Float64Array; v: Float64Array } {
    const f = this.fitted();
    const xs = this.x as Float64Array;
    const n = xs.length;
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = matern52(x - xs[i], f.lengthScale);
    const l = f.l;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = c[i];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * v[k];
      v[i] = s / l[i * n + i];
    }
    return { c, v };
  }

  /** σ²·(prior − vaᵀvb) in units of y² (floored at 0 on the diagonal, where rounding can make it negative). */
  private latentCovariance(va: Float64Array, vb: Float64Array, prior: number): number {
    const f = this.fitted();
    let dot = 0;
    for (let i = 0; i < va.length; i++) dot += va[i] * vb[i];
    const cov = f.signalVariance * (prior - dot) * this.yStd * this.yStd;
    return va === vb ? Math.max(0, cov) : cov;
  }

  /** Mean and standard deviation of the y values fitted (the standardization; std is 1 when they do not vary). */
  get targetScale(): { mean: number; std: number } {
    this.fitted();
    return { mean: this.yMean, std: this.yStd };
  }

  private fitted(): Factor {
    if (this.factor === null) throw new NotFittedError('GaussianProcess');
    return this.factor;
  }
}

/** Factors A = K_ℓ + (g + jitter)·I and profiles out σ²; `null` when A is not numerically positive definite. */
function factorize(x: Float64Array, z: Float64Array, lengthScale: number, noiseRatio: number): Factor | null {
  const n = x.length;
  const a = new Float64Array(n * n);
  // A 1e-10 jitter keeps a noiseless fit factorizable when two x nearly coincide.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = matern52(x[i] - x[j], lengthScale);
    a[i * n + i] = 1 + noiseRatio + 1e-10;
  }
  const l = cholesky(a, n);
  if (l === null) return null;
  const alpha0 = choleskySolve(l, n, z);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += z[i] * alpha0[i];
  // Floor σ²: all-equal targets (z = 0) would give log 0.
  const signalVariance = Math.max(quad / n, 1e-12);
  const lml = -0.5 * n * Math.log(signalVariance) - 0.5 * choleskyLogDet(l, n) - 0.5 * n * (1 + Math.log(2 * Math.PI));
  return { lengthScale, noiseRatio, l, alpha0, signalVariance, lml, objective: lml };
}
