/** Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70,000 28×28 clothing images in 10 classes, from Debian's package. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MissingDependencyError } from '../errors.js';
import type { ClassificationDataset } from './dataset.js';
import { loadIdxPairs } from './idx.js';

/** Where Debian's `dataset-fashion-mnist` installs the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The four files, training (60,000) before test (10,000). */
function pairs(dir: string): { images: string; labels: string }[] {
  return ['train', 't10k'].map((p) => ({ images: join(dir, `${p}-images-idx3-ubyte.gz`), labels: join(dir, `${p}-labels-idx1-ubyte.gz`) }));
}

export function fashionMnistAvailable(dir = FASHION_MNIST_DIR): boolean {
  return pairs(dir).every((p) => existsSync(p.images) && existsSync(p.labels));
}

/** The 60,000 training images then the 10,000 test images, pixels in [0, 1]. */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): ClassificationDataset {
  const missing = pairs(dir)
    .flatMap((p) => [p.images, p.labels])
    .find((f) => !existsSync(f));
  if (missing !== undefined) {
    throw new MissingDependencyError(
      `Fashion-MNIST is not installed: ${missing} is missing. Install it with \`apt-get install -y dataset-fashion-mnist\` (Debian), or pass a directory of Fashion-MNIST IDX files to loadDataset.`,
    );
  }
  return loadIdxPairs(pairs(dir), 'fashion-mnist', { classes: FASHION_MNIST_CLASSES });
}
