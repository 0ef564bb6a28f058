/**
 * TensorFlow.js (npm @tensorflow/tfjs, pure-JS CPU backend) through the TypeScript door, answering the
 * seed's "how is it implemented in tf?" in running code. Keras units proved: the `l2` that ask returns
 * for convention `keras`, given to `tf.regularizers.l2({l2})` on a tfjs-layers model's kernels, trains
 * step for step as l2lab's own engine at the asked λ (plain SGD, float32); the same model with
 * PyTorch's units (λ/m, twice Keras's) does not, so the check can fail. And examples/tfjs-l2.ts tunes
 * that l2 by ask / report / tell.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';

import { openLambdaService } from '../../src/ask/index.js';
import type { StudyContext } from '../../src/ask/protocol.js';
import { penaltyCoefficients } from '../../src/conventions/index.js';
import { floatArray } from '../../src/engine/tensor.js';
import { paramShapes, type Architecture } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { Stepper } from '../../src/train/stepper.js';
import { openStorage } from '../../src/study/index.js';
import { Rng } from '../../src/util/rng.js';
import { ROOT } from '../cli/helpers.js';

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

describe('TensorFlow.js through the TypeScript door', () => {
  after(() => tf.disposeVariables());

  it('the l2 that ask returns trains as l2lab at the asked λ, to float32 precision; PyTorch units (λ/m) do not', async () => {
    const service = await openLambdaService({ storage: ':memory:' });
    try {
      const context: StudyContext = { convention: 'keras', m: M, batch_size: B, optimizer: 'sgd', lr: LR, epochs: 10, strategy: 'grid', lambdas: [0.05] };
      const asked = await service.ask('keras-units', { context });
      assert.ok(asked.trial !== null);
      const p = problem();
      const ours = await l2labTrajectory(p, asked.lambda);
      const gap = worstGap(await tfjsTrajectory(p, asked.value), ours);
      assert.ok(gap < 1e-5, `tfjs with l2 = ${asked.value} vs l2lab at λ = ${asked.lambda}: worst relative gap ${gap.toExponential(2)}`);
      const wrong = worstGap(await tfjsTrajectory(p, asked.lambda / M), ours);
      assert.ok(wrong > 100 * gap && wrong > 1e-4, `l2 in PyTorch units (λ/m) should not match: gap ${wrong.toExponential(2)}`);
    } finally {
      await service.close();
    }
  });

  it('examples/tfjs-l2.ts tunes kernelRegularizer l2 of a tfjs-layers model by ask / report / tell', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-tfjs-'));
    try {
      const storage = path.join(dir, 'tfjs.db');
      const env = { ...process.env, L2LAB_THREADS: '1', TSX_TSCONFIG_PATH: path.join(ROOT, 'test/support/tsconfig.examples.json') };
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/tfjs-l2.ts', storage, 'tfjs'], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
      assert.match(stdout, /^trial 0: l2 [\d.e-]+ \(λ = [\d.e+-]+\)/m);
      const best = /^best l2 ([\d.e-]+) \(λ = ([\d.e+-]+)\)/m.exec(stdout);
      assert.ok(best, stdout);
      // Keras units: l = λ/(2m), m the training rows of the example's split of wine.
      const s = await openStorage(storage);
      try {
        const study = (await s.getStudy('tfjs'))!;
        const trials = await s.listTrials(study.id);
        assert.ok(trials.length >= 2 && trials.every((t) => t.intermediate.length > 0), 'trials with learning curves');
      } finally {
        await s.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
