/**
 * The data loss expected at initialization: output variances propagated layer by layer from the
 * initializer's variances (the mean-field recursion of Poole et al. 2016 / Schoenholz et al. 2017),
 * then the expected loss of zero-mean logits of that variance.
 */
import type { Architecture } from '../models/architecture.js';
import type { Initializer } from '../options/names.js';
import { weightVariance } from '../params/draw.js';
import type { Dataset } from '../data/index.js';
import { biasVariance } from './init-penalty.js';
import { cnnOutputVariance } from './cnn-init-variance.js';
import { activationSecondMoment, expectedLogSumExp, gaussianMean, softplus } from './gaussian.js';

/** What {@link expectedInitDataLoss} returns. */
export interface InitLossEstimate {
  /** Expected mean data loss over the rows, over the random initialization. */
  expected: number;
  /**
   * The loss of a model whose outputs are all 0: ln C (softmax), ln 2 (logistic), ½·mean(y²)
   * (regression). A lower bound on `expected`: by Jensen for the convex cross-entropies, and
   * because E(y − ŷ)² = y² + Eŷ² for squared error.
   */
  zeroOutput: number;
  /** Mean over rows of q_L(x), the variance of each output (logit) over the initialization. */
  outputVariance: number;
  /** The formula used, in words, for reports. */
  formula: string;
}

/**
 * q_L(x): the variance of each output unit over the initialization, for one input row x of an MLP
 * (`cnn:` models: {@link cnnOutputVariance}).
 *
 *     q₁ = v₀·‖x‖² + b₀,     q_{l+1} = v_l·n_l·E[φ(z)²]_{z~N(0,q_l)} + b_l
 *
 * with v_l the weight variance and b_l the bias variance of layer l, n_l its fan-in. For a
 * first layer, and for ReLU throughout, this is the exact E_θ[z²] (zero-mean independent weights;
 * E relu(z)² = ½E z² for any symmetric z); for tanh, sigmoid and GELU hidden layers it treats each
 * pre-activation as Gaussian, exact as the widths grow.
 */
export function outputVariance(arch: Architecture, init: Initializer, squaredNorm: number): number {
  const L = arch.widths.length - 1;
  let q = 0;
  for (let l = 0; l < L; l++) {
    const fanIn = arch.widths[l];
    const fanOut = arch.widths[l + 1];
    const inputEnergy = l === 0 ? squaredNorm : fanIn * activationSecondMoment(arch.activation, q);
    q = weightVariance(init, fanIn, fanOut) * inputEnergy + biasVariance(init, fanIn);
  }
  return q;
}

/**
 * g(q_i) for every row, g evaluated on ≤ 33 points evenly spaced in √q and interpolated linearly: the
 * losses are smooth in √q (≈ a + b·q), so the interpolation error, ≤ (Δ√q)²·max|g''|/8, stays far
 * below the mean-field approximation's.
 */
function tabulated(g: (q: number) => number, qs: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const q of qs) {
    lo = Math.min(lo, Math.sqrt(q));
    hi = Math.max(hi, Math.sqrt(q));
  }
  const points = Math.min(33, Math.ceil((hi - lo) / 0.01) + 1);
  if (points <= 1) return qs.map(() => g(lo * lo));
  const step = (hi - lo) / (points - 1);
  const table = Float64Array.from({ length: points }, (_, k) => g((lo + k * step) ** 2));
  return qs.map((q) => {
    const t = (Math.sqrt(q) - lo) / step;
    const k = Math.min(points - 2, Math.floor(t));
    const f = t - k;
    return table[k] * (1 - f) + table[k + 1] * f;
  });
}

/**
 * The mean data loss expected at initialization over `rows` (standardized as the model sees them),
 * averaged over the initializer's randomness. Per row, the outputs are zero-mean with variance q_L(x)
 * ({@link outputVariance}), independent across output units, so:
 *
 * - softmax (C classes): E[log Σ_c e^{z_c}] − E[z_y] = E LSE of C i.i.d. N(0, q_L) logits
 *   (≈ ln C + ½q_L(1 − 1/C) for small q_L; {@link expectedLogSumExp}); E[z_y] = 0 whatever the
 *   labels, so class balance does not enter;
 * - logistic: E[softplus(z)] − t·E[z] = E softplus(√q_L·ξ) (≈ ln 2 + q_L/8);
 * - squared error ½(y − ŷ)²: ½(y² + q_L), since E ŷ = 0 (exact for ReLU).
 */
export function expectedInitDataLoss(arch: Architecture, init: Initializer, rows: Dataset): InitLossEstimate {
  const { n, d, x } = rows;
  const qs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (arch.cnn) {
      qs[i] = cnnOutputVariance(arch, arch.cnn, init, x, i * d);
      continue;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += x[i * d + j] ** 2;
    qs[i] = outputVariance(arch, init, norm);
  }
  const meanQ = qs.reduce((a, b) => a + b, 0) / n;
  const mean = (v: Float64Array): number => v.reduce((a, b) => a + b, 0) / n;
  switch (arch.loss) {
    case 'softmax_ce': {
      const C = arch.widths[arch.widths.length - 1];
      return {
        expected: mean(tabulated((q) => expectedLogSumExp(Math.sqrt(q), C), qs)),
        zeroOutput: Math.log(C),
        outputVariance: meanQ,
        formula: `mean over rows of E[log Σ_c e^{z_c}], z_c i.i.d. N(0, q_L(x)) (≈ ln ${C} + ½·q_L·(1 − 1/${C}))`,
      };
    }
    case 'logistic':
      return {
        expected: mean(tabulated((q) => gaussianMean((xi) => softplus(Math.sqrt(q) * xi)), qs)),
        zeroOutput: Math.LN2,
        outputVariance: meanQ,
        formula: 'mean over rows of E[softplus(z)], z ~ N(0, q_L(x)) (≈ ln 2 + q_L/8)',
      };
    case 'mse': {
      let y2 = 0;
      for (let i = 0; i < n; i++) y2 += Number(rows.y[i]) ** 2;
      y2 /= n;
      return {
        expected: 0.5 * (y2 + meanQ),
        zeroOutput: 0.5 * y2,
        outputVariance: meanQ,
        formula: '½·(mean y² + mean q_L(x)), from E(y − ŷ)² = y² + E ŷ² with E ŷ = 0',
      };
    }
  }
}
