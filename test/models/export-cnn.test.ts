/** Exported cnn: models: standard ONNX operators only, and the same logits as the float64 evaluation graph (BatchNorm in evaluation mode). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { paramShapes, parseModelSpec } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { saveModel } from '../../src/models/export.js';
import { Evaluator } from '../../src/train/evaluator.js';
import { tensor } from '../../src/engine/tensor.js';
import { Rng } from '../../src/util/rng.js';
import type { TrainedModel } from '../../src/train/fit.js';

const OPSET_18_USED = new Set(['Reshape', 'Transpose', 'Conv', 'MaxPool', 'Slice', 'ReduceSum', 'Mul', 'Add', 'Sub', 'Div', 'Sqrt', 'Relu', 'Gemm', 'Softmax', 'Identity']);

test('an exported cnn: model with BatchNorm uses standard operators and matches the float64 evaluation graph', async () => {
  const image = { height: 8, width: 8, channels: 1 };
  const arch = parseModelSpec('cnn:c3k3,bn,p2,a2,f5,bn', 64, { task: 'classification', classes: 3 }, { image });
  const rng = new Rng(2);
  // Trained-looking parameters: random scales, shifts and running statistics, not the identity init.
  const params = initParams(arch, 'he', 1).map((p, i) => {
    const kind = paramShapes(arch)[i].kind;
    return kind === 'weight' ? p : Float64Array.from(p, () => (kind === 'running' && paramShapes(arch)[i].name.startsWith('var') ? 0.5 + rng.uniform() : rng.normal()));
  });
  const model: TrainedModel = { arch, params, standardizer: { mean: new Array(64).fill(0), std: new Array(64).fill(1) }, featureNames: [], task: 'classification', classes: ['a', 'b', 'c'], targetName: 'label', convention: 'seed', lambda: 1 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-export-cnn-'));
  const file = path.join(dir, 'model.onnx');
  saveModel(model, file);
  const proto = onnxProto.onnx.ModelProto.decode(fs.readFileSync(file));
  for (const n of proto.graph!.node!) assert.ok(OPSET_18_USED.has(n.opType!), `unexpected operator ${n.opType}`);

  const n = 5;
  const x = Float32Array.from({ length: n * 64 }, () => rng.uniform());
  const session = await ort.InferenceSession.create(file);
  const exported = (await session.run({ x: new ort.Tensor('float32', x, [n, 64]) })).logits.data as Float32Array;
  const evaluator = await Evaluator.create(arch, 'float64', undefined, 1);
  const tensors = paramShapes(arch).map((p, i) => tensor(Float64Array.from(params[i]), p.kind === 'weight' ? [p.fanIn, p.fanOut] : [p.fanOut]));
  const { logits } = await evaluator.outputs(tensors, { n, d: 64, x, y: new Int32Array(n) });
  await evaluator.release();
  for (let i = 0; i < exported.length; i++) assert.ok(Math.abs(exported[i] - logits[0][i]) < 1e-4 * Math.max(1, Math.abs(logits[0][i])), `logit ${i}: exported ${exported[i]} vs ${logits[0][i]}`);
  fs.rmSync(dir, { recursive: true });
});
