/**
 * Exports a trained model as a plain inference ONNX graph (standardization baked in, so it takes raw
 * features) plus a JSON sidecar that `l2lab evaluate` reads. The .onnx runs in any ONNX runtime.
 */
import fs from 'node:fs';
import { Graph } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { InvalidDataError } from '../errors.js';
import type { TrainedModel, TrainingSplit } from './trained-model.js';
import { checkOutputFile, writeFilesAtomic } from '../util/output-file.js';
import { type Architecture, paramShapes } from './architecture.js';
import { paramDims } from './param-shape.js';
import { forwardModel } from './forward.js';
import type { Standardizer } from '../data/index.js';

export const SIDECAR_VERSION = 1;

/** The JSON written beside model.onnx (model.onnx.json). */
export interface ModelSidecar {
  format: 'l2lab-model';
  version: number;
  architecture: Architecture;
  convention: string;
  lambda: number;
  task: 'regression' | 'classification';
  classes?: string[];
  target: string;
  features: string[];
  /** Applied inside the graph too; kept here so other tools can see it. */
  preprocessing: { standardize: Standardizer };
  /** Graph outputs: `logits` always; `probabilities` for classifiers. */
  outputs: string[];
  /** The split the model was trained under (absent in sidecars written before it was recorded: evaluate then scores every row). */
  split?: TrainingSplit;
}

export function sidecarPath(onnxPath: string): string {
  return `${onnxPath}.json`;
}

/** Builds the inference graph: input `x` [n, d] of raw features → `logits` (and `probabilities`). */
export function buildInferenceGraph(model: TrainedModel): Graph {
  const { arch, standardizer } = model;
  const g = new Graph('l2lab_model');
  const d = arch.widths[0];
  const x = g.input('x', 'float32', ['n', d]);
  const mean = g.constant(standardizer.mean, [d], 'float32');
  const std = g.constant(standardizer.std, [d], 'float32');
  const z = op.div(op.sub(x, mean), std);
  const params = paramShapes(arch).map((p, i) => g.constant(model.params[i], paramDims(p), 'float32'));
  const { logits } = forwardModel(arch, z, params, { training: false });
  // Build every consumer of the logits before naming them: Graph.output renames the producing
  // node's output in the nodes that exist at that moment, so a node added later would read a
  // value that no longer exists (ORT: "Node input 'gemm_6' is not a graph input").
  const probabilities = arch.loss === 'softmax_ce' ? op.softmax(logits, -1) : arch.loss === 'logistic' ? op.sigmoid(logits) : undefined;
  g.output(logits, 'logits');
  if (probabilities) g.output(probabilities, 'probabilities');
  return g;
}

/** Writes model.onnx and model.onnx.json atomically (temp files renamed into place: nothing half-written). */
export function saveModel(model: TrainedModel, onnxPath: string): ModelSidecar {
  const sidecar: ModelSidecar = {
    format: 'l2lab-model',
    version: SIDECAR_VERSION,
    architecture: model.arch,
    convention: model.convention,
    lambda: model.lambda,
    task: model.task,
    classes: model.classes,
    target: model.targetName,
    features: model.featureNames,
    preprocessing: { standardize: model.standardizer },
    outputs: model.arch.loss === 'mse' ? ['logits'] : ['logits', 'probabilities'],
    ...(model.split ? { split: model.split } : {}),
  };
  const bytes = buildInferenceGraph(model).toBytes();
  checkOutputFile(onnxPath, '--out');
  writeFilesAtomic([
    [onnxPath, bytes],
    [sidecarPath(onnxPath), JSON.stringify(sidecar, null, 2)],
  ]);
  return sidecar;
}

/**
 * Reads and checks the `model.onnx.json` sidecar that {@link saveModel} writes beside `model.onnx`
 * (architecture, convention, λ, preprocessing). Throws InvalidDataError naming the missing or malformed file.
 */
export function readSidecar(onnxPath: string): ModelSidecar {
  const p = sidecarPath(onnxPath);
  if (!fs.existsSync(onnxPath)) throw new InvalidDataError(`Model file ${onnxPath} not found. Train one with 'l2lab train … --out ${onnxPath}'.`);
  if (!fs.existsSync(p)) throw new InvalidDataError(`Model sidecar ${p} not found: l2lab writes it beside the .onnx file; copy both together.`);
  let s: ModelSidecar;
  try {
    s = JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (e) {
    throw new InvalidDataError(`Model sidecar ${p} is not valid JSON (${(e as Error).message}). Re-export the model with 'l2lab train --out'.`);
  }
  if (s.format !== 'l2lab-model') throw new InvalidDataError(`${p} is not an l2lab model sidecar (format '${String(s.format)}').`);
  return s;
}
