/** Seeded weight initializers: He, Glorot, LeCun and PyTorch's nn.Linear default; `file` keeps an imported graph's own weights. */
import { InvalidOptionError } from '../errors.js';
import type { Initializer } from '../options/names.js';
import { Rng } from '../util/rng.js';
import type { Architecture } from './architecture.js';
import type { ParamShape } from './param-shape.js';
import { paramShapes } from './architecture.js';
import { initImported } from '../onnx-import/weights.js';

/** The initializer when none is given: the file's weights for an imported graph, He for ReLU/GELU, Glorot otherwise. */
export function defaultInitializer(arch: Architecture): Initializer {
  if (arch.onnx) return 'file';
  return arch.activation === 'relu' || arch.activation === 'gelu' ? 'he' : 'glorot';
}

function fileOnly(): InvalidOptionError {
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

function roleOf(p: ParamShape): InitRole {
  // Normalization layers start as the identity: scale 1, shift 0, running mean 0 and variance 1.
  if (p.kind === 'scale' || (p.kind === 'running' && p.name.startsWith('var'))) return 'ones';
  if (p.kind === 'shift' || p.kind === 'running') return 'zeros';
  return p.kind === 'bias' ? 'bias' : 'weight';
}

/** Initial parameters of one model (float64, row-major [fanIn, fanOut] weights), seeded; an imported graph's in its own layout. */
export function initParams(arch: Architecture, init: Initializer, seed: number): Float64Array[] {
  if (arch.onnx) return initImported(arch.onnx, init, seed);
  if (init === 'file') throw fileOnly();
  const rng = new Rng(seed);
  return paramShapes(arch).map((p) => {
    const out = new Float64Array(p.size);
    fillRole(roleOf(p), init, p.fanIn, p.fanOut, rng.fork(p.layer * 2 + (p.kind === 'bias' ? 1 : 0)), out);
    return out;
  });
}
