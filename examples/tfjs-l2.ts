/**
 * Tunes the `l2` of `tf.regularizers.l2({l2})` for a TensorFlow.js (tfjs-layers) model through
 * l2lab's TypeScript door. Keras's l2 penalizes l·Σw² (no ½, summed over the kernels), so ask's
 * `value` for convention `keras` is λ/(2m); test/ask/tfjs-keras-units.test.ts proves the two train
 * alike step for step.
 *
 *   node --import tsx examples/tfjs-l2.ts [STORAGE] [STUDY]
 */
import * as tf from '@tensorflow/tfjs';
import { openLambdaService, loadDataset, splitIndices, standardizeSplits, type ClassificationDataset, type LambdaService, type StudyContext } from 'l2lab';

tf.enableProdMode(); // the pure-JS CPU backend, without its banner

const EPOCHS = 20;
const BATCH = 16;
const LR = 0.05;

const wine = loadDataset('wine');
const splits = standardizeSplits(wine, splitIndices(wine, { seed: 0 }));
const [train, validation] = [splits.train, splits.validation] as ClassificationDataset[];
const classes = train.classes.length;

function tensors(d: ClassificationDataset): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return { x: tf.tensor2d(d.x, [d.n, d.d]), y: tf.oneHot(tf.tensor1d(d.y, 'int32'), classes) as tf.Tensor2D };
}

/** Trains a 13-16-3 MLP with `l2` on its kernels (biases free); after each epoch `report` may stop it. Returns the last val loss and whether it stopped early. */
async function trainTrial(l2: number, epochs: number, report: (epoch: number, valLoss: number, weightSqNorm: number) => Promise<boolean>): Promise<{ valLoss: number; pruned: boolean }> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, activation: 'relu', inputShape: [train.d], kernelRegularizer: tf.regularizers.l2({ l2 }), kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
      tf.layers.dense({ units: classes, kernelRegularizer: tf.regularizers.l2({ l2 }), kernelInitializer: tf.initializers.heNormal({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(LR), loss: (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, logits) });
  const [tr, val] = [tensors(train), tensors(validation)];
  let valLoss = NaN;
  let pruned = false;
  for (let epoch = 1; epoch <= epochs && !pruned; epoch++) {
    await model.fit(tr.x, tr.y, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
    // The data term only (model.evaluate would add the penalty), and Σw² over the regularized kernels.
    valLoss = tf.tidy(() => tf.losses.softmaxCrossEntropy(val.y, model.predict(val.x) as tf.Tensor).dataSync()[0]);
    const weightSqNorm = tf.tidy(() => model.layers.reduce((s, layer) => s + tf.sum(tf.square(layer.getWeights()[0])).dataSync()[0], 0));
    pruned = await report(epoch, valLoss, weightSqNorm);
  }
  tf.dispose([tr.x, tr.y, val.x, val.y]);
  model.dispose();
  return { valLoss, pruned };
}

const CONTEXT: StudyContext = { convention: 'keras', m: train.n, batch_size: BATCH, optimizer: 'sgd', lr: LR, epochs: EPOCHS, log_range: { lo: 1e-4, hi: 1e-1, n: 7 }, strategy: 'bayes', trials: 6 };

async function tune(service: LambdaService, study: string): Promise<void> {
  for (;;) {
    const asked = await service.ask(study, { context: CONTEXT });
    if (asked.trial === null) {
      if (asked.status === 'done') break;
      await new Promise((r) => setTimeout(r, (asked.retry_after ?? 5) * 1000));
      continue;
    }
    const { trial } = asked;
    let reason: string | undefined;
    const result = await trainTrial(asked.value, asked.epochs, async (epoch, valLoss, weightSqNorm) => {
      const answer = await service.report(study, { trial, epoch, val_loss: valLoss, weight_sq_norm: weightSqNorm });
      reason = answer.reason ?? undefined;
      return answer.prune;
    });
    await service.tell(study, result.pruned ? { trial, state: 'pruned', reason } : { trial, val_loss: result.valLoss });
    console.log(`trial ${trial}: l2 ${asked.value.toPrecision(3)} (λ = ${asked.lambda.toPrecision(3)})  val loss ${result.valLoss.toFixed(4)}${result.pruned ? '  pruned' : ''}`);
  }
  const best = await service.best(study);
  console.log(`best l2 ${best.value.toPrecision(3)} (λ = ${best.best_lambda.toPrecision(3)}), val loss ${best.val_loss.toFixed(4)}`);
}

const [storagePath = './l2lab.db', study = 'tfjs-l2'] = process.argv.slice(2);
const service = await openLambdaService({ storage: storagePath });
try {
  await tune(service, study);
} finally {
  await service.close();
}
