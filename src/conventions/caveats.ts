/** Caveats shared by several conventions: which parameters a framework decays by default. */
import type { Caveat } from './types.js';

/** torch.optim decays every parameter of a param group, biases included. */
export const TORCH_BIASES: Caveat = {
  exact: true,
  note:
    'torch.optim applies weight_decay to every parameter of its param group, biases included: put biases in a group ' +
    'with weight_decay=0 to match l2lab (which leaves biases unpenalized unless penalizeBiases).',
};

/** Keras 3 optimizers decay every trainable variable unless excluded. */
export const KERAS_OPTIMIZER_BIASES: Caveat = {
  exact: true,
  note:
    "Keras 3 optimizers decay every trainable variable, biases included: call optimizer.exclude_from_weight_decay(var_names=['bias']) " +
    'to match l2lab (which leaves biases unpenalized unless penalizeBiases).',
};
