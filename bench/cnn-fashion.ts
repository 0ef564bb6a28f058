/**
 * Fashion-MNIST accuracy of a cnn: spec on the official split (first 60,000 rows train, last
 * 10,000 test): Adam, batch 128, λ in the seed convention, one JSON line per epoch (val_* fields are
 * the test split). PyTorch's counterpart: test/ref/torch_cnn_fashion.py.
 * Usage: nice node --import tsx bench/cnn-fashion.ts [spec] [epochs] [lambda] [threads]
 */
import { loadDataset, subset } from '../src/data/index.js';
import { parseModelSpec } from '../src/models/architecture.js';
import { penaltyCoefficients } from '../src/conventions/index.js';
import { train } from '../src/train/trainer.js';

const [spec = 'cnn:c16k5,p2,c32k5,p2,f128', epochs = '10', lambda = '1', threads = '1'] = process.argv.slice(2);
const data = loadDataset('fashion-mnist');
if (data.task !== 'classification') throw new Error('fashion-mnist is a classification dataset');
const rows = (from: number, to: number) => subset(data, Int32Array.from({ length: to - from }, (_, i) => from + i));
const tr = rows(0, 60_000);
const te = rows(60_000, 70_000);
const arch = parseModelSpec(spec, data.d, { task: 'classification', classes: data.classes.length }, { image: data.image });
const penalty = penaltyCoefficients('seed', Number(lambda), { m: tr.n, batchSize: 128, lr: 1e-3, optimizer: 'adam' });
const t0 = performance.now();
const result = await train(tr, te, {
  arch,
  members: [{ penalty, lr: 1e-3 }],
  epochs: Number(epochs),
  batchSize: 128,
  optimizer: { name: 'adam' },
  seed: 0,
  threads: Number(threads),
  exactTrainLoss: false,
  onEpoch: (epoch, recs) => console.log(JSON.stringify({ spec, epoch, train_loss: recs[0].data_loss, test_accuracy: recs[0].val_accuracy, seconds: Math.round((performance.now() - t0) / 1000) })),
});
console.log(JSON.stringify({ spec, lambda: Number(lambda), test_accuracy: result.members[0].history.at(-1)?.val_accuracy, seconds: Math.round(result.seconds) }));
