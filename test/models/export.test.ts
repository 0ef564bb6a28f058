/**
 * The exported inference graph: only standard ONNX operators, loads in a fresh ONNX Runtime session, takes raw
 * features and matches an independent float64 forward pass of the trained parameters; the sidecar round-trips.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { loadDataset, type Dataset } from '../../src/data/index.js';
import type { Activation } from '../../src/options/names.js';
import { readSidecar, saveModel } from '../../src/models/export.js';
import { fit, type TrainedModel } from '../../src/train/fit.js';

const { onnx } = onnxProto;

/** The operators of the default ONNX domain (ai.onnx) up to opset 18, from the ONNX operator list. */
const STANDARD_OPS = new Set(
  `Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool BatchNormalization Bernoulli BitShift BitwiseAnd
  BitwiseNot BitwiseOr BitwiseXor BlackmanWindow Cast CastLike Ceil Celu CenterCropPad Clip Col2Im Compress Concat ConcatFromSequence
  Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh CumSum DFT DepthToSpace DequantizeLinear Det Div Dropout
  DynamicQuantizeLinear Einsum Elu Equal Erf Exp Expand EyeLike Flatten Floor GRU Gather GatherElements GatherND Gemm GlobalAveragePool
  GlobalLpPool GlobalMaxPool Greater GreaterOrEqual GridSample GroupNormalization HammingWindow HannWindow HardSigmoid HardSwish
  Hardmax Identity If InstanceNormalization IsInf IsNaN LRN LSTM LayerNormalization LeakyRelu Less LessOrEqual Log LogSoftmax Loop
  LpNormalization LpPool MatMul MatMulInteger Max MaxPool MaxRoiPool MaxUnpool Mean MeanVarianceNormalization MelWeightMatrix Min Mish
  Mod Mul Multinomial Neg NegativeLogLikelihoodLoss NonMaxSuppression NonZero Not OneHot Optional OptionalGetElement OptionalHasElement
  Or PRelu Pad Pow QLinearConv QLinearMatMul QuantizeLinear RNN RandomNormal RandomNormalLike RandomUniform RandomUniformLike Range
  Reciprocal ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum ReduceSumSquare Relu
  Reshape Resize ReverseSequence RoiAlign Round STFT Scan Scatter ScatterElements ScatterND Selu SequenceAt SequenceConstruct
  SequenceEmpty SequenceErase SequenceInsert SequenceLength SequenceMap Shape Shrink Sigmoid Sign Sin Sinh Size Slice Softmax
  SoftmaxCrossEntropyLoss Softplus Softsign SpaceToDepth Split SplitToSequence Sqrt Squeeze StringNormalizer Sub Sum Tan Tanh
  TfIdfVectorizer ThresholdedRelu Tile TopK Transpose Trilu Unique Unsqueeze Upsample Where Xor`.split(/\s+/),
);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-export-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** erf to ~1e-7 (Abramowitz & Stegun 7.1.26), for the exact GELU x·Φ(x). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const ACT: Record<Activation, (v: number) => number> = {
  relu: (v) => Math.max(v, 0),
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
};

/** Logits of one raw row, in float64 from the trained parameters: standardize, then x·W + b per layer. */
function referenceLogits(model: TrainedModel, row: Float32Array): number[] {
  const { widths, activation } = model.arch;
  let h = Array.from(row, (v, j) => (v - model.standardizer.mean[j]) / model.standardizer.std[j]);
  for (let l = 0; l + 1 < widths.length; l++) {
    const W = model.params[2 * l];
    const b = model.params[2 * l + 1];
    const next = Array.from({ length: widths[l + 1] }, (_, o) => b[o] + h.reduce((s, v, i) => s + v * W[i * widths[l + 1] + o], 0));
    h = l + 2 < widths.length ? next.map(ACT[activation]) : next;
  }
  return h;
}

interface Case {
  data: string;
  model: string;
  activation?: Activation;
  outputs: string[];
}

const CASES: Record<string, Case> = {
  'softmax MLP, ReLU (wine)': { data: 'wine', model: 'mlp:8', outputs: ['logits', 'probabilities'] },
  'softmax MLP, GELU, two hidden layers (wine)': { data: 'wine', model: 'mlp:6,5', activation: 'gelu', outputs: ['logits', 'probabilities'] },
  'logistic regression (breast-cancer)': { data: 'breast-cancer', model: 'logistic', outputs: ['logits', 'probabilities'] },
  'binary MLP, sigmoid (breast-cancer)': { data: 'breast-cancer', model: 'mlp:4', activation: 'sigmoid', outputs: ['logits', 'probabilities'] },
  'regression MLP, tanh (diabetes)': { data: 'diabetes', model: 'mlp:5', activation: 'tanh', outputs: ['logits'] },
  'linear regression (diabetes)': { data: 'diabetes', model: 'linear', outputs: ['logits'] },
};

describe('saveModel: the exported .onnx', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const data: Dataset = loadDataset(c.data);
      const { model } = await fit({ data, model: c.model, activation: c.activation, lambda: 1, epochs: 2, lr: 0.01, threads: 1 });
      const file = path.join(dir, `${c.data}-${c.model.replace(/[:,]/g, '_')}-${c.activation ?? 'relu'}.onnx`);
      const side = saveModel(model, file);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(file))).sort(), [path.basename(file), `${path.basename(file)}.json`], 'no temporary files left');

      // Decode with onnx-proto: default domain only, standard operators only.
      const proto = onnx.ModelProto.decode(fs.readFileSync(file));
      assert.deepEqual(proto.opsetImport.map((o) => o.domain ?? ''), ['']);
      assert.ok(Number(proto.opsetImport[0].version) <= 18);
      const graph = proto.graph!;
      for (const n of graph.node ?? []) {
        assert.ok(!n.domain, `node ${n.name} is in domain '${n.domain}'`);
        assert.ok(STANDARD_OPS.has(n.opType!), `node ${n.name}: '${n.opType}' is not a standard ONNX operator`);
      }
      assert.deepEqual((graph.input ?? []).map((v) => v.name), ['x']);
      assert.deepEqual((graph.output ?? []).map((v) => v.name), c.outputs);
      assert.deepEqual(side.outputs, c.outputs);

      // A fresh session straight from the file, fed raw (unstandardized) features.
      const session = await ort.InferenceSession.create(file);
      const rows = Math.min(data.n, 50);
      const out = await session.run({ x: new ort.Tensor('float32', data.x.slice(0, rows * data.d), [rows, data.d]) });
      const k = model.arch.widths[model.arch.widths.length - 1];
      const logits = out.logits.data as Float32Array;
      assert.deepEqual(out.logits.dims, [rows, k]);
      let worst = 0;
      for (let i = 0; i < rows; i++) {
        const ref = referenceLogits(model, data.x.subarray(i * data.d, (i + 1) * data.d));
        ref.forEach((v, o) => (worst = Math.max(worst, Math.abs(logits[i * k + o] - v) / Math.max(1, Math.abs(v)))));
        if (c.outputs.includes('probabilities')) {
          const p = out.probabilities.data as Float32Array;
          if (k === 1) assert.ok(Math.abs(p[i] - ACT.sigmoid(ref[0])) < 1e-5, `row ${i}: sigmoid`);
          else {
            const e = ref.map((v) => Math.exp(v - Math.max(...ref)));
            const z = e.reduce((a, b) => a + b, 0);
            e.forEach((v, o) => assert.ok(Math.abs(p[i * k + o] - v / z) < 1e-5, `row ${i}, class ${o}: softmax`));
          }
        }
      }
      assert.ok(worst < 1e-4, `largest relative difference to the float64 forward pass: ${worst}`);
      await session.release();

      // The sidecar says what the model is.
      const read = readSidecar(file);
      assert.deepEqual(read.architecture, model.arch);
      assert.equal(read.lambda, 1);
      assert.equal(read.convention, 'seed');
      assert.equal(read.task, data.task);
      assert.deepEqual(read.features, data.featureNames);
      assert.deepEqual(read.preprocessing.standardize, model.standardizer);
    });
  }

  it('refuses a directory that does not exist, writing nothing', async () => {
    const { model } = await fit({ data: 'wine', model: 'softmax', lambda: 1, epochs: 1, threads: 1 });
    assert.throws(() => saveModel(model, path.join(dir, 'missing', 'm.onnx')), /directory .*missing does not exist\. Create it first or choose another --out path\./);
    assert.ok(!fs.existsSync(path.join(dir, 'missing')));
  });
});
