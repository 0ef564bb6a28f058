/** R glmnet's ridge (alpha = 0): (1/2n)·RSS + (λ_g/2)·‖β‖² or −(1/n)·loglik + (λ_g/2)·‖β‖². */
import type { Convention } from './types.js';

/**
 * `glmnet` — `lambda` of glmnet(x, y, alpha = 0).
 *
 * Minimizes `(1/2n)·Σᵢ (yᵢ − β₀ − xᵢᵀβ)² + λ_g·‖β‖²₂/2` (family='gaussian') or `−(1/n)·loglik + λ_g·‖β‖²₂/2`
 * (other families); the intercept β₀ is free. The data term is already a per-sample mean, so `λ_g = λ/m`.
 * Approximate in practice: glmnet standardizes x by default (standardize=TRUE) and penalizes the standardized
 * coefficients, and for family='gaussian' it standardizes y internally and reports λ on y's scale.
 *
 * Source: https://glmnet.stanford.edu/reference/glmnet.html (Details).
 */
export const glmnet: Convention = {
  id: 'glmnet',
  name: 'glmnet lambda (alpha = 0)',
  symbol: 'λ_g',
  parameter: 'glmnet(x, y, alpha = 0, lambda = λ_g)',
  objective: '(1/2n)·Σᵢ (yᵢ − β₀ − xᵢᵀβ)² + (λ_g/2)·‖β‖²₂, or −(1/n)·loglik + (λ_g/2)·‖β‖²₂',
  dataTerm: 'mean',
  half: true,
  biases: 'not penalized (intercept free)',
  applied: 'objective',
  optimizers: 'coordinate descent (GLMs only)',
  coupling: 'coupled',
  scale: 'per-sample',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'λ_g = λ/m',
  toSeed: 'λ = m·λ_g',
  toRate: 'λ/m = λ_g',
  source: 'https://glmnet.stanford.edu/reference/glmnet.html',
  toHub: (lambdaG) => lambdaG,
  fromHub: (c) => c,
  caveat: () => ({
    exact: false,
    note:
      'glmnet standardizes x by default and penalizes the standardized coefficients (pass standardize = FALSE or standardized x), ' +
      "and for family='gaussian' it standardizes y and reports λ on y's scale: approximate unless y has unit variance (1/n formula).",
  }),
};
