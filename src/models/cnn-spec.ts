/**
 * The `cnn:` model spec: its grammar, the shapes it computes on an image, and its parameter list.
 *
 * Grammar (comma-separated tokens after `cnn:`):
 * - `c<F>k<K>[s<S>][v]`: convolution with F filters K×K, stride S (default 1), 'same' padding
 *   (`v`: 'valid'), then the activation;
 * - `p<K>` max-pooling K×K with stride K; `a<K>` average-pooling likewise;
 * - `f<W>` a dense layer of W units, then the activation (and `--dropout`);
 * - `bn` / `ln` right after a `c…` or `f…` token: BatchNorm / LayerNorm between that layer and its
 *   activation (a layer followed by BatchNorm has no bias: BatchNorm's shift replaces it).
 * Convolutions and pools come before the dense layers; the output layer is added after the last.
 * @example cnn:c16k5,bn,p2,c32k5,bn,p2,f128
 */
import { InvalidOptionError } from '../errors.js';
import { windowOutput, type Padding } from '../graph/conv-ops.js';
import type { ParamShape } from './param-shape.js';

/** An image's shape, as IDX files give it (channels 1 for MNIST-style data). */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export type Norm = 'bn' | 'ln';

export type CnnLayer =
  | { kind: 'conv'; filters: number; kernel: number; stride: number; padding: Padding; norm: Norm | null }
  | { kind: 'pool'; pool: 'max' | 'avg'; size: number };

/** What a `cnn:` spec adds to an Architecture (whose widths are [d, dense…, out]). */
export interface CnnStem {
  image: ImageShape;
  layers: CnnLayer[];
  /** Normalization after each dense hidden layer (null = none). */
  denseNorm: (Norm | null)[];
}

type Hwc = [number, number, number];

/** Each layer's output [H, W, C] (channels last), from the image on. */
export function traceCnn(stem: CnnStem): Hwc[] {
  const shapes: Hwc[] = [[stem.image.height, stem.image.width, stem.image.channels]];
  for (const l of stem.layers) {
    const [h, w, c] = shapes[shapes.length - 1];
    const o = l.kind === 'conv' ? { kernel: l.kernel, stride: l.stride, padding: l.padding } : { kernel: l.size, stride: l.size, padding: 'valid' as const };
    const k = o.kernel;
    const [ho, wo] = windowOutputOrNull(h, w, o) ?? refuse(stem, shapes, `${layerToken(l)} (${k}×${k} window${o.stride > 1 ? `, stride ${o.stride}` : ''}, '${o.padding}') on ${h}×${w}×${c} leaves less than 1×1`);
    shapes.push([ho, wo, l.kind === 'conv' ? l.filters : c]);
  }
  return shapes;
}

function windowOutputOrNull(h: number, w: number, o: { kernel: number; stride: number; padding: Padding }): [number, number] | undefined {
  try {
    return windowOutput('cnn', h, w, o);
  } catch {
    return undefined;
  }
}

function refuse(stem: CnnStem, shapes: Hwc[], what: string): never {
  const path = shapes.map(([h, w, c], i) => (i === 0 ? `input ${h}×${w}×${c}` : `${layerToken(stem.layers[i - 1])} → ${h}×${w}×${c}`)).join(', ');
  throw new InvalidOptionError(`Model spec does not fit the ${stem.image.height}×${stem.image.width}×${stem.image.channels} images: ${path}; then ${what}. Remove a pooling layer, use smaller kernels or stride, or 'same' padding.`);
}

function layerToken(l: CnnLayer): string {
  if (l.kind === 'pool') return `${l.pool === 'max' ? 'p' : 'a'}${l.size}`;
  return `c${l.filters}k${l.kernel}${l.stride !== 1 ? `s${l.stride}` : ''}${l.padding === 'valid' ? 'v' : ''}${l.norm ? `,${l.norm}` : ''}`;
}

/** Features after the last convolution or pool (the flatten). */
export function flatSize(stem: CnnStem): number {
  const [h, w, c] = traceCnn(stem)[stem.layers.length];
  return h * w * c;
}

/**
 * Parses the part after `cnn:`; `inputs` is the dataset's feature count, which must equal the
 * image's pixels × channels. Returns the stem and the dense hidden widths.
 */
export function parseCnnSpec(spec: string, inputs: number, image: ImageShape | undefined): { stem: CnnStem; dense: number[] } {
  const body = spec.slice(spec.indexOf(':') + 1);
  if (!image) {
    throw new InvalidOptionError(`Model spec '${spec}' needs images, but the data is tabular (${inputs} features, no height × width). Use an IDX image dataset (e.g. mnist-10k, fashion-mnist), or an mlp: model.`);
  }
  if (image.height * image.width * image.channels !== inputs) throw new InvalidOptionError(`Model spec '${spec}': the data has ${inputs} features but its images are ${image.height}×${image.width}×${image.channels}.`);
  const layers: CnnLayer[] = [];
  const dense: number[] = [];
  const denseNorm: (Norm | null)[] = [];
  const bad = (token: string, why: string) => new InvalidOptionError(`Model spec '${spec}': '${token}' ${why}. Tokens: c<filters>k<kernel>[s<stride>][v], p<k>, a<k>, f<units>, bn, ln (e.g. cnn:c16k5,bn,p2,c32k5,p2,f128).`);
  const tokens = body.split(',').map((t) => t.trim());
  tokens.forEach((t, i) => {
    let m: RegExpMatchArray | null;
    if (t === 'bn' || t === 'ln') {
      const prev = tokens[i - 1] ?? '';
      if (dense.length > 0 && /^f\d+$/.test(prev) && denseNorm[dense.length - 1] === null) denseNorm[dense.length - 1] = t;
      else {
        const last = layers[layers.length - 1];
        if (dense.length > 0 || !last || last.kind !== 'conv' || last.norm !== null || !/^c/.test(prev)) throw bad(t, 'must follow a convolution (c…) or dense (f…) token');
        last.norm = t;
      }
    } else if ((m = t.match(/^c(\d+)k(\d+)(?:s(\d+))?(v?)$/))) {
      if (dense.length > 0) throw bad(t, 'comes after a dense layer: convolutions and pools come first');
      const [filters, kernel, stride] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)];
      if (filters < 1 || kernel < 1 || stride < 1) throw bad(t, 'needs positive filters, kernel and stride');
      layers.push({ kind: 'conv', filters, kernel, stride, padding: m[4] ? 'valid' : 'same', norm: null });
    } else if ((m = t.match(/^([pa])(\d+)$/))) {
      if (dense.length > 0) throw bad(t, 'comes after a dense layer: convolutions and pools come first');
      if (Number(m[2]) < 1) throw bad(t, 'needs a positive window size');
      layers.push({ kind: 'pool', pool: m[1] === 'p' ? 'max' : 'avg', size: Number(m[2]) });
    } else if ((m = t.match(/^f(\d+)$/))) {
      if (Number(m[1]) < 1) throw bad(t, 'needs a positive number of units');
      dense.push(Number(m[1]));
      denseNorm.push(null);
    } else throw bad(t, 'is not a layer');
  });
  if (!layers.some((l) => l.kind === 'conv')) throw new InvalidOptionError(`Model spec '${spec}' has no convolution: add one (e.g. cnn:c16k5,p2,f128), or use mlp:….`);
  const stem: CnnStem = { image, layers, denseNorm };
  traceCnn(stem);
  return { stem, dense };
}

/**
 * Parameters in order, layer by layer (convolutions, then dense layers, then the output): `W<l>`
 * (a conv's kernel is [k·k·C, F], HWIO flattened); then `b<l>` unless BatchNorm follows; then for a
 * normalized layer `gamma<l>`, `beta<l>` and, for BatchNorm, the running `mean<l>`, `var<l>`.
 */
export function cnnParamShapes(stem: CnnStem, widths: number[]): ParamShape[] {
  const out: ParamShape[] = [];
  const add = (layer: number, fanIn: number, fanOut: number, norm: Norm | null) => {
    out.push({ name: `W${layer}`, kind: 'weight', layer, fanIn, fanOut, size: fanIn * fanOut });
    const vec = (name: string, kind: ParamShape['kind']) => out.push({ name: `${name}${layer}`, kind, layer, fanIn, fanOut, size: fanOut });
    if (norm !== 'bn') vec('b', 'bias');
    if (norm) {
      vec('gamma', 'scale');
      vec('beta', 'shift');
    }
    if (norm === 'bn') {
      vec('mean', 'running');
      vec('var', 'running');
    }
  };
  const shapes = traceCnn(stem);
  let layer = 0;
  stem.layers.forEach((l, i) => {
    if (l.kind === 'conv') add(layer++, l.kernel * l.kernel * shapes[i][2], l.filters, l.norm);
  });
  const [h, w, c] = shapes[stem.layers.length];
  const dense = [h * w * c, ...widths.slice(1)];
  for (let j = 0; j + 1 < dense.length; j++) add(layer++, dense[j], dense[j + 1], j < stem.denseNorm.length ? stem.denseNorm[j] : null);
  return out;
}

/** e.g. `cnn 28×28×1 c16k5,bn,p2,f128 → 10`. */
export function describeCnn(stem: CnnStem, widths: number[]): string {
  const dense = widths.slice(1, -1).map((w, j) => `f${w}${stem.denseNorm[j] ? `,${stem.denseNorm[j]}` : ''}`);
  return `cnn ${stem.image.height}×${stem.image.width}×${stem.image.channels} ${[...stem.layers.map(layerToken), ...dense].join(',')} → ${widths[widths.length - 1]}`;
}
