/**
 * How one parameter tensor starts, whatever the model kind (l2lab's own or an imported graph): the
 * variance of each initializer and a seeded draw by role (weight, bias, or a constant).
 */
import { InvalidOptionError } from '../errors.js';
import type { Initializer } from '../options/names.js';
import type { Rng } from '../util/rng.js';

/** The error for `--init file` on a model that was not read from a file. */
export function fileOnly(): InvalidOptionError {
  return new InvalidOptionError(`--init file keeps the weights of an imported graph: it needs --model path/to/net.onnx. Use he, glorot, lecun or pytorch for l2lab's own models.`);
}

/** Variance of one weight under the initializer: E‖W‖² = fan_in·fan_out·variance per layer. */
export function weightVariance(init: Initializer, fanIn: number, fanOut: number): number {
  switch (init) {
    case 'he':
      return 2 / fanIn;
    case 'glorot':
      return 2 / (fanIn + fanOut);
    case 'lecun':
      return 1 / fanIn;
    case 'pytorch':
      return 1 / (3 * fanIn);
    case 'file':
      throw fileOnly();
  }
}

/** How a tensor starts: drawn as a weight or a bias, or a constant (normalization scale and running variance 1, shift and running mean 0). */
export type InitRole = 'weight' | 'bias' | 'ones' | 'zeros';

/** Fills `out` for a tensor of the given role under `init`, drawing from `rng`. */
export function fillRole(role: InitRole, init: Initializer, fanIn: number, fanOut: number, rng: Rng, out: Float64Array): void {
  if (role === 'ones') out.fill(1);
  if (role === 'ones' || role === 'zeros') return;
  if (role === 'bias') {
    if (init === 'pytorch') for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) / Math.sqrt(fanIn);
    return;
  }
  const v = weightVariance(init, fanIn, fanOut);
  if (init === 'he' || init === 'lecun') for (let i = 0; i < out.length; i++) out[i] = rng.normal() * Math.sqrt(v);
  else {
    const a = Math.sqrt(3 * v);
    for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * a;
  }
}
