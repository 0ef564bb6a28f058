/** The problems of bench:tune's Optuna section: data and training options, the same for every tool. */
import { loadDataset, subsample, subset, type Dataset } from '../src/data/index.js';
import type { TuneOptions } from '../src/tune/strategy.js';

export interface Problem {
  name: string;
  data: () => Dataset | string;
  base: Omit<TuneOptions, 'strategy' | 'data' | 'seed'>;
}

const common = { optimizer: 'momentum' as const, momentum: 0.9, lr: 0.1, epochs: 20, holdout: 0.2, patience: 3 };

/** `n` Fashion-MNIST images drawn with seed 0 (the seed of a run moves the split, not the draw). */
function fashion(n: number): () => Dataset {
  return () => {
    const f = loadDataset('fashion-mnist');
    return subset(f, subsample(f, n, { seed: 0 }));
  };
}

export const PROBLEMS: Problem[] = [
  { name: 'breast-cancer', data: () => 'breast-cancer', base: { ...common, model: 'mlp:16', batchSize: 32 } },
  { name: 'mnist-10k', data: () => 'mnist-10k', base: { ...common, model: 'mlp:128', batchSize: 128 } },
  { name: 'fashion-4k', data: fashion(4000), base: { ...common, model: 'mlp:128', batchSize: 128 } },
  // The CNN trains ~300 images/s in l2lab on one core: 1,000 images, half of them the test split (a
  // steadier test loss for the same training cost), 400 training / 100 hold-out rows, 10 epochs.
  {
    name: 'fashion-1k-cnn',
    data: fashion(1000),
    base: { ...common, model: 'cnn:c16k5,p2,c32k5,p2,f128', lr: 0.05, epochs: 10, batchSize: 32, test: 0.5 },
  },
];
