/** IDX loader (the MNIST format): uint8 images (idx3) scaled to [0, 1] plus uint8 labels (idx1), gzipped or not. */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InvalidDataError, InvalidOptionError } from '../errors.js';
import type { ClassificationDataset } from './dataset.js';
import { readInput } from './read-input.js';

const MAGIC = { 1: 0x00000801, 3: 0x00000803 } as const;
const KIND = { 1: 'labels', 3: 'images' } as const;

export interface IdxOptions {
  /** Class names, label i naming class i. Default: `'0'`, `'1'`, … up to `numClasses`. */
  classes?: readonly string[];
  /**
   * Labels must lie in [0, numClasses). Default: `classes.length`, else the largest label + 1, and
   * then every class below it must have a sample (a stray label of 200 among digits is refused, not
   * turned into 201 classes).
   */
  numClasses?: number;
}

/** One images file and the labels file that goes with it. */
export interface IdxPair {
  images: string;
  labels: string;
}

/**
 * Loads MNIST-format images and labels: d = rows × cols features, pixel / 255.
 * @example loadIdx('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz')
 */
export function loadIdx(images: string, labels: string, options: IdxOptions = {}): ClassificationDataset {
  return loadIdxPairs([{ images, labels }], images, options);
}

/** Loads several image/label pairs (e.g. train then t10k) into one dataset, in the order given. */
export function loadIdxPairs(pairs: IdxPair[], name: string, options: IdxOptions = {}): ClassificationDataset {
  const parts = pairs.map(({ images, labels }) => {
    const img = readIdx(readInput(images), images, 3);
    const lab = readIdx(readInput(labels), labels, 1);
    if (img.dims[0] !== lab.dims[0]) {
      throw new InvalidDataError(
        `${images} has ${img.dims[0]} images but ${labels} has ${lab.dims[0]} labels. Pass the labels file that belongs to these images (same prefix, e.g. train- with train-).`,
      );
    }
    return { images, rows: img.dims[1], cols: img.dims[2], pixels: img.data, labels: lab.data, labelsFile: labels };
  });
  const { rows, cols } = parts[0];
  const odd = parts.find((p) => p.rows !== rows || p.cols !== cols);
  if (odd) {
    throw new InvalidDataError(`${odd.images} holds ${odd.rows}×${odd.cols} images but ${parts[0].images} holds ${rows}×${cols}. Load image sets of one size together.`);
  }
  const n = parts.reduce((s, p) => s + p.labels.length, 0);
  const d = rows * cols;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  let offset = 0;
  for (const p of parts) {
    for (let k = 0; k < p.pixels.length; k++) x[offset * d + k] = p.pixels[k] / 255;
    y.set(p.labels, offset);
    offset += p.labels.length;
  }
  const declared = options.numClasses ?? options.classes?.length;
  const numClasses = declared ?? y.reduce((m, v) => Math.max(m, v), 0) + 1;
  for (const p of parts) {
    const i = p.labels.findIndex((v) => v >= numClasses);
    if (i >= 0) {
      const known = options.classes ? `the classes are ${options.classes.length <= 10 ? options.classes.join(', ') : `${options.classes.slice(0, 10).join(', ')}, …`}` : `there are ${numClasses} classes`;
      throw new InvalidDataError(`${p.labelsFile}, label ${i}: class label ${p.labels[i]} is out of range: ${known}, so labels must be in [0, ${numClasses - 1}]. Pass the matching labels file, or drop the samples of other classes.`);
    }
  }
  if (declared === undefined) refuseEmptyClasses(parts, numClasses);
  const featureNames: string[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) featureNames.push(`px${r}_${c}`);
  return {
    name,
    n,
    d,
    x,
    featureNames,
    image: { height: rows, width: cols, channels: 1 },
    task: 'classification',
    y,
    classes: options.classes ? [...options.classes] : Array.from({ length: numClasses }, (_, i) => String(i)),
    targetName: 'label',
  };
}

/**
 * Parses an IDX uint8 buffer (gunzipping it when it starts with 1f 8b), checking the magic number
 * and that the byte count matches the dimensions in the header.
 */
export function readIdx(buffer: Buffer, file: string, ndim: 1 | 3): { dims: number[]; data: Uint8Array } {
  const raw = isGzip(buffer) ? gunzip(buffer, file) : buffer;
  const after = raw === buffer ? '' : ' after gunzip';
  const header = 4 + 4 * ndim;
  if (raw.length < 4) {
    throw new InvalidDataError(`${file}: expected at least ${header} header bytes but the file has ${raw.length}${after}. The file is truncated: re-download it.`);
  }
  const magic = raw.readUInt32BE(0);
  if (magic !== MAGIC[ndim]) {
    const other = ndim === 3 ? 1 : 3;
    const fix =
      magic === MAGIC[other]
        ? `It is an IDX ${KIND[other]} file: the images and labels paths look swapped.`
        : 'Pass an IDX file in the MNIST format (e.g. train-images-idx3-ubyte or .gz).';
    throw new InvalidDataError(`${file}: wrong magic number 0x${hex(magic)}, expected 0x${hex(MAGIC[ndim])} (IDX uint8 ${KIND[ndim]}, ${ndim}-dimensional). ${fix}`);
  }
  if (raw.length < header) {
    throw new InvalidDataError(`${file}: expected a ${header}-byte header but the file has ${raw.length} bytes${after}. The file is truncated: re-download it.`);
  }
  const dims = Array.from({ length: ndim }, (_, k) => raw.readUInt32BE(4 + 4 * k));
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (raw.length !== expected) {
    throw new InvalidDataError(
      `${file}: expected ${expected} bytes (${header}-byte header + ${dims.join('×')} values) but the file has ${raw.length}${after}. ${
        raw.length < expected ? 'The file is truncated' : 'The file has trailing bytes'
      }: re-download it.`,
    );
  }
  return { dims, data: raw.subarray(header) };
}

/**
 * The labels file next to an images file, by the MNIST naming (`train-images-idx3-ubyte.gz` →
 * `train-labels-idx1-ubyte.gz`); undefined when the name does not follow it or the file is absent.
 */
export function labelsPathFor(images: string): string | undefined {
  const name = basename(images);
  const labels = name.replace('images', 'labels').replace('idx3', 'idx1');
  const path = join(dirname(images), labels);
  return labels !== name && existsSync(path) ? path : undefined;
}

/** `labelsPathFor`, or an InvalidOptionError asking for the 'labels' option. */
export function requireLabelsPath(images: string): string {
  const labels = labelsPathFor(images);
  if (labels === undefined) {
    throw new InvalidOptionError(
      `Cannot find the labels file for ${images} (looked for the same name with 'images'→'labels' and 'idx3'→'idx1'). Pass its path with the 'labels' option.`,
    );
  }
  return labels;
}

function isGzip(buffer: Buffer): boolean {
  return buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}

function gunzip(buffer: Buffer, file: string): Buffer {
  try {
    return gunzipSync(buffer);
  } catch (e) {
    throw new InvalidDataError(`${file}: corrupt gzip data (${(e as Error).message}). Re-download the file, or pass the uncompressed IDX file.`);
  }
}

function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}

/**
 * Undeclared classes are 0 … the largest label; one with no sample means a stray label (a 200 among
 * digits would make a 201-class model), so the data is refused, naming the first label past the gap.
 */
function refuseEmptyClasses(parts: readonly { labels: Uint8Array; labelsFile: string }[], numClasses: number): void {
  const seen = new Uint8Array(numClasses);
  for (const p of parts) for (const v of p.labels) seen[v] = 1;
  const empty = seen.indexOf(0);
  if (empty < 0) return;
  for (const p of parts) {
    const i = p.labels.findIndex((v) => v > empty);
    if (i >= 0) {
      throw new InvalidDataError(
        `${p.labelsFile}, label ${i}: class label ${p.labels[i]} leaves class ${empty} without a sample: IDX labels must be 0, 1, …, K−1 with every class present, or the model gets ${numClasses} classes. Fix or drop that sample, or pass the matching labels file.`,
      );
    }
  }
}
