/**
 * q_L(x) of a `cnn:` model at initialization: the variance of each output over the random weights,
 * propagated through convolutions (fan-in k·k·C_in), pools, normalization layers as they evaluate
 * at initialization, and the dense layers.
 */
import { planAxis, type Padding } from '../graph/conv-ops.js';
import { NORM_EPS } from '../graph/norm-ops.js';
import type { Architecture } from '../models/architecture.js';
import type { CnnStem, Norm } from '../models/cnn-spec.js';
import { weightVariance } from '../params/draw.js';
import type { Initializer } from '../options/names.js';
import { activationSecondMoment } from './gaussian.js';
import { biasVariance } from './init-penalty.js';

/** For each input index of one axis, how many of a window op's windows cover it. */
function coverCounts(size: number, k: number, s: number, padding: Padding): number[] {
  const plan = planAxis(size, k, s, padding);
  const counts = new Array<number>(size).fill(0);
  for (let o = 0; o < plan.out; o++) for (let i = Math.max(o * s - plan.before, 0); i < Math.min(o * s - plan.before + k, size); i++) counts[i]++;
  return counts;
}

/** Mean over the outputs of one axis of the fraction of a window's k taps inside the input (below 1 only with 'same' padding). */
function coverage(size: number, k: number, s: number, padding: Padding): number {
  return coverCounts(size, k, s, padding).reduce((a, b) => a + b, 0) / (planAxis(size, k, s, padding).out * k);
}

/**
 * q_L(x) for one standardized image row x (channels last, starting at `offset`), the mean-field
 * recursion of outputVariance through the stem, tracking E[a²], the mean second moment of the
 * current tensor's elements:
 *
 * - the first convolution exactly: E z² = v₀·‖patch_p(x)‖² + b, averaged over the output positions p;
 * - a later convolution or dense layer: E z² = v·fan_in·c·E[a²] + b, with fan_in = k·k·C_in and c the
 *   mean fraction of a window inside the input ('same' pads with zeros; c = 1 for dense layers) —
 *   exact for any inputs, since the weights are zero-mean and independent of them;
 * - BatchNorm at initialization evaluates with running mean 0 and variance 1: z/√(1 + ε); LayerNorm
 *   standardizes each row's features: E z² = 1;
 * - a = φ(z) with z ~ N(0, E z²): E φ² (ReLU exactly: E z²/2);
 * - a pool leaves E[a²] as it is: neighbouring positions of a natural image's feature maps are nearly
 *   equal. For a max-pool this is a lower bound (the max of a window is at least each of its
 *   elements), for an average pool an upper bound (Jensen). Independent positions would move either
 *   far more than images do: on 300 Fashion-MNIST rows, cnn:c16k5,p2,c32k5,p2,f128's init loss is
 *   2.64 ± 0.12 (12 seeds), 2.45 from this recursion, 3.49 with the max of independent positions.
 */
export function cnnOutputVariance(arch: Architecture, stem: CnnStem, init: Initializer, x: ArrayLike<number>, offset: number): number {
  let [h, w, c] = [stem.image.height, stem.image.width, stem.image.channels];
  let meanSq = 0;
  const activate = (q: number, norm: Norm | null): number => activationSecondMoment(arch.activation, norm === 'bn' ? q / (1 + NORM_EPS) : norm === 'ln' ? 1 : q);
  let first = true;
  for (const l of stem.layers) {
    if (l.kind === 'pool') {
      [h, w] = [Math.floor(h / l.size), Math.floor(w / l.size)];
      continue;
    }
    const fanIn = l.kernel * l.kernel * c;
    const rows = planAxis(h, l.kernel, l.stride, l.padding);
    const cols = planAxis(w, l.kernel, l.stride, l.padding);
    let energy: number;
    if (first) {
      const rowCover = coverCounts(h, l.kernel, l.stride, l.padding);
      const colCover = coverCounts(w, l.kernel, l.stride, l.padding);
      let covered = 0;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) covered += x[offset + (i * w + j) * c + k] ** 2 * rowCover[i] * colCover[j];
      energy = covered / (rows.out * cols.out);
    } else energy = fanIn * coverage(h, l.kernel, l.stride, l.padding) * coverage(w, l.kernel, l.stride, l.padding) * meanSq;
    meanSq = activate(weightVariance(init, fanIn, l.filters) * energy + biasVariance(init, fanIn), l.norm);
    [h, w, c] = [rows.out, cols.out, l.filters];
    first = false;
  }
  let fanIn = h * w * c;
  const L = arch.widths.length - 1;
  for (let j = 1; j < L; j++) {
    meanSq = activate(weightVariance(init, fanIn, arch.widths[j]) * fanIn * meanSq + biasVariance(init, fanIn), stem.denseNorm[j - 1] ?? null);
    fanIn = arch.widths[j];
  }
  return weightVariance(init, fanIn, arch.widths[L]) * fanIn * meanSq + biasVariance(init, fanIn);
}
