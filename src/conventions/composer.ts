/** Decoupled weight decay NOT scaled by the learning rate (Loshchilov & Hutter's form; MosaicML Composer). */
import { need } from './context.js';
import type { Convention } from './types.js';

/**
 * `composer` — `weight_decay=wd` of composer.optim.DecoupledSGDW / DecoupledAdamW.
 *
 * Each step multiplies every weight by `(1 − wd)` — the decay follows the learning-rate schedule's shape but is
 * not multiplied by lr — as in Algorithms 1–2 of Loshchilov & Hutter (ICLR 2019) with schedule multiplier η_t.
 * Written as θ ← θ − lr·(wd/lr)·θ it is the decoupled form with coefficient wd/lr, so under plain SGD
 * `wd = lr·λ/m` (needs the learning rate; with a schedule, use its initial value). Not equivalent to an L2
 * penalty under momentum or Adam.
 *
 * Source: https://docs.mosaicml.com/projects/composer/en/latest/api_reference/generated/composer.optim.DecoupledAdamW.html
 */
export const composer: Convention = {
  id: 'composer',
  name: 'Decoupled weight decay, not scaled by lr (Composer, Loshchilov & Hutter)',
  symbol: 'wd',
  parameter: 'composer.optim.DecoupledAdamW/DecoupledSGDW(params, lr=lr, weight_decay=wd)',
  objective: 'θ ← (1 − wd)·θ each step (wd follows the lr schedule, not scaled by lr), then the optimizer step on mean_{i∈batch} lossᵢ',
  dataTerm: 'minibatch mean',
  half: true,
  biases: 'penalized (every parameter of the param group)',
  applied: 'per-step decay',
  optimizers: 'composer DecoupledSGDW, DecoupledAdamW',
  coupling: 'decoupled',
  scale: 'per-sample',
  range: '[0, ∞)',
  needs: ['lr'],
  fromSeed: 'wd = lr·λ/m',
  toSeed: 'λ = m·wd/lr',
  toRate: 'λ/m = wd/lr',
  source:
    'https://docs.mosaicml.com/projects/composer/en/latest/api_reference/generated/composer.optim.DecoupledAdamW.html; Loshchilov & Hutter, ICLR 2019, Alg. 1–2',
  toHub: (wd, ctx) => wd / need(ctx, 'lr', 'The composer convention', 'wd = lr·λ/m'),
  fromHub: (c, ctx) => c * need(ctx, 'lr', 'The composer convention', 'wd = lr·λ/m'),
  caveat: () => ({
    exact: true,
    note: 'Composer decays every parameter of the param group, biases included. With an lr schedule, use the initial lr (Composer scales wd by lr_t/lr_0).',
  }),
};
