/** Evidence choice of λ for binary logistic and softmax regression: Laplace approximation at the MAP with MacKay's updates. */

import { InvalidOptionError, invalidNumber, L2labError } from '../../errors.js';
import { cholesky, choleskyInverse, choleskyLogDet } from '../../linalg/cholesky.js';
import { symmetricEigen } from '../../linalg/sym-eigen.js';
import { fitLogisticMap, logisticDerivatives, logisticProblem, OWNER, type LogisticMap, type LogisticProblem, type LogisticProblemOptions } from './logistic-map.js';

/** Options of {@link evidenceLogistic}. */
export interface EvidenceLogisticOptions extends LogisticProblemOptions {
  /** Maximum number of MacKay updates, an integer in [1, ∞) (default 200). */
  maxIter?: number;
  /** Stop when λ changes by less than `tol` relatively in one update, in (0, 1) (default 1e-8). */
  tol?: number;
  /** Initial λ, in (0, ∞) (default 1). */
  lambdaInit?: number;
  /** λ grid of the log-evidence curve, each in (0, ∞). Default: 49 points λ̂·10^(k/8), k = −24…24, centered on the optimum λ̂. An empty array skips the curve. */
  lambdas?: readonly number[];
}

/** The Laplace approximation of the log evidence at a MAP. */
export interface LaplaceEvidence {
  lambda: number;
  /** ln p(D | λ) ≈ ln p(D | θ*) − (λ/2)‖w*‖² + (P_w/2)·ln λ − ½Σₖ ln(hₖ + λ) − ½·ln det H_bb + (n_b/2)·ln 2π. */
  logEvidence: number;
  /** Effective number of well-determined weights γ = Σₖ hₖ/(hₖ + λ). */
  gamma: number;
  /** ‖w*‖² (weights only). */
  weightNorm2: number;
  /** ln p(D | θ*) = −NLL. */
  logLikelihood: number;
  /** Eigenvalues hₖ of the weights' Hessian with the biases eliminated (Schur complement), largest first. */
  eigenvalues: Float64Array;
}

/** What {@link evidenceLogistic} returns. */
export interface EvidenceLogisticResult {
  n: number;
  d: number;
  classes: number;
  kind: 'binary' | 'softmax';
  fitIntercept: boolean;
  /** λ_seed = δ, the prior precision of the weights at MacKay's fixed point (= 1/C of scikit-learn LogisticRegression). */
  lambda: number;
  gamma: number;
  /** Laplace log evidence at λ. */
  logEvidence: number;
  /** MAP weights at λ, row-major d×K (K = 1 binary, C softmax). */
  weights: Float64Array;
  /** MAP biases at λ, length K (zeros without intercept; softmax biases sum to 0). */
  intercept: Float64Array;
  /** Number of penalized weights P_w (compare with γ). */
  weightCount: number;
  /** Eigenvalues of the weights' Hessian (biases eliminated) at the final MAP. */
  hessianEigenvalues: Float64Array;
  iterations: number;
  converged: boolean;
  /** Laplace log evidence and γ with the MAP refit at each λ of the grid. */
  curve: { lambdas: number[]; logEvidence: Float64Array; gamma: Float64Array };
  /**
   * The maximum of the refit curve itself (golden-section search in ln λ inside the bracket of the
   * best grid point); `null` when the curve is skipped. `interior` is false when the best grid point
   * is an end of the grid, where the maximum may lie beyond it (e.g. separable data with a flat
   * bias prior: the evidence keeps growing as λ → 0).
   */
  curveMaximum: { lambda: number; logEvidence: number; gamma: number; interior: boolean } | null;
  timing: { fixedPointMs: number; curveMs: number; totalMs: number };
}

/**
 * Laplace approximation of ln p(D | λ) at the MAP θ* (MacKay 1992; Bishop PRML §4.4):
 *
 *     ln p(D|λ) ≈ ln p(D|θ*) − (λ/2)‖w*‖² + (P_w/2)·ln λ − ½·Σₖ ln(hₖ + λ) − ½·ln det H_bb + (n_b/2)·ln 2π
 *
 * Prior w ~ N(0, λ⁻¹I) on the P_w weights, flat prior (density 1) on the n_b free biases (1 for
 * binary, C − 1 for softmax, whose common shift is not identifiable). H is the NLL Hessian at θ*;
 * integrating the Gaussian over the biases leaves the Schur complement
 * S = H_ww − H_wb·H_bb⁺·H_bw with eigenvalues hₖ, plus ln det H_bb (pseudo-determinant for softmax).
 * All constants are kept, so the value is comparable with a numerical integral.
 */
export function laplaceEvidence(p: LogisticProblem, map: LogisticMap): LaplaceEvidence {
  const { weightCount: Pw, paramCount: P, k } = p;
  const lambda = map.lambda;
  const { nll, hess } = logisticDerivatives(p, map.theta, true);
  const H = hess as Float64Array;
  const S = new Float64Array(Pw * Pw);
  for (let a = 0; a < Pw; a++) for (let b = 0; b < Pw; b++) S[a * Pw + b] = H[a * P + b];
  let logDetBias = 0;
  let freeBiases = 0;
  if (p.fitIntercept) {
    // M = H_bb + 11ᵀ/K: for softmax the gauge direction 1 (a null vector of H_bb and of H_wb)
    // gets eigenvalue 1, so M⁻¹ acts as H_bb⁺ and ln det M = ln pdet H_bb.
    const M = new Float64Array(k * k);
    for (let c = 0; c < k; c++) {
      for (let e = 0; e < k; e++) M[c * k + e] = H[(Pw + c) * P + Pw + e] + (k > 1 ? 1 / k : 0);
    }
    const lm = cholesky(M, k);
    if (!lm) throw new L2labError('DIVERGED', `${OWNER}: the bias block of the Hessian is singular at λ = ${lambda} (all probabilities saturated).`);
    logDetBias = choleskyLogDet(lm, k);
    freeBiases = k === 1 ? 1 : k - 1;
    const Minv = choleskyInverse(lm, k);
    // S −= H_wb·M⁻¹·H_bw
    const T = new Float64Array(Pw * k); // H_wb·M⁻¹
    for (let a = 0; a < Pw; a++) {
      for (let e = 0; e < k; e++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += H[a * P + Pw + c] * Minv[c * k + e];
        T[a * k + e] = s;
      }
    }
    for (let a = 0; a < Pw; a++) {
      for (let b = a; b < Pw; b++) {
        let s = 0;
        for (let e = 0; e < k; e++) s += T[a * k + e] * H[(Pw + e) * P + b];
        S[a * Pw + b] -= s;
        if (b !== a) S[b * Pw + a] = S[a * Pw + b];
      }
    }
  }
  const eig = symmetricEigen(S, Pw);
  const eigenvalues = eig.values.map((v) => Math.max(v, 0)); // S ⪰ 0; clip rounding
  let gamma = 0;
  let logDet = 0;
  for (const h of eigenvalues) {
    gamma += h / (h + lambda);
    logDet += Math.log(h + lambda);
  }
  let w2 = 0;
  for (let t = 0; t < Pw; t++) w2 += map.theta[t] * map.theta[t];
  const logLikelihood = -nll;
  const logEvidence =
    logLikelihood - 0.5 * lambda * w2 + 0.5 * Pw * Math.log(lambda) - 0.5 * logDet - 0.5 * logDetBias + 0.5 * freeBiases * Math.log(2 * Math.PI);
  return { lambda, logEvidence, gamma, weightNorm2: w2, logLikelihood, eigenvalues };
}

/**
 * Chooses λ for binary logistic or softmax regression by maximizing the Laplace-approximated
 * evidence with MacKay's fixed point (MacKay 1992, "The evidence framework applied to
 * classification networks"; Bishop PRML §4.4–4.5; evidence.md):
 *
 *     fit θ*(λ) (Newton, warm-started) → H at θ* → γ = Σₖ hₖ/(hₖ + λ) → λ ← γ/‖w*‖² → repeat
 *
 * Objective at each λ (biases unpenalized): Σᵢ −log p(yᵢ|xᵢ) + (λ/2)·‖W‖². Dividing by m gives
 * the seed cost (1/m)·Σ lossᵢ + (λ/2m)·Σ w² with loss = cross-entropy, so **λ here = λ_seed = δ**
 * (the prior precision), independent of m; scikit-learn `LogisticRegression(C = 1/λ)`; Keras
 * `l2(c)` on a mean loss: c = λ/(2m).
 *
 * The fixed point sets ∂/∂λ of the Laplace evidence to zero with θ* held fixed (MacKay's
 * approximation); the returned curve refits θ* at every λ, so its maximum can sit slightly off λ.
 *
 * @param x Features, row-major n×d (n = labels.length).
 * @param labels Class indices 0…C−1.
 *
 * @example
 * const ev = evidenceLogistic(x, labels);          // binary when labels are 0/1
 * ev.lambda; ev.gamma; // λ_seed and the effective number of weights (≤ d)
 */
export function evidenceLogistic(
  x: Float64Array | Float32Array,
  labels: ArrayLike<number>,
  options: EvidenceLogisticOptions = {},
): EvidenceLogisticResult {
  const t0 = performance.now();
  const maxIter = options.maxIter ?? 200;
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) {
    throw new InvalidOptionError(`The 'maxIter' option of ${OWNER} must be an integer in [1, ∞). Got ${String(options.maxIter)} instead.`);
  }
  const tol = options.tol ?? 1e-8;
  if (!(typeof tol === 'number' && tol > 0 && tol < 1)) throw invalidNumber('tol', OWNER, '(0, 1)', options.tol);
  const lambdaInit = options.lambdaInit ?? 1;
  if (!(typeof lambdaInit === 'number' && Number.isFinite(lambdaInit) && lambdaInit > 0)) throw invalidNumber('lambdaInit', OWNER, '(0, ∞)', options.lambdaInit);
  if (options.lambdas !== undefined) {
    if (!Array.isArray(options.lambdas)) throw new InvalidOptionError(`The 'lambdas' option of ${OWNER} must be an array of numbers in (0, ∞). Got ${String(options.lambdas)} instead.`);
    for (const l of options.lambdas) if (!(Number.isFinite(l) && l > 0)) throw invalidNumber('lambdas', OWNER, '(0, ∞)', l);
  }
  const p = logisticProblem(x, labels, options);

  let lambda = lambdaInit;
  let map = fitLogisticMap(p, lambda);
  let ev = laplaceEvidence(p, map);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    const next = ev.gamma / ev.weightNorm2;
    iterations++;
    if (!(Number.isFinite(next) && next > 0)) {
      throw new L2labError('DIVERGED', `${OWNER}: MacKay's update gave λ = ${next} (γ = ${ev.gamma}, ‖w‖² = ${ev.weightNorm2}); the evidence has no finite maximum for this data.`);
    }
    const change = Math.abs(next - lambda) / lambda;
    lambda = next;
    map = fitLogisticMap(p, lambda, map.theta);
    ev = laplaceEvidence(p, map);
    if (change < tol) {
      converged = true;
      break;
    }
  }
  const t1 = performance.now();

  const grid = options.lambdas ? [...options.lambdas] : Array.from({ length: 49 }, (_, i) => lambda * 10 ** ((i - 24) / 8));
  const curve = { lambdas: grid, logEvidence: new Float64Array(grid.length), gamma: new Float64Array(grid.length) };
  // Walk outwards from the optimum so each fit is warm-started from its neighbour.
  const order = grid.map((_, i) => i).sort((a, b) => grid[a] - grid[b]);
  const split = order.findIndex((i) => grid[i] >= lambda);
  const up = split < 0 ? [] : order.slice(split);
  const down = (split < 0 ? order : order.slice(0, split)).reverse();
  for (const side of [up, down]) {
    let warm = map.theta;
    for (const i of side) {
      const m = fitLogisticMap(p, grid[i], warm);
      const e = laplaceEvidence(p, m);
      curve.logEvidence[i] = e.logEvidence;
      curve.gamma[i] = e.gamma;
      warm = m.theta;
    }
  }
  const curveMaximum = maximizeCurve(p, curve, map.theta);
  const t2 = performance.now();

  const weights = map.theta.slice(0, p.weightCount);
  const intercept = p.fitIntercept ? map.theta.slice(p.weightCount) : new Float64Array(p.k);
  return {
    n: p.n, d: p.d, classes: p.classes, kind: p.k === 1 ? 'binary' : 'softmax', fitIntercept: p.fitIntercept,
    lambda, gamma: ev.gamma, logEvidence: ev.logEvidence, weights, intercept, weightCount: p.weightCount,
    hessianEigenvalues: ev.eigenvalues, iterations, converged, curve, curveMaximum,
    timing: { fixedPointMs: t1 - t0, curveMs: t2 - t1, totalMs: t2 - t0 },
  };
}

/** Golden-section search of the refit Laplace evidence in ln λ around the best point of the curve. */
function maximizeCurve(
  p: LogisticProblem,
  curve: { lambdas: number[]; logEvidence: Float64Array; gamma: Float64Array },
  warm: Float64Array,
): EvidenceLogisticResult['curveMaximum'] {
  const L = curve.lambdas.length;
  if (L === 0) return null;
  const order = curve.lambdas.map((_, i) => i).sort((a, b) => curve.lambdas[a] - curve.lambdas[b]);
  let best = 0;
  for (let r = 1; r < L; r++) if (curve.logEvidence[order[r]] > curve.logEvidence[order[best]]) best = r;
  const at = order[best];
  if (best === 0 || best === L - 1) {
    return { lambda: curve.lambdas[at], logEvidence: curve.logEvidence[at], gamma: curve.gamma[at], interior: false };
  }
  let theta = warm;
  const evaluate = (logLambda: number): LaplaceEvidence => {
    const m = fitLogisticMap(p, Math.exp(logLambda), theta);
    theta = m.theta;
    return laplaceEvidence(p, m);
  };
  let a = Math.log(curve.lambdas[order[best - 1]]);
  let b = Math.log(curve.lambdas[order[best + 1]]);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = evaluate(c);
  let fd = evaluate(d);
  while (b - a > 1e-7) {
    if (fc.logEvidence > fd.logEvidence) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = evaluate(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = evaluate(d);
    }
  }
  const top = fc.logEvidence > fd.logEvidence ? fc : fd;
  return { lambda: top.lambda, logEvidence: top.logEvidence, gamma: top.gamma, interior: true };
}
