/** The graph's input and output as the data meets them: which input, its dims fixed by the data, its layout; which output, and what it holds. */
import onnxProto from 'onnx-proto';
import { InvalidDataError } from '../errors.js';
// Type-only, up to models: the image shape a dataset declares.
import type { ImageShape } from '../models/cnn-spec.js';
import { UnsupportedModelError } from './errors.js';
import type { ImportedNode, InputLayout, OutputKind } from './net.js';
import { toNumber, typeName, type ModelProto } from './read-model.js';

const T = onnxProto.onnx.TensorProto.DataType;
type ValueInfo = onnxProto.onnx.IValueInfoProto;

/** A dim as the file declares it: a number, a name (dynamic), or undefined (unknown). */
type FileDim = number | string | undefined;

function dimsOf(v: ValueInfo): FileDim[] {
  return (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : undefined));
}

function isFloat(v: ValueInfo): boolean {
  const t = v.type?.tensorType?.elemType;
  return t === T.FLOAT || t === T.DOUBLE;
}

function show(dims: FileDim[]): string {
  return `[${dims.map((d) => d ?? '?').join(', ')}]`;
}

/** The one float input that is not an initializer (IR < 4 lists initializers among the inputs). */
export function graphInput(model: ModelProto, file: string): { name: string; dims: FileDim[] } {
  const inits = new Set((model.graph!.initializer ?? []).map((t) => t.name));
  const inputs = (model.graph!.input ?? []).filter((v) => !inits.has(v.name ?? ''));
  const floats = inputs.filter(isFloat);
  if (floats.length !== 1 || inputs.length !== 1) {
    const list = inputs.map((v) => `${v.name} (${typeName(v.type?.tensorType?.elemType ?? 0)} ${show(dimsOf(v))})`).join(', ') || 'none';
    throw new UnsupportedModelError(`${file} has ${inputs.length === 0 ? 'no input' : `inputs ${list}`}: l2lab feeds one float input, the data's rows. Export a model whose forward takes one float tensor.`);
  }
  return { name: floats[0].name ?? '', dims: dimsOf(floats[0]) };
}

/**
 * Fixes the input's non-batch dims from the data: `inputs` features, or the images' height × width ×
 * channels (NCHW or NHWC, whichever the numbers the file gives fit). Dims the data cannot fix are an error.
 */
export function fixInput(file: string, name: string, dims: FileDim[], inputs: number, image: ImageShape | undefined): { dims: number[]; layout: InputLayout } {
  const rest = dims.slice(1);
  const batch = typeof dims[0] === 'number' ? dims[0] : -1;
  const fit = (want: number[]) => want.length === rest.length && rest.every((d, i) => typeof d !== 'number' || d === want[i]);
  if (image && rest.length === 3) {
    const { height: h, width: w, channels: c } = image;
    if (fit([c, h, w])) return { dims: [batch, c, h, w], layout: 'channels-first' };
    if (fit([h, w, c])) return { dims: [batch, h, w, c], layout: 'channels-last' };
  }
  const known = rest.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1);
  const open = rest.filter((d) => typeof d !== 'number').length;
  const what = image ? `${image.height}×${image.width}×${image.channels} images (${inputs} values per row)` : `${inputs} features per row`;
  if (open === 0 && known === inputs) return { dims: [batch, ...(rest as number[])], layout: 'features' };
  if (open === 1 && inputs % known === 0) return { dims: [batch, ...rest.map((d) => (typeof d === 'number' ? d : inputs / known))], layout: 'features' };
  if (open > 1) throw new InvalidDataError(`${file}'s input '${name}' ${show(dims)} has ${open} dynamic dimensions besides the batch, and the data (${what}) fixes at most one: l2lab cannot tell its shape. Export with fixed sizes (dynamic_axes only on the batch axis).`);
  throw new InvalidDataError(`${file}'s input '${name}' ${show(dims)} takes ${open ? `a multiple of ${known}` : known} values per sample, but the data has ${what}. Use the data the model was built for, or export the model for this input size.`);
}

/** The first float output; a final Softmax, LogSoftmax or Sigmoid is set aside (l2lab's losses take logits). */
export function graphOutput(model: ModelProto, nodes: ImportedNode[], file: string): { graphOutput: string; value: string; kind: OutputKind; final?: ImportedNode; notes: string[] } {
  const outputs = model.graph!.output ?? [];
  const floats = outputs.filter(isFloat);
  if (floats.length === 0) {
    throw new InvalidDataError(`${file} has no float output (${outputs.map((v) => `${v.name}: ${typeName(v.type?.tensorType?.elemType ?? 0)}`).join(', ') || 'no outputs'}): l2lab trains on a float output (logits, probabilities or a value). Export the model's scores, not e.g. an argmax.`);
  }
  const name = floats[0].name ?? '';
  const notes = outputs.length > 1 ? [`the graph has ${outputs.length} outputs; l2lab trains on the first float one, '${name}', and ignores ${outputs.filter((v) => v.name !== name).map((v) => `'${v.name}'`).join(', ')}.`] : [];
  // Identity nodes between the last operator and the output (some exporters name outputs that way) pass it through.
  let last = nodes.find((n) => n.outputs.includes(name));
  while (last?.op === 'Identity') {
    const input = last.inputs[0];
    last = nodes.find((n) => n.outputs.includes(input));
  }
  const kinds: Record<string, OutputKind> = { Softmax: 'probabilities', LogSoftmax: 'log-probabilities', Sigmoid: 'probabilities' };
  if (last && kinds[last.op]) return { graphOutput: name, value: last.inputs[0], kind: kinds[last.op], final: last, notes };
  return { graphOutput: name, value: name, kind: 'logits', notes };
}
