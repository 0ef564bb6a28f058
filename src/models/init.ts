/** Seeded weight initializers: He, Glorot, LeCun and PyTorch's nn.Linear default. */
import type { Initializer } from '../options/names.js';
import { Rng } from '../util/rng.js';
import type { Architecture } from './architecture.js';
import type { ParamShape } from './param-shape.js';
import { paramShapes } from './architecture.js';

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
  }
}

function fill(p: ParamShape, init: Initializer, rng: Rng, out: Float64Array): void {
  // Normalization layers start as the identity: scale 1, shift 0, running mean 0 and variance 1.
  if (p.kind === 'scale' || (p.kind === 'running' && p.name.startsWith('var'))) {
    out.fill(1);
    return;
  }
  if (p.kind === 'shift' || p.kind === 'running') return;
  if (p.kind === 'bias') {
    if (init === 'pytorch') for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) / Math.sqrt(p.fanIn);
    return;
  }
  const v = weightVariance(init, p.fanIn, p.fanOut);
  if (init === 'he' || init === 'lecun') for (let i = 0; i < out.length; i++) out[i] = rng.normal() * Math.sqrt(v);
  else {
    const a = Math.sqrt(3 * v);
    for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * a;
  }
}

/** Initial parameters of one model (float64, row-major [fanIn, fanOut] weights), seeded. */
export function initParams(arch: Architecture, init: Initializer, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return paramShapes(arch).map((p) => {
    const out = new Float64Array(p.size);
    fill(p, init, rng.fork(p.layer * 2 + (p.kind === 'bias' ? 1 : 0)), out);
    return out;
  });
}
