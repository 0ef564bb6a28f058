/** Evidence (type-II maximum likelihood) choice of λ for Bayesian linear regression, MacKay's updates on one eigendecomposition. */

import { InvalidOptionError, invalidNumber, L2labError } from '../../errors.js';
import { centeredSpectrum, type CenteredSpectrum } from '../../linalg/centered-spectrum.js';
import { checkDesign, checkTargets } from '../../linalg/design.js';
import { logSpace } from '../../linalg/log-space.js';
import { defaultRidgeLambdas } from '../closed-form/ridge.js';

/** Options of {@link evidenceLinear}. */
export interface EvidenceLinearOptions {
  /** Fit a flat-prior intercept by centering X and y first (default `true`, as scikit-learn BayesianRidge). */
  fitIntercept?: boolean;
  /**
   * With an intercept, integrate it out exactly under a flat prior instead of following
   * scikit-learn's convention (default `false`). scikit-learn BayesianRidge centers X and y and then
   * counts N = n observations; the exact marginal p(y | α, β) = ∫ p(y | w, b) p(w) db dw has N = n − 1
   * (one direction of y is spent on b) and an extra −½·ln n. The two give different λ, and only the
   * exact one has a finite optimum when the centered design can interpolate y (n ≤ d).
   */
  marginalizeIntercept?: boolean;
  /** Maximum number of MacKay updates, an integer in [1, ∞) (default 1000; each costs O(rank)). */
  maxIter?: number;
  /** Stop when α and β both change by less than `tol` relatively in one update, in (0, 1) (default 1e-12). */
  tol?: number;
  /** Initial weight precision α, in (0, ∞) (default 1, as BayesianRidge's `lambda_init`). */
  alphaInit?: number;
  /** Initial noise precision β, in (0, ∞) (default 1/(var(y) + ε), as BayesianRidge's `alpha_init`). */
  betaInit?: number;
  /**
   * λ grid for the log-evidence curve, each in (0, ∞). Default: 100 log-spaced λ covering both
   * ridgePath's default grid and [λ̂/100, 100·λ̂] around the optimum λ̂.
   */
  lambdas?: readonly number[];
}

/** The profile log evidence max_β log p(y | α = λβ, β) along a λ grid, for plotting. */
export interface EvidenceCurve {
  lambdas: number[];
  /** Log evidence at (α, β) = (λ·β̂(λ), β̂(λ)), β̂(λ) = N / (‖y − Xw_λ‖² + λ‖w_λ‖²) maximizing it for that λ (N = n, or n − 1 with `marginalizeIntercept`). */
  logEvidence: Float64Array;
  /** The profiled noise precision β̂(λ). */
  beta: Float64Array;
  /** Effective number of parameters Σ μₖ/(μₖ + λ) at each λ. */
  gamma: Float64Array;
}

/** What {@link evidenceLinear} returns. */
export interface EvidenceLinearResult {
  n: number;
  d: number;
  fitIntercept: boolean;
  /** Weight precision α of the prior w ~ N(0, α⁻¹I) (Bishop's α; scikit-learn BayesianRidge `lambda_`). */
  alpha: number;
  /** Noise precision β (Bishop's β; scikit-learn BayesianRidge `alpha_`). */
  beta: number;
  /** λ_seed = α/β, the ridge constant (= BayesianRidge `lambda_/alpha_` = Ridge `alpha`). */
  lambda: number;
  /** Effective number of well-determined parameters γ = Σ βμₖ/(α + βμₖ) (Bishop eq. 3.91). */
  gamma: number;
  /** Log evidence ln p(y | α, β) at the optimum (Bishop eq. 3.86, with scikit-learn's centering convention). */
  logEvidence: number;
  /** Posterior mean weights (= ridge coefficients at λ), length d. */
  coef: Float64Array;
  intercept: number;
  /** Number of MacKay updates taken. */
  iterations: number;
  /** Whether the relative change of α and β fell below `tol` within `maxIter` updates. */
  converged: boolean;
  curve: EvidenceCurve;
  /** Non-zero eigenvalues μₖ of XcᵀXc (largest first). */
  eigenvalues: Float64Array;
  method: 'covariance' | 'gram';
  /** Wall times in milliseconds. */
  timing: { decompositionMs: number; totalMs: number };
}

/** ‖w_λ‖², ‖y − Xw_λ‖² and γ(λ) in the eigenbasis: O(rank). */
function ridgeStats(sp: CenteredSpectrum, lambda: number): { w2: number; rss: number; gamma: number } {
  let w2 = 0;
  let rss = sp.residualNorm2;
  let gamma = 0;
  for (let k = 0; k < sp.rank; k++) {
    const mu = sp.eigenvalues[k];
    const q = sp.uty[k];
    const den = mu + lambda;
    w2 += (mu * q * q) / (den * den);
    const shrink = (lambda / den) * q;
    rss += shrink * shrink;
    gamma += mu / den;
  }
  return { w2, rss, gamma };
}

/**
 * Log evidence ln p(y | α, β) of Bayesian linear regression y = Xw + ε, w ~ N(0, α⁻¹I_d),
 * ε ~ N(0, β⁻¹I_N), on the decomposed (centered) design (Bishop PRML eq. 3.86):
 *
 *     (d/2)·ln α + (N/2)·ln β − (β/2)‖y − Xm‖² − (α/2)‖m‖² − ½·ln|αI + βXᵀX| − (N/2)·ln 2π
 *
 * m the posterior mean (ridge at λ = α/β). With an intercept, X and y are centered and, by default,
 * N stays the number of samples n — scikit-learn BayesianRidge's `scores_` convention. With
 * `marginalizeIntercept`, the intercept is integrated out under a flat prior (density 1): N = n − 1
 * and the value gains −½·ln n, which makes it the exact ln ∫∫ p(y | w, b)·p(w) dw db.
 */
export function linearLogEvidence(sp: CenteredSpectrum, alpha: number, beta: number, marginalizeIntercept = false): number {
  const { w2, rss } = ridgeStats(sp, alpha / beta);
  let logDet = (sp.d - sp.rank) * Math.log(alpha);
  for (let k = 0; k < sp.rank; k++) logDet += Math.log(alpha + beta * sp.eigenvalues[k]);
  const exact = marginalizeIntercept && sp.fitIntercept;
  const N = exact ? sp.n - 1 : sp.n;
  return 0.5 * (sp.d * Math.log(alpha) + N * Math.log(beta) - beta * rss - alpha * w2 - logDet - N * Math.log(2 * Math.PI) - (exact ? Math.log(sp.n) : 0));
}

function noOptimum(detail: string, suggestMarginalize: boolean): L2labError {
  return new L2labError(
    'DIVERGED',
    `evidenceLinear: the evidence has no finite maximum for this data (${detail}). ` +
      (suggestMarginalize
        ? "With n ≤ d the centered design can fit y exactly under scikit-learn's N = n convention: pass marginalizeIntercept: true, or use ridgePath (cross-validation)."
        : 'The targets are constant or fitted exactly: use ridgePath (cross-validation) instead.'),
  );
}

function positive(v: number | undefined, name: string, fallback: number): number {
  const x = v ?? fallback;
  if (!(typeof x === 'number' && Number.isFinite(x) && x > 0)) throw invalidNumber(name, 'evidenceLinear', '(0, ∞)', v);
  return x;
}

/**
 * Chooses the ridge constant by maximizing the evidence (marginal likelihood) of Bayesian linear
 * regression — MacKay's fixed-point updates (MacKay 1992, "Bayesian interpolation"; Bishop PRML
 * §3.5, eqs. 3.86–3.95), all from ONE eigendecomposition of XcᵀXc (or XcXcᵀ when n < d):
 *
 *     γ = Σₖ βμₖ/(α + βμₖ),   α ← γ/‖m‖²,   β ← (N − γ)/‖y − Xm‖²,   m = (XᵀX + (α/β)I)⁻¹Xᵀy
 *
 * Model: y = Xw + b + ε with w ~ N(0, α⁻¹I), ε ~ N(0, β⁻¹I), b unpenalized (flat prior, handled by
 * centering). The MAP/posterior mean minimizes β·Σ½rᵢ² + (α/2)‖w‖², i.e. ridge
 * ‖y − Xw − b‖² + λ‖w‖² with **λ = λ_seed = α/β** (evidence.md). Name mapping to scikit-learn
 * BayesianRidge: our α (weight precision) = its `lambda_`, our β (noise precision) = its `alpha_`;
 * its ridge constant `lambda_/alpha_` = our λ.
 *
 * @param x Features, row-major n×d (n = y.length).
 * @param y Targets, length n.
 *
 * @example
 * const ev = evidenceLinear(x, y);
 * ev.lambda; // ridge constant at the evidence maximum; ev.gamma ≤ d well-determined parameters
 */
export function evidenceLinear(
  x: Float64Array | Float32Array,
  y: ArrayLike<number>,
  options: EvidenceLinearOptions = {},
): EvidenceLinearResult {
  const t0 = performance.now();
  const owner = 'evidenceLinear';
  const fitIntercept = options.fitIntercept ?? true;
  if (typeof fitIntercept !== 'boolean') {
    throw new InvalidOptionError(`The 'fitIntercept' option of ${owner} must be a boolean. Got ${String(fitIntercept)} instead.`);
  }
  const maxIter = options.maxIter ?? 1000;
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) {
    throw new InvalidOptionError(`The 'maxIter' option of ${owner} must be an integer in [1, ∞). Got ${String(options.maxIter)} instead.`);
  }
  const tol = options.tol ?? 1e-12;
  if (!(typeof tol === 'number' && tol > 0 && tol < 1)) throw invalidNumber('tol', owner, '(0, 1)', options.tol);
  const y64 = checkTargets(y, owner);
  const { n, d, x: x64 } = checkDesign(x, y64.length, owner, fitIntercept ? 3 : 2);
  if (options.lambdas !== undefined) {
    if (!Array.isArray(options.lambdas) || options.lambdas.length === 0) {
      throw new InvalidOptionError(`The 'lambdas' option of ${owner} must be a non-empty array of numbers in (0, ∞). Got ${String(options.lambdas)} instead.`);
    }
    for (const l of options.lambdas) if (!(Number.isFinite(l) && l > 0)) throw invalidNumber('lambdas', owner, '(0, ∞)', l);
  }

  const sp = centeredSpectrum(x64, y64, n, d, fitIntercept);
  let yVar = 0;
  for (let i = 0; i < n; i++) yVar += sp.yc[i] * sp.yc[i];
  yVar /= n;
  let alpha = positive(options.alphaInit, 'alphaInit', 1);
  let beta = positive(options.betaInit, 'betaInit', 1 / (yVar + 2 ** -52));

  const marginalizeIntercept = options.marginalizeIntercept ?? false;
  if (typeof marginalizeIntercept !== 'boolean') {
    throw new InvalidOptionError(`The 'marginalizeIntercept' option of ${owner} must be a boolean. Got ${String(marginalizeIntercept)} instead.`);
  }
  // Observations left for the noise once the intercept is integrated out (Bishop eq. 3.95's N).
  const nEff = fitIntercept && marginalizeIntercept ? n - 1 : n;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    const { w2, rss, gamma } = ridgeStats(sp, alpha / beta);
    // Bishop eqs. 3.92 and 3.95. A perfect fit (rss = 0) or w = 0 has no finite optimum.
    const alphaNew = gamma / w2;
    const betaNew = (nEff - gamma) / rss;
    iterations++;
    if (!(Number.isFinite(alphaNew) && alphaNew > 0 && Number.isFinite(betaNew) && betaNew > 0)) {
      throw noOptimum(`‖w‖² = ${w2}, residual sum of squares = ${rss}`, fitIntercept && !marginalizeIntercept);
    }
    const change = Math.max(Math.abs(alphaNew - alpha) / alpha, Math.abs(betaNew - beta) / beta);
    alpha = alphaNew;
    beta = betaNew;
    if (change < tol) {
      converged = true;
      break;
    }
  }

  const lambda = alpha / beta;
  const { gamma, rss: rssFinal } = ridgeStats(sp, lambda);
  let yNorm2 = 0;
  for (let i = 0; i < n; i++) yNorm2 += sp.yc[i] * sp.yc[i];
  // β → ∞, λ → 0: the design interpolates y and the evidence grows without bound (sklearn then
  // stops wherever its coefficient tolerance is met, with an arbitrary tiny λ).
  if (rssFinal <= 1e-14 * yNorm2) {
    throw noOptimum(`the fit interpolates y at λ = ${lambda.toExponential(3)} (γ = ${gamma.toFixed(3)}, rank ${sp.rank})`, fitIntercept && !marginalizeIntercept);
  }
  const coef = new Float64Array(d);
  for (let k = 0; k < sp.rank; k++) {
    const c = (Math.sqrt(sp.eigenvalues[k]) / (sp.eigenvalues[k] + lambda)) * sp.uty[k];
    for (let j = 0; j < d; j++) coef[j] += c * sp.v[k * d + j];
  }
  let intercept = 0;
  if (fitIntercept) {
    intercept = sp.yMean;
    for (let j = 0; j < d; j++) intercept -= sp.xMean[j] * coef[j];
  }

  let grid: number[];
  if (options.lambdas) grid = [...options.lambdas];
  else {
    const base = defaultRidgeLambdas(sp.eigenvalues, 2);
    grid = logSpace(Math.min(base[0], lambda / 100), Math.max(base[1], lambda * 100), 100);
  }
  const curve: EvidenceCurve = {
    lambdas: grid,
    logEvidence: new Float64Array(grid.length),
    beta: new Float64Array(grid.length),
    gamma: new Float64Array(grid.length),
  };
  grid.forEach((lam, l) => {
    const s = ridgeStats(sp, lam);
    const b = nEff / (s.rss + lam * s.w2);
    curve.beta[l] = b;
    curve.gamma[l] = s.gamma;
    curve.logEvidence[l] = linearLogEvidence(sp, lam * b, b, marginalizeIntercept);
  });

  return {
    n, d, fitIntercept, alpha, beta, lambda, gamma,
    logEvidence: linearLogEvidence(sp, alpha, beta, marginalizeIntercept),
    coef, intercept, iterations, converged, curve,
    eigenvalues: sp.eigenvalues, method: sp.method,
    timing: { decompositionMs: sp.decompositionMs, totalMs: performance.now() - t0 },
  };
}
