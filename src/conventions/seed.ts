/** l2lab's native convention: the practitioners' cost (1/m)·Σ loss + (λ/2m)·Σ θ², the hub every conversion goes through. */
import type { Convention } from './types.js';

/**
 * `seed` — l2lab's λ.
 *
 * Minimizes `(1/m)·Σᵢ lossᵢ + (λ/2m)·Σⱼ θⱼ²` over the m training samples, weights θ only (biases are not
 * penalized unless `penalizeBiases`). Under minibatch training the minibatch-mean loss replaces (1/m)·Σ lossᵢ
 * and every step adds (λ/m)·θ to each weight's gradient — independent of the number of parameters.
 */
export const seed: Convention = {
  id: 'seed',
  name: 'l2lab λ',
  symbol: 'λ',
  parameter: 'l2lab --lambda λ',
  objective: '(1/m)·Σᵢ lossᵢ + (λ/2m)·Σⱼ θⱼ²; per minibatch: mean loss, gradient += (λ/m)·θ',
  dataTerm: 'mean',
  half: true,
  biases: 'not penalized (unless penalizeBiases)',
  applied: 'objective',
  optimizers: 'any (coupled: the penalty is part of the objective)',
  coupling: 'coupled',
  scale: 'total',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'λ = λ',
  toSeed: 'λ = λ',
  source: "l2lab; the form of Andrew Ng's Machine Learning course (Coursera): J(θ) = (1/m)·Σ cost + (λ/2m)·Σ θ²",
  toHub: (value) => value,
  fromHub: (hub) => hub,
  caveat: () => ({ exact: true, note: '' }),
};
