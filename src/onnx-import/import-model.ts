/**
 * `--model path/to/net.onnx`: reads the file, inlines local functions, refuses what l2lab cannot
 * train (before any work), classifies initializers into parameters and constants, fixes the input
 * from the data, and builds the graph once to check every shape: the result is an Architecture.
 */
import { InvalidDataError, InvalidOptionError } from '../errors.js';
import { Graph, type Value } from '../graph/graph.js';
// Type-only, up to models: an import builds the Architecture that models/architecture.ts dispatches `.onnx` specs for.
import type { Architecture, LossKind, ModelSpecOptions, TaskShape } from '../models/architecture-types.js';
import { MAX_PARAMS } from '../params/limits.js';
import { UnsupportedModelError } from './errors.js';
import { shapeOf, type Entry } from './entries.js';
import { dropoutRatio } from './dense-ops.js';
import { translateNet } from './forward.js';
import { fixInput, graphInput, graphOutput } from './graph-io.js';
import { inlineFunctions, isStandardDomain } from './inline-functions.js';
import type { ConstTensor, ImportedDropout, ImportedNet, ImportedNode, OutputKind } from './net.js';
import { OPERATORS, SINGLE_MEMBER_OPERATORS, supportedList } from './operators.js';
import { classifyParams, isScalarConstant, usesOf } from './params.js';
import { constTensor, readModel, tensorDims, tensorKind, tensorValues, toNumber, type ModelProto } from './read-model.js';
import { rememberWeights } from './weights.js';

/** Whether a model spec names an .onnx file (imported) rather than one of l2lab's own models. */
export function isOnnxPath(spec: string): boolean {
  return /\.onnx$/i.test(spec);
}

/** The standard domain's opset (or an error: a model of custom operators only). */
function standardOpset(model: ModelProto, file: string): number {
  const std = model.opsetImport.find((o) => isStandardDomain(o.domain));
  if (!std) throw new UnsupportedModelError(`${file} imports no standard ONNX opset (only ${model.opsetImport.map((o) => o.domain).join(', ')}): l2lab trains standard operators.`);
  return toNumber(std.version);
}

/** Refuses every operator outside the supported list, naming the first few nodes, before any other work. */
function checkOperators(nodes: ImportedNode[], file: string): void {
  const bad = nodes.filter((n) => !OPERATORS[n.op]);
  if (bad.length === 0) return;
  const list = bad.slice(0, 3).map((n) => `${n.op} (node '${n.name}')`).join(', ');
  throw new UnsupportedModelError(`${file} uses ${bad.length === 1 ? 'an operator' : `${new Set(bad.map((n) => n.op)).size} operators`} l2lab cannot train: ${list}${bad.length > 3 ? `, and ${bad.length - 3} more` : ''}. Supported: ${supportedList()}.`);
}

/** The nodes the output depends on, in order (the rest, e.g. BatchNorm's running-statistic outputs, are left out). */
function needed(nodes: ImportedNode[], output: string): ImportedNode[] {
  const want = new Set([output]);
  const keep = new Set<ImportedNode>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!nodes[i].outputs.some((o) => want.has(o))) continue;
    keep.add(nodes[i]);
    for (const v of nodes[i].inputs) if (v) want.add(v);
  }
  return nodes.filter((n) => keep.has(n));
}

/** Refuses a graph whose parameters exceed the cap, from the initializers' dims alone (before reading any values). */
function checkSize(model: ModelProto, file: string): void {
  const floats = (model.graph!.initializer ?? []).filter((t) => tensorKind(t) === 'float');
  const total = floats.reduce((a, t) => a + tensorDims(t).reduce((x, y) => x * y, 1), 0);
  if (total > MAX_PARAMS) throw new InvalidDataError(`${file} has ${total.toLocaleString('en-US')} float parameters; l2lab trains at most ${MAX_PARAMS.toLocaleString('en-US')} (each copy — gradients, optimizer state — as much again). Export a smaller model.`);
}

/** A BatchNorm exported in eval mode is folded into the Conv before it: its weight becomes an exporter-made tensor (onnx::Conv_…). */
function foldedBatchNormNote(nodes: ImportedNode[]): string[] {
  if (nodes.some((n) => n.op === 'BatchNormalization')) return [];
  const conv = nodes.find((n) => n.op === 'Conv' && /^onnx::/.test(n.inputs[1] ?? ''));
  if (!conv) return [];
  return [
    `Conv '${conv.name}' reads a weight the exporter computed ('${conv.inputs[1]}'), the mark of a BatchNorm exported in eval mode and folded into the convolution: its scale, shift and running statistics are gone, so l2lab trains the network without BatchNorm. ` +
      `To keep them, export in training mode: torch.onnx.export(model, x, path, training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False).`,
  ];
}

/** Initializers split into constants (integer values, float scalars of arithmetic) and the float tensors that train. */
function splitInitializers(model: ModelProto, nodes: ImportedNode[]): { constants: Record<string, ConstTensor>; floats: { name: string; dims: number[] }[] } {
  const uses = usesOf(nodes);
  const constants: Record<string, ConstTensor> = {};
  const floats: { name: string; dims: number[] }[] = [];
  for (const t of model.graph!.initializer ?? []) {
    const name = t.name ?? '';
    if (!uses.has(name)) continue;
    const info = { name, dims: tensorDims(t) };
    if (tensorKind(t) === 'float' && !isScalarConstant(info, uses.get(name)!)) floats.push(info);
    else constants[name] = constTensor(t, `initializer '${name}'`);
  }
  return { constants, floats };
}

/** The loss that matches what the graph outputs (`final`: the Softmax, LogSoftmax or Sigmoid set aside) and what the data holds. */
function lossFor(file: string, final: string | undefined, units: number, task: TaskShape): LossKind {
  if (task.task === 'regression') {
    if (units !== 1) throw new InvalidDataError(`${file} outputs ${units} values per sample; the data has one numeric target. Export a model with one output, or use --task classification for class labels.`);
    return 'mse';
  }
  const c = task.classes;
  if (final === 'Sigmoid' && units > 1) throw new UnsupportedModelError(`${file} ends in a Sigmoid over ${units} outputs (independent yes/no labels); l2lab trains one class per sample. End the model in its logits or a Softmax.`);
  if (final !== 'Sigmoid' && final !== undefined && units === 1) throw new UnsupportedModelError(`${file} ends in a ${final} over 1 output, which is constant. For 2 classes end in 1 logit (or a Sigmoid), or 2 logits.`);
  if (units === c) return 'softmax_ce';
  if (units === 1 && c === 2) return 'logistic';
  throw new InvalidDataError(`${file} outputs ${units} ${final ? 'probabilities' : 'logits'} per sample, but the data has ${c} classes: the last layer needs ${c} outputs${c === 2 ? ' (or 1 logit)' : ''}. Export the model for these classes, or use the data it was built for.`);
}

/** Step and evaluation graphs name their own inputs x.0, y.0, lr.0, l2, decay, …, and their nodes <op>_<n>: a parameter must not take such a name. */
function checkNames(net: ImportedNet): void {
  const clash = net.params.find((p) => /^(x|y|l2|decay)$|^(x|y|lr|w|keep|bc1|bc2)\.\d|^[a-z]+_\d+$/.test(p.name));
  if (clash) throw new UnsupportedModelError(`${net.file}: initializer '${clash.name}' has a name l2lab's training graph uses for its own values. Rename the parameter (e.g. give its module a name) and export again.`);
}

/** Builds the graph once, as evaluation does (symbolic batch), to check every shape; returns the named values. */
function dryRun(net: ImportedNet, d: number, training: boolean): Map<string, Entry> {
  const g = new Graph('l2lab_import_check');
  // Training graphs have a static batch (BatchNorm's running variance needs the count); evaluation a symbolic one.
  const x = g.input('x', 'float32', [training ? 2 : 'n', d]);
  const params = net.params.map((p) => g.input(p.name, 'float32', p.dims));
  const keepMasks = net.dropouts.map((drop, l): Value => g.input(`keep.${l}`, 'float32', [2, drop.width]));
  return translateNet(net, x, params, { training, keepMasks }).env;
}

/** The output's units per sample, checking that it is one row per sample. */
function outputUnits(net: ImportedNet, env: Map<string, Entry>): number {
  const out = env.get(net.output.value);
  if (!out || out.kind !== 'tensor') throw new UnsupportedModelError(`${net.file}: the output '${net.output.graphOutput}' is not a float tensor computed from the input.`);
  const s = shapeOf(out);
  if (s[0] !== 'n' || s.length > 2 || typeof s[s.length - 1] !== 'number') throw new UnsupportedModelError(`${net.file}: the output '${net.output.graphOutput}' has shape [${s}] for a batch of n samples; l2lab needs one row of scores per sample, [n, k] or [n].`);
  return s.length === 1 ? 1 : (s[1] as number);
}

/** The Dropout nodes that drop something while training, with the width of their input per sample. */
function dropoutsOf(net: ImportedNet, env: Map<string, Entry>): ImportedDropout[] {
  return net.nodes.flatMap((node) => {
    if (node.op !== 'Dropout') return [];
    const ratio = dropoutRatio(node, node.inputs.map((n) => (n ? env.get(n) : undefined)), net.opset);
    const x = env.get(node.inputs[0]);
    if (ratio === 0 || !x || x.kind !== 'tensor') return [];
    const width = shapeOf(x).slice(1).reduce<number>((a, dim) => a * (dim as number), 1);
    return [{ node: node.name, ratio, width }];
  });
}

/**
 * Imports `file` as an Architecture for data with `inputs` features (or `o.image` images) and the
 * given task. Every refusal (not ONNX, truncated, unsupported operator, no float output, dims the data
 * cannot fix, too many parameters) happens here, before any training.
 */
export function importModel(file: string, inputs: number, task: TaskShape, o: ModelSpecOptions = {}): Architecture {
  const dropout = Array.isArray(o.dropout) ? o.dropout : [o.dropout ?? 0];
  if (dropout.some((p) => p !== 0)) throw new InvalidOptionError(`--dropout applies to mlp: and cnn: models; ${file} trains with its own Dropout nodes and their ratios.`);
  const { model, hash } = readModel(file);
  const opset = standardOpset(model, file);
  checkSize(model, file);
  const all = inlineFunctions(model);
  const output = graphOutput(model, all, file);
  const keepFinal = task.task === 'regression' && output.kind !== 'logits';
  const value = keepFinal ? output.graphOutput : output.value;
  const nodes = needed(all, value);
  checkOperators(nodes, file);
  const input = graphInput(model, file);
  const fixed = fixInput(file, input.name, input.dims, inputs, o.image);
  const { constants, floats } = splitInitializers(model, nodes);
  const { params, notes } = classifyParams(nodes, floats, { penalize: o.penalize, exclude: o.exclude });
  const finalNote = output.final && !keepFinal ? [`the graph ends in ${output.final.op} ('${output.final.name}'): l2lab trains on its input, the logits, with the matching cross-entropy.`] : [];
  const batchNote = typeof input.dims[0] === 'number' ? [`the file fixes the batch at ${input.dims[0]} (exported without a dynamic batch axis); l2lab reads the input's first axis as the batch, so any batch size runs.`] : [];
  const net: ImportedNet = {
    file,
    hash,
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim() || 'unknown producer',
    opset,
    input: { name: input.name, ...fixed },
    output: { value, graphOutput: output.graphOutput, kind: task.task === 'regression' ? 'value' : output.kind, units: 0 },
    nodes,
    constants,
    params,
    dropouts: [],
    stacks: !nodes.some((n) => SINGLE_MEMBER_OPERATORS.has(n.op)),
    notes: [...output.notes, ...finalNote, ...batchNote, ...notes, ...foldedBatchNormNote(nodes)],
  };
  checkNames(net);
  const env = dryRun(net, inputs, false);
  net.output.units = outputUnits(net, env);
  net.dropouts = dropoutsOf(net, env);
  const loss = lossFor(file, keepFinal ? undefined : output.final?.op, net.output.units, task);
  dryRun(net, inputs, true);
  rememberWeights(net, readWeights(model, net));
  return { widths: [inputs, ...net.dropouts.map((d) => d.width), net.output.units], activation: 'relu', loss, dropout: net.dropouts.map((d) => d.ratio), onnx: net };
}

/** The file's values of every parameter, in net.params order. */
function readWeights(model: ModelProto, net: ImportedNet): Float64Array[] {
  const byName = new Map((model.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
  return net.params.map((p) => tensorValues(byName.get(p.name)!, `initializer '${p.name}'`));
}

/** e.g. `net.onnx (pytorch 1.13.0, opset 14): Conv, BatchNormalization, Relu, MaxPool, Gemm → 10 logits`. */
export function describeImported(net: ImportedNet): string {
  const ops = [...new Set(net.nodes.map((n) => n.op).filter((op) => !['Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Slice', 'Cast', 'Constant', 'Identity'].includes(op)))];
  const out = net.output.kind === 'value' ? `${net.output.units} value${net.output.units === 1 ? '' : 's'}` : `${net.output.units} logit${net.output.units === 1 ? '' : 's'}`;
  return `${net.file} (${net.producer}, opset ${net.opset}): ${ops.join(', ')} → ${out}`;
}
