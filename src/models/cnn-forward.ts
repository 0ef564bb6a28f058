/** The forward pass of a `cnn:` architecture: convolutions, pools and normalization layers, then the dense layers. */
import type { Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { avgPool, conv2d, flatten, imagesFromRows, maxPool } from '../graph/conv-ops.js';
import { batchNormEval, batchNormTrain, BN_MOMENTUM, layerNorm, perChannelCount, runningAverage } from '../graph/norm-ops.js';
import type { Architecture } from './architecture.js';
import { cnnParamShapes, type CnnLayer, type Norm } from './cnn-spec.js';
import { activate } from './activation.js';

export interface CnnForwardOptions {
  /** Training: BatchNorm uses the batch's statistics and returns updated running averages. */
  training: boolean;
  /** 0/1 keep-masks per dense hidden layer (inverted dropout where its probability is > 0). */
  keepMasks?: (Value | undefined)[];
  /** Intra-op threads the graph will run on: one thread takes convolutions' input gradients by ConvTranspose (see ConvOptions.inputGradient). Default: more than one. */
  threads?: number;
}

export interface CnnForward {
  logits: Value;
  /** Training mode: the next value of each BatchNorm running statistic, by parameter index. */
  running: Map<number, Value>;
}

/**
 * Logits for x [B, H·W·C] (pixels row-major, channels last, as IDX stores them); `params` in
 * cnnParamShapes order. The image layers run channels-first [B, C, H, W] (ORT's Conv layout) from
 * the input on; the flatten returns to channels-last order, so the first dense weight's rows mean
 * what they always have.
 */
export function forwardCnn(arch: Architecture, x: Value, params: Value[], o: CnnForwardOptions): CnnForward {
  const stem = arch.cnn!;
  const shapes = cnnParamShapes(stem, arch.widths);
  const index = new Map(shapes.map((p, i) => [p.name, i]));
  const param = (name: string) => params[index.get(name)!];
  const maybe = (name: string) => (index.has(name) ? param(name) : undefined);
  const running = new Map<number, Value>();

  const normalize = (h: Value, l: number, norm: Norm | null): Value => {
    if (norm === 'ln') return layerNorm(h, param(`gamma${l}`), param(`beta${l}`));
    if (norm !== 'bn') return h;
    if (!o.training) return batchNormEval(h, param(`gamma${l}`), param(`beta${l}`), param(`mean${l}`), param(`var${l}`));
    const bn = batchNormTrain(h, param(`gamma${l}`), param(`beta${l}`));
    // PyTorch's running variance uses the unbiased batch variance: count = elements per channel.
    const count = perChannelCount(h);
    running.set(index.get(`mean${l}`)!, runningAverage(param(`mean${l}`), bn.mean, BN_MOMENTUM));
    running.set(index.get(`var${l}`)!, runningAverage(param(`var${l}`), bn.variance, BN_MOMENTUM, count));
    return bn.y;
  };

  const { height, width, channels } = stem.image;
  let h = imagesFromRows(x, height, width, channels);
  let layer = 0;
  for (const [i, l] of stem.layers.entries()) {
    if (l.kind === 'pool') {
      if (!pooledFirst(arch, stem.layers[i - 1], l)) h = (l.pool === 'max' ? maxPool : avgPool)(h, { kernel: l.size });
      continue;
    }
    const inputGradient = o.threads === 1 ? 'convTranspose' : 'conv';
    h = normalize(conv2d(h, param(`W${layer}`), maybe(`b${layer}`), { filters: l.filters, kernel: l.kernel, stride: l.stride, padding: l.padding, inputGradient }), layer, l.norm);
    const next = stem.layers[i + 1];
    if (next?.kind === 'pool' && pooledFirst(arch, l, next)) h = maxPool(h, { kernel: next.size });
    h = activate(arch.activation, h);
    layer++;
  }
  h = flatten(h);
  const hidden = arch.widths.length - 2;
  for (let j = 0; j <= hidden; j++, layer++) {
    const b = maybe(`b${layer}`);
    h = b ? op.gemm(h, param(`W${layer}`), b) : op.gemm(h, param(`W${layer}`));
    if (j === hidden) break;
    h = activate(arch.activation, normalize(h, layer, stem.denseNorm[j]));
    const mask = o.keepMasks?.[j];
    if (mask && arch.dropout[j] > 0) h = op.dropout(h, mask, arch.dropout[j]);
  }
  return { logits: h, running };
}

/**
 * ReLU then max-pool equals max-pool then ReLU, values and gradients alike (ReLU is monotone, a
 * window's first maximum is the same either way wherever the gradient is not zeroed, and ReLU's
 * gradient at 0 is 0 in both frameworks): pooling first runs the activation and its gradient on a
 * k²-times smaller tensor.
 */
function pooledFirst(arch: Architecture, before: CnnLayer | undefined, pool: CnnLayer): boolean {
  return arch.activation === 'relu' && before?.kind === 'conv' && pool.kind === 'pool' && pool.pool === 'max';
}
