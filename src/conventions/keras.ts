/** Keras' two L2 knobs: the coupled kernel_regularizer L2(l) and the decoupled optimizer weight_decay (Keras 3). */
import { KERAS_OPTIMIZER_BIASES } from './caveats.js';
import type { Convention } from './types.js';

/**
 * `keras` — `kernel_regularizer=keras.regularizers.L2(l2=l)`.
 *
 * Adds `l·Σⱼ θⱼ²` (Keras: "loss = l2 * reduce_sum(square(x))") to each minibatch's mean loss: no ½, no 1/m.
 * Its gradient is 2l·θ, so `l = λ/(2m)`. Exact for every optimizer (it is part of the loss); only the layer's
 * kernel is penalized, like l2lab (a bias needs its own `bias_regularizer`).
 *
 * Source: https://keras.io/api/layers/regularizers/ (tf.keras.regularizers.L2).
 */
export const keras: Convention = {
  id: 'keras',
  name: 'Keras kernel_regularizer L2',
  symbol: 'l',
  parameter: 'kernel_regularizer=keras.regularizers.L2(l2=l)',
  objective: 'mean_{i∈batch} lossᵢ + l·Σⱼ θⱼ² (added to every minibatch loss)',
  dataTerm: 'minibatch mean',
  half: false,
  biases: 'not penalized (kernel only; bias_regularizer is separate)',
  applied: 'per-step gradient',
  optimizers: 'any Keras optimizer (the penalty is in the loss)',
  coupling: 'coupled',
  scale: 'per-sample',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'l = λ/(2m)',
  toSeed: 'λ = 2m·l',
  toRate: 'λ/m = 2·l',
  source: 'https://keras.io/api/layers/regularizers/',
  toHub: (l) => 2 * l,
  fromHub: (c) => c / 2,
  caveat: () => ({ exact: true, note: '' }),
};

/**
 * `keras-decoupled` — the `weight_decay` argument of a Keras 3 optimizer (SGD, Adam, AdamW, …).
 *
 * Before each step Keras 3 applies `variable ← variable − variable·wd·lr` (`BaseOptimizer._apply_weight_decay`),
 * i.e. θ ← θ − lr·wd·θ outside the optimizer's statistics. Under plain SGD this equals a coupled gradient wd·θ
 * on the mean loss, so `wd = λ/m`; under momentum or Adam it is NOT equivalent to any L2 penalty.
 *
 * Source: https://keras.io/api/optimizers/ and keras/src/optimizers/base_optimizer.py.
 */
export const kerasDecoupled: Convention = {
  id: 'keras-decoupled',
  name: 'Keras 3 optimizer weight_decay',
  symbol: 'wd',
  parameter: 'keras.optimizers.<Optimizer>(weight_decay=wd)',
  objective: 'θ ← θ − lr·wd·θ each step, then the optimizer step on mean_{i∈batch} lossᵢ',
  dataTerm: 'minibatch mean',
  half: true,
  biases: 'penalized (every trainable variable unless excluded)',
  applied: 'per-step decay',
  optimizers: 'any Keras 3 optimizer (keras.optimizers.AdamW is Adam with weight_decay=0.004)',
  coupling: 'decoupled',
  scale: 'per-sample',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'wd = λ/m',
  toSeed: 'λ = m·wd',
  toRate: 'λ/m = wd',
  source: 'https://keras.io/api/optimizers/ (BaseOptimizer._apply_weight_decay: variable − variable·wd·lr)',
  toHub: (wd) => wd,
  fromHub: (c) => c,
  caveat: () => KERAS_OPTIMIZER_BIASES,
};
