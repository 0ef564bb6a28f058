/**
 * What the L2 penalty alone does to a weight under each optimizer, from the engine's per-weight
 * coefficients: its decay timescale τ in epochs and the step size past which it is unstable.
 * The derivations are in docs/timescale.md.
 */
import { DEFAULTS } from '../options/defaults.js';
import type { OptimizerSpec } from './optimizer.js';

/** One penalty step's ingredients, exactly as the engine applies them (see buildStepGraph). */
export interface PenaltyStep {
  optimizer: OptimizerSpec;
  /** Learning rate η > 0 (for a schedule: the mean over the run for τ, the largest for stability). */
  lr: number;
  /** Coupled coefficient c: the gradient gets + c·θ (seed: c = λ/m). */
  coupled: number;
  /** Decoupled coefficient d: θ ← θ − η·d·θ (AdamW: d = wd). */
  decoupled: number;
  /**
   * Adam only: a typical √v̂ + ε of the penalized weights (their second-moment estimate). A coupled
   * c·θ is divided by it, so Adam's effective coupled coefficient is c/(√v̂ + ε). Unknown before
   * training: then a coupled penalty under Adam has no timescale (NaN).
   */
  adamDenominator?: number;
}

/**
 * The linear recursion one step of the penalty alone (zero data gradient) applies to one weight,
 * with a = η·c, b = η·d (state: θ, or θ and the scaled velocity / first moment w):
 * - sgd: θ' = (1 − a − b)·θ
 * - momentum (μ): w' = μ·w + a·θ; θ' = (1 − a − b)·θ − μ·w            (w = η·v)
 * - nesterov (μ): w' = μ·w + a·θ; θ' = (1 − b − a·(1 + μ))·θ − μ²·w
 * - adam (β1), a = η·c/(√v̂ + ε): w' = β1·w + (1 − β1)·a·θ; θ' = (1 − b − (1 − β1)·a)·θ − β1·w
 */
export function penaltyMatrix(o: OptimizerSpec, a: number, b: number): number[][] {
  switch (o.name) {
    case 'sgd':
      return [[1 - a - b]];
    case 'momentum': {
      const mu = o.momentum ?? DEFAULTS.momentum;
      return [[1 - a - b, -mu], [a, mu]];
    }
    case 'nesterov': {
      const mu = o.momentum ?? DEFAULTS.momentum;
      return [[1 - b - a * (1 + mu), -mu * mu], [a, mu]];
    }
    case 'adam':
    case 'adamw': {
      const b1 = o.betas?.[0] ?? 0.9;
      return [[1 - b - (1 - b1) * a, -b1], [(1 - b1) * a, b1]];
    }
  }
}

/** Largest |eigenvalue| of a 1×1 or 2×2 matrix: the per-step factor of the slowest (or most unstable) mode. */
export function spectralRadius(M: number[][]): number {
  if (M.length === 1) return Math.abs(M[0][0]);
  const [[p, q], [r, s]] = M;
  const tr = p + s;
  const det = p * s - q * r;
  const disc = tr * tr - 4 * det;
  if (disc < 0) return Math.sqrt(det); // complex pair: |λ|² = det
  const root = Math.sqrt(disc);
  return Math.max(Math.abs((tr + root) / 2), Math.abs((tr - root) / 2));
}

/** Per-step factor of the penalty's slowest mode; a coupled penalty under Adam uses `adamDenominator` (NaN without it). */
export function penaltyFactorPerStep(s: PenaltyStep): number {
  const adam = s.optimizer.name === 'adam' || s.optimizer.name === 'adamw';
  let a = s.lr * s.coupled;
  if (adam && s.coupled > 0) {
    if (s.adamDenominator === undefined || !(s.adamDenominator > 0)) return NaN;
    a /= s.adamDenominator;
  }
  return spectralRadius(penaltyMatrix(s.optimizer, a, s.lr * s.decoupled));
}

/**
 * τ, the penalty's decay timescale in epochs: a weight the data term leaves alone shrinks by e^(−1/τ)
 * per epoch, τ = −1/(S·ln ρ) with ρ the per-step factor of {@link penaltyFactorPerStep} and S steps
 * per epoch. To first order in η·c: sgd B/(η·λ) (seed, S = m/B), momentum and nesterov (1 − μ)·B/(η·λ),
 * AdamW 1/(S·η·wd), Adam with coupled L2 B·(√v̂ + ε)/(η·λ).
 *
 * @returns Infinity without a penalty (ρ = 1), NaN when ρ ≥ 1 otherwise (unstable) or unknown (Adam
 *   coupled without a second moment).
 * @example
 * lambdaTimescaleEpochs({ optimizer: { name: 'sgd' }, lr: 0.1, coupled: 1 / 1000, decoupled: 0 }, 10); // ≈ 1000 = B/(ηλ), B = 100
 */
export function lambdaTimescaleEpochs(s: PenaltyStep, stepsPerEpoch: number): number {
  if (s.coupled === 0 && s.decoupled === 0) return Infinity;
  const rho = penaltyFactorPerStep(s);
  if (!(rho < 1)) return NaN;
  if (rho === 0) return 0;
  return -1 / (stepsPerEpoch * Math.log(rho));
}

/** Where the penalty step stops being stable; see {@link penaltyStability}. */
export interface PenaltyStability {
  stable: boolean;
  /** Per-step factor ρ of the penalty alone (Adam: its decoupled part only). */
  radius: number;
  /**
   * The factor s* by which η·c and η·d together may grow before ρ reaches 1: the penalty is stable
   * at s·(η·c, η·d) for every s < s*. Infinity when nothing bounds it. So the largest safe λ is
   * λ·s* (for conventions whose coefficient is proportional to λ) and the largest safe η is η·s*.
   */
  maxScale: number;
}

/**
 * Whether the penalty alone is a stable linear recursion (ρ < 1). Closed forms, for one coefficient:
 * sgd η·c < 2; momentum η·c < 2·(1 + μ); nesterov η·c < 2·(1 + μ)/(1 + 2μ); every optimizer η·d < 2
 * (its sign is kept only for η·d < 1). Adam and AdamW ignore the coupled part: Adam divides the
 * penalty gradient by √v̂, which grows with it, so the penalty alone moves a weight by at most about
 * η per step and never diverges.
 */
export function penaltyStability(s: Omit<PenaltyStep, 'adamDenominator'>): PenaltyStability {
  const adam = s.optimizer.name === 'adam' || s.optimizer.name === 'adamw';
  const a = adam ? 0 : s.lr * s.coupled;
  const b = s.lr * s.decoupled;
  const radiusAt = (k: number) => spectralRadius(penaltyMatrix(s.optimizer, k * a, k * b));
  const radius = radiusAt(1);
  if (a === 0 && b === 0) return { stable: true, radius, maxScale: Infinity };
  // The stable set in k is [0, k*): find an unstable k, then bisect in log space.
  let lo = 0;
  let hi = 1;
  while (radiusAt(hi) < 1) {
    lo = hi;
    hi *= 2;
    if (hi > 2 ** 200) return { stable: true, radius, maxScale: Infinity };
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = lo === 0 ? hi / 2 : Math.sqrt(lo * hi);
    if (radiusAt(mid) < 1) lo = mid;
    else hi = mid;
  }
  return { stable: radius < 1, radius, maxScale: hi };
}
