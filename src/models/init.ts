/** Seeded weight initializers: He, Glorot, LeCun and PyTorch's nn.Linear default; `file` keeps an imported graph's own weights. */
import type { Initializer } from '../options/names.js';
import { Rng } from '../util/rng.js';
import type { Architecture } from './architecture.js';
import type { ParamShape } from './param-shape.js';
import { paramShapes } from './architecture.js';
import { initImported } from '../onnx-import/weights.js';
import { fileOnly, fillRole, type InitRole } from '../params/draw.js';

/** The initializer when none is given: the file's weights for an imported graph, He for ReLU/GELU, Glorot otherwise. */
export function defaultInitializer(arch: Architecture): Initializer {
  if (arch.onnx) return 'file';
  return arch.activation === 'relu' || arch.activation === 'gelu' ? 'he' : 'glorot';
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
