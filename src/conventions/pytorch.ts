/** PyTorch's two L2 knobs: coupled `weight_decay` of torch.optim (SGD, Adam, …) and decoupled `AdamW`. */
import { TORCH_BIASES } from './caveats.js';
import type { Convention } from './types.js';

/**
 * `pytorch` — coupled `weight_decay=wd` of torch.optim.SGD, Adam, RMSprop, Adagrad, ….
 *
 * Each step replaces the gradient of the minibatch-mean loss by `g + wd·θ` (torch docs: "g_t ← g_t + λθ_{t−1}"),
 * which is the gradient of `mean loss + (wd/2)·Σθ²`. The seed's per-step gradient term is (λ/m)·θ, so `wd = λ/m` —
 * exact for every optimizer, because the optimizer sees the same gradient either way.
 *
 * Source: https://pytorch.org/docs/stable/generated/torch.optim.SGD.html (Algorithm).
 */
export const pytorch: Convention = {
  id: 'pytorch',
  name: 'PyTorch weight_decay (coupled)',
  symbol: 'wd',
  parameter: 'torch.optim.SGD/Adam/…(params, weight_decay=wd)',
  objective: 'gradient of mean_{i∈batch} lossᵢ + wd·θ, i.e. ∇[mean loss + (wd/2)·Σⱼ θⱼ²]',
  dataTerm: 'minibatch mean',
  half: true,
  biases: 'penalized (every parameter of the param group)',
  applied: 'per-step gradient',
  optimizers: 'torch.optim.SGD, Adam, RMSprop, Adagrad, … (not AdamW)',
  coupling: 'coupled',
  scale: 'per-sample',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'wd = λ/m',
  toSeed: 'λ = m·wd',
  toRate: 'λ/m = wd',
  source: 'https://pytorch.org/docs/stable/generated/torch.optim.SGD.html',
  toHub: (wd) => wd,
  fromHub: (c) => c,
  caveat: () => TORCH_BIASES,
};

/**
 * `adamw` — decoupled `weight_decay=wd` of torch.optim.AdamW (and Adam(decoupled_weight_decay=True)).
 *
 * Each step first applies `θ ← θ − γ·wd·θ` (γ = lr; torch docs: "θ_t ← θ_{t−1} − γλθ_{t−1}"), then the Adam step
 * on the gradient of the minibatch-mean loss, without wd. Under plain SGD this is the coupled step with wd·θ,
 * so `wd = λ/m`; under Adam or momentum it is NOT equivalent: Adam divides a coupled decay by √v̂, the decoupled
 * decay is not rescaled (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019).
 *
 * Source: https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html (Algorithm).
 */
export const adamw: Convention = {
  id: 'adamw',
  name: 'PyTorch AdamW weight_decay (decoupled)',
  symbol: 'wd',
  parameter: 'torch.optim.AdamW(params, lr=lr, weight_decay=wd)',
  objective: 'θ ← θ − lr·wd·θ each step, then the Adam step on mean_{i∈batch} lossᵢ',
  dataTerm: 'minibatch mean',
  half: true,
  biases: 'penalized (every parameter of the param group)',
  applied: 'per-step decay',
  optimizers: 'torch.optim.AdamW, Adam(decoupled_weight_decay=True)',
  coupling: 'decoupled',
  scale: 'per-sample',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'wd = λ/m',
  toSeed: 'λ = m·wd',
  toRate: 'λ/m = wd',
  source: 'https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html',
  toHub: (wd) => wd,
  fromHub: (c) => c,
  caveat: () => TORCH_BIASES,
};
