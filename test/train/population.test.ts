/** A population of K members equals K single-model runs; unrolled steps equal single steps; sample weights act as folds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Architecture } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { Stepper, type StepInputs } from '../../src/train/stepper.js';
import type { OptimizerSpec } from '../../src/plan/optimizer.js';
import { Rng } from '../../src/util/rng.js';

const arch: Architecture = { widths: [4, 6, 3], activation: 'tanh', loss: 'softmax_ce', dropout: [0] };
const B = 8;
const rng = new Rng(11);
const batches = Array.from({ length: 6 }, () => ({
  x: Float64Array.from({ length: B * 4 }, () => rng.normal()),
  y: BigInt64Array.from({ length: B }, () => BigInt(rng.int(3))),
}));
const lambdas = [0.001, 0.01, 0.1];
const lrs = [0.1, 0.2, 0.05];

function maxDiff(a: Float64Array[], b: Float64Array[]): number {
  let d = 0;
  a.forEach((p, i) => p.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

for (const optimizer of [{ name: 'sgd' }, { name: 'adam' }] as OptimizerSpec[]) {
  test(`population of 3 (${optimizer.name}) matches 3 separate runs to float64 rounding`, async () => {
    const init = [0, 1, 2].map((k) => initParams(arch, 'glorot', k));
    const pop = await Stepper.create({ arch, batch: B, dtype: 'float64', population: 3, optimizer }, init, lambdas, [0, 0, 0], 1);
    const singles = await Promise.all(init.map((p, k) => Stepper.create({ arch, batch: B, dtype: 'float64', optimizer }, [p], [lambdas[k]], [0], 1)));
    for (const b of batches) {
      const r = await pop.run({ x: [b.x], y: [b.y], lr: [Float64Array.from(lrs)] });
      for (let k = 0; k < 3; k++) {
        const s = await singles[k].run({ x: [b.x], y: [b.y], lr: [Float64Array.of(lrs[k])] });
        assert.ok(Math.abs(r.loss[0][k] - s.loss[0][0]) < 1e-12, `member ${k} loss`);
        assert.ok(Math.abs(r.sumsq[0][k] - s.sumsq[0][0]) < 1e-12, `member ${k} Σθ²`);
      }
    }
    pop.parameters().forEach((p, k) => assert.ok(maxDiff(p, singles[k].parameters()[0]) < 1e-12, `member ${k} parameters`));
  });
}

test('4 steps unrolled in one run equal 4 runs of one step', async () => {
  const init = initParams(arch, 'he', 5);
  const spec = { arch, batch: B, dtype: 'float64' as const, optimizer: { name: 'momentum' as const, momentum: 0.9 } };
  const one = await Stepper.create(spec, [init], [0.01], [0], 1);
  const four = await Stepper.create({ ...spec, unroll: 4 }, [init], [0.01], [0], 1);
  const lr = Float64Array.of(0.1);
  const losses: number[] = [];
  for (const b of batches.slice(0, 4)) losses.push((await one.run({ x: [b.x], y: [b.y], lr: [lr] })).loss[0][0]);
  const r = await four.run({ x: batches.slice(0, 4).map((b) => b.x), y: batches.slice(0, 4).map((b) => b.y), lr: [lr, lr, lr, lr] });
  r.loss.forEach((l, u) => assert.ok(Math.abs(l[0] - losses[u]) < 1e-12));
  assert.ok(maxDiff(one.parameters()[0], four.parameters()[0]) < 1e-12);
});

test('per-member sample weights train each member on its own rows (k-fold masks)', async () => {
  const init = initParams(arch, 'he', 9);
  const pop = await Stepper.create({ arch, batch: B, dtype: 'float64', population: 2, optimizer: { name: 'sgd' }, sampleWeights: true }, [init, init], [0.01, 0.01], [0, 0], 1);
  const half = await Stepper.create({ arch, batch: B / 2, dtype: 'float64', optimizer: { name: 'sgd' } }, [init], [0.01], [0], 1);
  // Member 0 sees only the first half of each batch; member 1 all of it.
  const w = Float64Array.from({ length: 2 * B }, (_, i) => (i < B ? (i < B / 2 ? 1 : 0) : 1));
  for (const b of batches) {
    const inputs: StepInputs = { x: [b.x], y: [b.y], lr: [Float64Array.of(0.1, 0.1)], w: [w] };
    const r = await pop.run(inputs);
    const s = await half.run({ x: [b.x.subarray(0, (B / 2) * 4)], y: [b.y.subarray(0, B / 2)], lr: [Float64Array.of(0.1)] });
    assert.ok(Math.abs(r.loss[0][0] - s.loss[0][0]) < 1e-12);
  }
  assert.ok(maxDiff(pop.parameters()[0], half.parameters()[0]) < 1e-12);
});

test('sample gradients count every step of every member, unrolled or not', async () => {
  const { train } = await import('../../src/train/trainer.js');
  const rows = { n: 64, d: 4, x: Float32Array.from({ length: 256 }, () => rng.normal()), y: Int32Array.from({ length: 64 }, () => rng.int(3)) };
  // 64 rows at batch 8: 8 steps an epoch, unrolled 4 per run; two members.
  const r = await train(rows, undefined, { arch, members: [{ penalty: { coupled: 0, decoupled: 0 }, lr: 0.1 }, { penalty: { coupled: 0.01, decoupled: 0 }, lr: 0.1 }], epochs: 3, batchSize: 8, threads: 1 });
  assert.equal(r.sampleGrads, 2 * 3 * 64);
  assert.equal(r.passes, 3 * 2);
});
