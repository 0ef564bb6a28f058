/**
 * Laplace log evidence and MacKay's fixed point for a network, from curvature eigenvalues (one
 * list per layer: K-FAC's N·sᵢ·tⱼ or the GGN diagonal). See ../shared/notes/evidence.md; MacKay
 * (1992), Immer et al. (ICML 2021).
 *
 *   log p(D|δ) ≈ −NLL(θ*) − (δ/2)‖W*‖² + (P/2)·log δ − ½·Σₖ log(hₖ + δ)   (+ terms free of δ)
 *   γ(δ) = Σₖ hₖ/(hₖ + δ),   δ ← γ(δ)/‖W*‖²
 */
import { symmetricEigen } from '../../linalg/sym-eigen.js';

export type CurvatureKind = 'kfac' | 'diag';

/** Eigenvalues of a K-FAC factor (1/N)·Σ over N samples, from its sum. */
export function factorEigenvalues(sum: Float64Array, dim: number, n: number): Float64Array {
  return symmetricEigen(Float64Array.from(sum, (v) => v / n), dim).values;
}

/** Eigenvalues N·sᵢ·tⱼ of one layer's K-FAC block N·(A ⊗ G), from the factors' eigenvalues. */
export function kroneckerEigenvalues(s: Float64Array, t: Float64Array, n: number): Float64Array {
  const din = s.length;
  const dout = t.length;
  const h = new Float64Array(din * dout);
  for (let i = 0; i < din; i++) for (let j = 0; j < dout; j++) h[i * dout + j] = Math.max(0, n * s[i] * t[j]);
  return h;
}

/** Eigenvalues of one layer's K-FAC block N·(A ⊗ G) from the sums Σaaᵀ and Σggᵀ over N samples. */
export function kfacEigenvalues(sumA: Float64Array, din: number, sumG: Float64Array, dout: number, n: number): Float64Array {
  return kroneckerEigenvalues(factorEigenvalues(sumA, din, n), factorEigenvalues(sumG, dout, n), n);
}

export function effectiveParameters(h: readonly Float64Array[], delta: number, scale = 1): number {
  let gamma = 0;
  for (const layer of h) for (const v of layer) gamma += (scale * v) / (scale * v + delta);
  return gamma;
}

/** δ-dependent part of the Laplace log evidence (−NLL held fixed outside). */
export function logEvidence(h: readonly Float64Array[], delta: number, weightNorm2: number, nll: number, scale = 1): number {
  let p = 0;
  let logdet = 0;
  for (const layer of h) {
    p += layer.length;
    for (const v of layer) logdet += Math.log(scale * v + delta);
  }
  return -nll - (delta / 2) * weightNorm2 + (p / 2) * Math.log(delta) - logdet / 2;
}

/**
 * MacKay's fixed point δ = γ(δ)/‖W‖² with θ held fixed, iterated in log space from `start` until
 * the relative change is below 1e-6 (it converges monotonically: γ(δ)/δ is decreasing).
 */
export function mackayDelta(h: readonly Float64Array[], weightNorm2: number, start: number, scale = 1): { delta: number; gamma: number; iterations: number } {
  let delta = start;
  for (let it = 1; it <= 500; it++) {
    const gamma = effectiveParameters(h, delta, scale);
    const next = Math.max(gamma, 1e-12) / Math.max(weightNorm2, 1e-300);
    if (Math.abs(Math.log(next / delta)) < 1e-6) return { delta: next, gamma: effectiveParameters(h, next, scale), iterations: it };
    delta = next;
  }
  return { delta, gamma: effectiveParameters(h, delta, scale), iterations: 500 };
}
