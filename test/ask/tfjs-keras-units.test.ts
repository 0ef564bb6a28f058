/**
 * Keras units, proved in running code with TensorFlow.js (the seed's "how is it implemented in tf?"):
 * the `l2` that ask returns for convention `keras`, given to `tf.regularizers.l2({l2})` on a
 * tfjs-layers model's kernels, trains step for step as l2lab's own engine at the asked λ (plain SGD,
 * float32). The same model with PyTorch's units (λ/m, twice Keras's) does not: the check can fail.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';

import { penaltyCoefficients } from '../../src/conventions/index.js';
import { floatArray } from '../../src/engine/tensor.js';
import { paramShapes, type Architecture } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { Stepper } from '../../src/train/stepper.js';
import { Rng } from '../../src/util/rng.js';

// tfjs's pure-JS CPU backend, without its "install tfjs-node" banner.
tf.enableProdMode();

const ARCH: Architecture = { widths: [5, 8, 3], activation: 'relu', loss: 'softmax_ce', dropout: [0] };
const N = 64;
const B = 16;
const STEPS = 12;
const LR = 0.1;
const M = 400; // the training-set size m of the study (and of λ/2m)

interface Problem {
  x: Float32Array;
  labels: Int32Array;
  batches: Int32Array;
  params: Float32Array[];
}

function problem(): Problem {
  const rng = new Rng(11);
  const [d, , out] = ARCH.widths;
  return {
    x: Float32Array.from({ length: N * d }, () => rng.normal()),
    labels: Int32Array.from({ length: N }, () => rng.int(out)),
    batches: Int32Array.from({ length: STEPS * B }, () => rng.int(N)),
    params: initParams(ARCH, 'he', 5).map((p) => Float32Array.from(p)),
  };
}

function rows(p: Problem, step: number): { x: Float32Array; y: Int32Array } {
  const d = ARCH.widths[0];
  const idx = p.batches.subarray(step * B, (step + 1) * B);
  const x = new Float32Array(B * d);
  idx.forEach((r, i) => x.set(p.x.subarray(r * d, (r + 1) * d), i * d));
  return { x, y: Int32Array.from(idx, (r) => p.labels[r]) };
}

/** The cost (mean data loss + penalty) before each step, and the final parameters, of l2lab's engine at seed λ. */
async function l2labTrajectory(p: Problem, lambda: number): Promise<{ cost: number[]; params: Float64Array[] }> {
  const { coupled } = penaltyCoefficients('seed', lambda, { m: M });
  const stepper = await Stepper.create({ arch: ARCH, batch: B, dtype: 'float32', optimizer: { name: 'sgd' } }, [p.params.map((w) => Float64Array.from(w))], [coupled], [0], 1);
  const cost: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const { x, y } = rows(p, s);
    const r = await stepper.run({ x: [floatArray('float32', x)], y: [BigInt64Array.from(y, (v) => BigInt(v))], lr: [floatArray('float32', [LR])] });
    cost.push(r.loss[0][0] + (coupled / 2) * r.sumsq[0][0]);
  }
  const params = stepper.parameters()[0];
  await stepper.release();
  return { cost, params };
}

/** The same steps in tfjs-layers, Keras style: kernelRegularizer l2 on each Dense kernel, softmax cross-entropy on logits, SGD. */
async function tfjsTrajectory(p: Problem, l2: number): Promise<{ cost: number[]; params: Float32Array[] }> {
  const [d, hidden, out] = ARCH.widths;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: hidden, activation: 'relu', inputShape: [d], kernelRegularizer: tf.regularizers.l2({ l2 }) }),
      tf.layers.dense({ units: out, kernelRegularizer: tf.regularizers.l2({ l2 }) }),
    ],
  });
  model.setWeights(p.params.map((w, i) => tf.tensor(w, paramShapes(ARCH)[i].kind === 'weight' ? [paramShapes(ARCH)[i].fanIn, paramShapes(ARCH)[i].fanOut] : [w.length])));
  model.compile({ optimizer: tf.train.sgd(LR), loss: (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, logits) });
  const cost: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const { x, y } = rows(p, s);
    const [xs, ys] = [tf.tensor2d(x, [B, d]), tf.oneHot(tf.tensor1d(y, 'int32'), out)];
    // trainOnBatch's loss is the data loss plus the regularizers' penalty, before the update.
    cost.push((await model.trainOnBatch(xs, ys)) as number);
    tf.dispose([xs, ys]);
  }
  const params = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return { cost, params };
}

/** The largest relative gap between two trajectories: per-step cost, then each final parameter tensor (by norm). */
function worstGap(a: { cost: number[]; params: ArrayLike<number>[] }, b: { cost: number[]; params: ArrayLike<number>[] }): number {
  let worst = 0;
  a.cost.forEach((c, s) => (worst = Math.max(worst, Math.abs(c - b.cost[s]) / Math.abs(b.cost[s]))));
  a.params.forEach((w, i) => {
    let diff = 0;
    let norm = 0;
    for (let j = 0; j < w.length; j++) {
      diff += (w[j] - b.params[i][j]) ** 2;
      norm += b.params[i][j] ** 2;
    }
    worst = Math.max(worst, Math.sqrt(diff / norm));
  });
  return worst;
}

describe('TensorFlow.js: the Keras l2 that ask returns', () => {
  after(() => tf.disposeVariables());

  it('trains as l2lab at the asked λ, to float32 precision; PyTorch units (λ/m) do not', async () => {
    const lambda = 40;
    const value = lambda / (2 * M);
    const p = problem();
    const ours = await l2labTrajectory(p, lambda);
    const keras = await tfjsTrajectory(p, value);
    const gap = worstGap(keras, ours);
    assert.ok(gap < 1e-5, `tfjs with l2 = ${value} vs l2lab at λ = ${lambda}: worst relative gap ${gap.toExponential(2)}`);
    const wrong = worstGap(await tfjsTrajectory(p, lambda / M), ours);
    assert.ok(wrong > 100 * gap && wrong > 1e-4, `l2 in PyTorch units should not match: gap ${wrong.toExponential(2)}`);
  });
});
