/** When coupled L2 (a gradient term) and decoupled decay (θ ← θ − lr·wd·θ) give the same training steps. */
import type { Caveat, OptimizerKind } from './types.js';

/**
 * Whether a coupled coefficient c and a decoupled coefficient wd = c produce the same updates under `optimizer`.
 *
 * Plain SGD: θ ← θ − lr·(g + c·θ) is θ ← θ − lr·g − lr·c·θ, the decoupled step with wd = c — identical.
 * Momentum/Nesterov: the coupled c·θ enters the velocity and is accumulated over steps (≈ c/(1 − μ) at steady
 * state); the decoupled decay is applied once per step. Adam: the coupled c·θ is divided by √v̂ per weight, the
 * decoupled decay is not rescaled, so no constant wd reproduces L2 (Loshchilov & Hutter, ICLR 2019, §2).
 */
export function couplingEquivalence(optimizer: OptimizerKind | undefined): Caveat {
  switch (optimizer) {
    case 'sgd':
      return {
        exact: true,
        note: 'Under plain SGD, θ ← θ − lr·(g + c·θ) is the decoupled step θ ← θ − lr·g − lr·wd·θ with wd = c: the same updates.',
      };
    case 'momentum':
    case 'nesterov':
      return {
        exact: false,
        note:
          `Not equivalent under ${optimizer} SGD: coupled decay c·θ enters the velocity and is accumulated (≈ c/(1 − μ) per step at steady state), ` +
          'while decoupled decay is applied once per step outside it. The value is the plain-SGD equivalent.',
      };
    case 'adam':
    case 'adamw':
      return {
        exact: false,
        note:
          'Not equivalent under Adam: Adam divides coupled decay c·θ by √v̂ (weights with large gradients are decayed less), ' +
          'while decoupled decay lr·wd·θ is not rescaled, so no constant wd reproduces coupled L2 (Loshchilov & Hutter, 2019). ' +
          'The value is the plain-SGD equivalent.',
      };
    case undefined:
      return {
        exact: false,
        note:
          'Coupled L2 and decoupled weight decay coincide only under plain SGD (not with momentum or Adam); ' +
          'the value is the plain-SGD equivalent. Pass --optimizer sgd if that is what you train with.',
      };
  }
}
