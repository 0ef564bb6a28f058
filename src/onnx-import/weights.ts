/** An imported graph's starting parameters: the file's own weights, or a re-initialization by role (He, Glorot, LeCun, PyTorch's default). */
import { InvalidOptionError } from '../errors.js';
import { fillRole } from '../params/draw.js';
import type { Initializer } from '../options/names.js';
import { Rng } from '../util/rng.js';
import type { ImportedNet } from './net.js';

/** The file's weights, kept beside each imported net (not in it: the net stays small, plain JSON). */
const FILE_WEIGHTS = new WeakMap<ImportedNet, Float64Array[]>();

export function rememberWeights(net: ImportedNet, weights: Float64Array[]): void {
  FILE_WEIGHTS.set(net, weights);
}

/** The weights stored in the file, in net.params order (copies: training must not change them). */
export function fileWeights(net: ImportedNet): Float64Array[] {
  const w = FILE_WEIGHTS.get(net);
  if (!w) throw new InvalidOptionError(`The weights of ${net.file} are not loaded: import the model with parseModelSpec('${net.file}', …) in this process.`);
  return w.map((a) => Float64Array.from(a));
}

/**
 * Starting parameters: `file` the stored weights; any other initializer draws weights by their
 * fan-in and fan-out and sets biases to 0 (PyTorch: U(±1/√fan_in)), normalization scales and
 * running variances to 1, shifts and running means to 0.
 */
export function initImported(net: ImportedNet, init: Initializer, seed: number): Float64Array[] {
  if (init === 'file') return fileWeights(net);
  const rng = new Rng(seed);
  return net.params.map((p, i) => {
    const out = new Float64Array(p.size);
    const role = p.role === 'weight' ? 'weight' : p.role === 'bias' ? 'bias' : p.role === 'scale' || p.role === 'variance' ? 'ones' : 'zeros';
    fillRole(role, init, p.fanIn, p.fanOut, rng.fork(i), out);
    return out;
  });
}
