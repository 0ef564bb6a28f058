/** The cnn: spec grammar: shapes, parameter counts, and refusals that name the shapes they computed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countParams, paramShapes, parseModelSpec } from '../../src/models/architecture.js';
import { traceCnn } from '../../src/models/cnn-spec.js';
import { fit } from '../../src/train/fit.js';
import { InvalidOptionError } from '../../src/errors.js';

const mnist = { height: 28, width: 28, channels: 1 };
const classes = { task: 'classification', classes: 10 } as const;

test('cnn:c16k5,p2,c32k5,p2,f128 on 28×28×1: shapes and parameter count by hand', () => {
  const arch = parseModelSpec('cnn:c16k5,p2,c32k5,p2,f128', 784, classes, { image: mnist });
  assert.deepEqual(traceCnn(arch.cnn!), [[28, 28, 1], [28, 28, 16], [14, 14, 16], [14, 14, 32], [7, 7, 32]]);
  assert.deepEqual(arch.widths, [784, 128, 10]);
  // 5·5·1·16 + 16, 5·5·16·32 + 32, 1568·128 + 128, 128·10 + 10
  assert.deepEqual(countParams(arch), { total: 416 + 12832 + 200832 + 1290, weights: 400 + 12800 + 200704 + 1280, biases: 16 + 32 + 128 + 10 });
});

test('bn after a layer replaces its bias by a scale and a shift, plus two running statistics (not counted as parameters)', () => {
  const arch = parseModelSpec('cnn:c16k5,bn,p2,f128,bn', 784, classes, { image: mnist, dropout: 0.5 });
  assert.deepEqual(paramShapes(arch).map((p) => `${p.name}:${p.kind}`), ['W0:weight', 'gamma0:scale', 'beta0:shift', 'mean0:running', 'var0:running', 'W1:weight', 'gamma1:scale', 'beta1:shift', 'mean1:running', 'var1:running', 'W2:weight', 'b2:bias']);
  assert.deepEqual(arch.dropout, [0.5]);
  assert.equal(countParams(arch).biases, 16 * 2 + 128 * 2 + 10);
});

test('a spec that does not fit the image is refused naming the shapes it computed', () => {
  assert.throws(
    () => parseModelSpec('cnn:c8k3,p2,p2,p2,p2,p2,f16', 784, classes, { image: mnist }),
    (e: Error) => e instanceof InvalidOptionError && /input 28×28×1, c8k3 → 28×28×8, p2 → 14×14×8, p2 → 7×7×8, p2 → 3×3×8, p2 → 1×1×8; then p2 .* on 1×1×8 leaves less than 1×1/.test(e.message),
  );
  assert.throws(() => parseModelSpec('cnn:c8k7v,c8k7v,c8k7v,c8k7v,c8k7v', 784, classes, { image: mnist }), /c8k7v .* on 4×4×8 leaves less than 1×1/);
});

test('grammar errors name the token', () => {
  for (const [spec, pattern] of [
    ['cnn:bn,c8k3', /'bn' must follow a convolution/],
    ['cnn:c8k3,p2,bn', /'bn' must follow/],
    ['cnn:c8k3,f16,c8k3', /'c8k3' comes after a dense layer/],
    ['cnn:c8x3', /'c8x3' is not a layer/],
    ['cnn:f16', /has no convolution/],
  ] as const) {
    assert.throws(() => parseModelSpec(spec, 784, classes, { image: mnist }), pattern, spec);
  }
});

test('a cnn: model on tabular data is refused before training', async () => {
  await assert.rejects(fit({ data: 'wine', model: 'cnn:c8k3,p2,f16', lambda: 1 }), (e: Error) => e instanceof InvalidOptionError && /needs images, but the data is tabular \(13 features/.test(e.message));
});
