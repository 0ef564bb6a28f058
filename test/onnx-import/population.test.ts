/** An imported graph of dense layers trains K members as one population graph, equal to K single runs (dropout, L2-SP and Adam included). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseModelSpec } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { Stepper } from '../../src/train/stepper.js';
import type { OptimizerSpec } from '../../src/plan/optimizer.js';
import { Rng } from '../../src/util/rng.js';
import { values, writeModel } from './build-model.js';

/** x @ W1ᵀ + b1 → GELU (Div, Erf, Add, Mul, Mul) → Dropout 0.25 → Gemm → LogSoftmax, at opset 18. */
const file = writeModel({
  opset: 18,
  input: { name: 'x', dims: ['batch', 5] },
  nodes: [
    { op: 'Transpose', inputs: ['fc1.weight'], outputs: ['w1t'], attrs: { perm: [1, 0] } },
    { op: 'MatMul', inputs: ['x', 'w1t'], outputs: ['mm'] },
    { op: 'Add', inputs: ['mm', 'fc1.bias'], outputs: ['h'] },
    { op: 'Div', inputs: ['h', 'sqrt2'], outputs: ['hs'] },
    { op: 'Erf', inputs: ['hs'], outputs: ['e'] },
    { op: 'Add', inputs: ['e', 'one'], outputs: ['e1'] },
    { op: 'Mul', inputs: ['h', 'e1'], outputs: ['he'] },
    { op: 'Mul', inputs: ['he', 'half'], outputs: ['g'] },
    { op: 'Dropout', inputs: ['g', 'ratio'], outputs: ['d'], name: '/drop/Dropout' },
    { op: 'Gemm', inputs: ['d', 'fc2.weight', 'fc2.bias'], outputs: ['z'], attrs: { transB: 1 } },
    { op: 'LogSoftmax', inputs: ['z'], outputs: ['y'], attrs: { axis: -1 } },
  ],
  inits: [
    { name: 'fc1.weight', dims: [6, 5], values: values(30, 1) },
    { name: 'fc1.bias', dims: [6], values: values(6, 2) },
    { name: 'fc2.weight', dims: [3, 6], values: values(18, 3) },
    { name: 'fc2.bias', dims: [3], values: values(3, 4) },
    { name: 'sqrt2', dims: [], values: [Math.SQRT2] },
    { name: 'one', dims: [], values: [1] },
    { name: 'half', dims: [], values: [0.5] },
    { name: 'ratio', dims: [], values: [0.25] },
  ],
});
const arch = parseModelSpec(file, 5, { task: 'classification', classes: 3 });
fs.rmSync(path.dirname(file), { recursive: true });
const B = 8;
const rng = new Rng(4);
const batches = Array.from({ length: 5 }, () => ({
  x: Float64Array.from({ length: B * 5 }, () => rng.normal()),
  y: BigInt64Array.from({ length: B }, () => BigInt(rng.int(3))),
  keep: Float64Array.from({ length: 2 * B * 6 }, () => (rng.uniform() < 0.75 ? 1 : 0)),
}));

test('the imported graph: scalar initializers are constants, the Dropout a trained one, and it stacks', () => {
  assert.deepEqual(arch.onnx!.params.map((p) => p.name), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  assert.deepEqual(arch.onnx!.dropouts, [{ node: '/drop/Dropout', ratio: 0.25, width: 6 }]);
  assert.deepEqual(arch.widths, [5, 6, 3]);
  assert.equal(arch.onnx!.stacks, true);
});

for (const [name, optimizer, decayToAnchor] of [['sgd', { name: 'sgd' }, false], ['adam, L2-SP', { name: 'adam' }, true]] as [string, OptimizerSpec, boolean][]) {
  test(`a population of 2 members of the imported graph (${name}) matches 2 single runs to float64 rounding`, async () => {
    const init = [initParams(arch, 'file', 0), initParams(arch, 'he', 1)];
    const lambdas = [0.5, 5];
    const pop = await Stepper.create({ arch, batch: B, dtype: 'float64', population: 2, optimizer, decayToAnchor }, init, lambdas, [0, 0], 1);
    const singles = await Promise.all(init.map((p, k) => Stepper.create({ arch, batch: B, dtype: 'float64', optimizer, decayToAnchor }, [p], [lambdas[k]], [0], 1)));
    for (const b of batches) {
      const r = await pop.run({ x: [b.x], y: [b.y], lr: [Float64Array.of(0.1, 0.05)], keep: [[b.keep]] });
      for (let k = 0; k < 2; k++) {
        const s = await singles[k].run({ x: [b.x], y: [b.y], lr: [Float64Array.of([0.1, 0.05][k])], keep: [[b.keep.subarray(k * B * 6, (k + 1) * B * 6)]] });
        assert.ok(Math.abs(r.loss[0][k] - s.loss[0][0]) < 1e-12, `member ${k}: loss ${r.loss[0][k]} vs ${s.loss[0][0]}`);
        assert.ok(Math.abs(r.sumsq[0][k] - s.sumsq[0][0]) < 1e-12, `member ${k} Σθ²`);
      }
    }
    pop.parameters().forEach((p, k) => p.forEach((t, i) => t.forEach((v, j) => assert.ok(Math.abs(v - singles[k].parameters()[0][i][j]) < 1e-12, `member ${k} parameter ${i}`))));
    await pop.release();
    await Promise.all(singles.map((s) => s.release()));
  });
}
