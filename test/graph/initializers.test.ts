/** Serialized graphs hold only initializers some node reads: ONNX Runtime warns at every session creation about any other. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { Graph, op } from '../../src/graph/index.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import { buildStepGraph } from '../../src/train/step-graph.js';

/** Initializers of an encoded model that no node reads. */
function unusedInitializers(bytes: Uint8Array): string[] {
  const graph = onnxProto.onnx.ModelProto.decode(bytes).graph!;
  const read = new Set(graph.node!.flatMap((n) => n.input ?? []));
  return graph.initializer!.map((t) => t.name!).filter((name) => !read.has(name));
}

test('a constant no node reads is left out of the encoded model', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [2]);
  g.ints([0, 0, 0, 0]);
  g.output(op.add(x, g.scalar(1, 'float32')), 'y');
  const graph = onnxProto.onnx.ModelProto.decode(g.toBytes()).graph!;
  assert.equal(graph.initializer!.length, 1);
  assert.deepEqual(unusedInitializers(g.toBytes()), []);
});

test('cnn: training-step graphs have no unused initializer (valid and same padding, max and average pooling, BatchNorm)', () => {
  const image = { height: 28, width: 28, channels: 1 };
  for (const spec of ['cnn:c16k5,p2,c32k5,p2,f128', 'cnn:c8k3,bn,a2,c8k3v,bn,p2,f16']) {
    const arch = parseModelSpec(spec, 784, { task: 'classification', classes: 10 }, { image });
    for (const optimizer of [{ name: 'momentum', momentum: 0.9 }, { name: 'adam' }] as const) {
      const bytes = buildStepGraph({ arch, batch: 8, dtype: 'float32', optimizer }).toBytes();
      assert.deepEqual(unusedInitializers(bytes), [], `${spec} with ${optimizer.name}`);
    }
  }
});
