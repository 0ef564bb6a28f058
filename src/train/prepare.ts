/** Splits a dataset and scales features with statistics of the training split only. */
import { InvalidOptionError } from '../errors.js';
import { splitIndices, standardizeSplits, subset, type Dataset, type SplitIndices, type Standardizer } from '../data/index.js';

/**
 * on: z-score every feature; off: leave features as they are; auto (default): z-score unless every
 * value already lies in [0, 1] (pixel intensities: per-pixel z-scores would blow up nearly-constant
 * border pixels).
 */
export type Scaling = 'auto' | 'on' | 'off';

export interface PreparedSplits {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  standardizer: Standardizer;
  indices: SplitIndices;
}

export function inUnitInterval(data: Dataset): boolean {
  for (const v of data.x) if (v < 0 || v > 1) return false;
  return true;
}

export function prepareSplits(data: Dataset, o: { validation: number; test: number; seed: number; scaling?: Scaling }): PreparedSplits {
  const indices = splitIndices(data, { validation: o.validation, test: o.test, seed: o.seed });
  for (const [name, rows] of Object.entries(indices) as [string, Int32Array][]) {
    const fraction = name === 'validation' ? o.validation : name === 'test' ? o.test : 1 - o.validation - o.test;
    if (rows.length === 0 && fraction > 0) throw new InvalidOptionError(`The ${name} split of ${data.name} is empty (n = ${data.n}, fraction ${fraction}). Use a larger dataset or a larger --${name} fraction.`);
    if (rows.length === 0 && name === 'train') throw new InvalidOptionError(`The training split of ${data.name} is empty (n = ${data.n}). Lower --validation / --test.`);
  }
  const scale = (o.scaling ?? 'auto') === 'on' || ((o.scaling ?? 'auto') === 'auto' && !inUnitInterval(data));
  if (scale) return { ...standardizeSplits(data, indices), indices };
  const identity: Standardizer = { mean: new Array(data.d).fill(0), std: new Array(data.d).fill(1) };
  return { train: subset(data, indices.train), validation: subset(data, indices.validation), test: subset(data, indices.test), standardizer: identity, indices };
}
