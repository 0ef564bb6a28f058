/** The Bayesian reading of L2: a Gaussian prior of precision δ on the weights, with the summed negative log-likelihood. */
import type { Convention } from './types.js';

/**
 * `bayes` — the prior precision δ of θ ~ N(0, δ⁻¹·I).
 *
 * The negative log posterior is `−Σᵢ log p(yᵢ | xᵢ, θ) + (δ/2)·Σⱼ θⱼ²` (+ const). For classification the first
 * term is the summed cross-entropy, so dividing by m gives the seed with `δ = λ`. For regression with Gaussian
 * noise of precision β it is `β·Σᵢ ½(yᵢ − ŷᵢ)² + (δ/2)·Σθ²`; dividing by β·m gives the seed with loss ½(y − ŷ)²
 * and `λ = δ/β`. Without `noisePrecision` β = 1 is assumed (and said so).
 *
 * Source: Bishop, Pattern Recognition and Machine Learning (2006), eq. 3.55 and §5.7.1; MacKay,
 * "A Practical Bayesian Framework for Backpropagation Networks", Neural Computation 4(3), 1992.
 */
export const bayes: Convention = {
  id: 'bayes',
  name: 'Gaussian prior precision δ (MAP)',
  symbol: 'δ',
  parameter: 'θ ~ N(0, δ⁻¹·I)',
  objective: '−Σᵢ log p(yᵢ | xᵢ, θ) + (δ/2)·Σⱼ θⱼ²; regression: β·Σᵢ ½(yᵢ − ŷᵢ)² + (δ/2)·Σⱼ θⱼ²',
  dataTerm: 'sum',
  half: true,
  biases: 'weights only (a separate prior, or none, on biases)',
  applied: 'objective',
  optimizers: 'any (MAP estimate; evidence maximization tunes δ)',
  coupling: 'coupled',
  scale: 'total',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'δ = β·λ',
  toSeed: 'λ = δ/β',
  source: 'Bishop, PRML (2006) eq. 3.55 and §5.7.1; MacKay, Neural Computation 4(3), 1992',
  toHub: (delta, ctx) => delta / (ctx.noisePrecision ?? 1),
  fromHub: (lambda, ctx) => lambda * (ctx.noisePrecision ?? 1),
  caveat: ({ noisePrecision }) =>
    noisePrecision === undefined
      ? {
          exact: false,
          note:
            'Assumes noise precision β = 1: exact for classification (δ = λ) and for regression with unit noise variance; ' +
            'for regression pass --noise-precision β (λ = δ/β).',
        }
      : { exact: true, note: `Regression with noise precision β = ${noisePrecision}; the data loss is ½(y − ŷ)².` },
};
