/** Loads every images/labels pair in a directory of IDX files, training files first. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidDataError } from '../errors.js';
import type { ClassificationDataset } from './dataset.js';
import { loadIdxPairs, requireLabelsPath, type IdxOptions } from './idx.js';

/**
 * Pairs each `*images*idx3*` file with its `*labels*idx1*` file and concatenates them, files whose
 * name starts with `train` first, then the rest by name (so MNIST gives its 60,000 then its 10,000).
 * @example loadIdxDir('/usr/share/datasets/fashion-mnist')
 */
export function loadIdxDir(dir: string, options: IdxOptions = {}): ClassificationDataset {
  const images = listDir(dir)
    .filter((f) => f.includes('images') && f.includes('idx3'))
    .sort((a, b) => Number(b.startsWith('train')) - Number(a.startsWith('train')) || a.localeCompare(b));
  if (images.length === 0) {
    throw new InvalidDataError(`${dir}: no IDX image files (names containing 'images' and 'idx3', like train-images-idx3-ubyte.gz). Pass a directory of MNIST-format files, or the images file itself.`);
  }
  const pairs = images.map((f) => ({ images: join(dir, f), labels: requireLabelsPath(join(dir, f)) }));
  return loadIdxPairs(pairs, dir, options);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InvalidDataError(`Cannot read dataset directory ${dir} (${code}). Check that the path is right and names a directory.`);
  }
}
