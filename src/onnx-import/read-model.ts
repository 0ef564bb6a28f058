/** Reads an .onnx file into its protobuf model, refusing files that are not ONNX, are truncated or keep weights elsewhere. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import onnxProto from 'onnx-proto';
import { InvalidDataError } from '../errors.js';
import type { ConstTensor, NodeAttr } from './net.js';

const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.ModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;

const T = onnx.TensorProto.DataType;
const FLOAT_TYPES = new Set<number>([T.FLOAT, T.DOUBLE]);
const INT_TYPES = new Set<number>([T.INT64, T.INT32, T.INT16, T.INT8, T.UINT8]);

/** protobufjs gives int64 fields as numbers or Long objects. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** Parses `bytes` as an ONNX ModelProto; `file` names it in errors. */
export function decodeModel(bytes: Uint8Array, file: string): ModelProto {
  const fix = `Export it again with torch.onnx.export(model, example_input, '${file}') (or tf2onnx, skl2onnx) and pass that file.`;
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const truncated = /index out of range/.test((e as Error).message);
    throw new InvalidDataError(
      truncated
        ? `${file} ends before its ONNX model does (${bytes.length.toLocaleString('en-US')} bytes): the file is truncated, e.g. an interrupted copy or download. ${fix}`
        : `${file} is not an ONNX model (protobuf: ${(e as Error).message}). ${fix}`,
    );
  }
  if (!model.graph || model.opsetImport.length === 0 || toNumber(model.irVersion) <= 0) {
    throw new InvalidDataError(`${file} is not an ONNX model: it has no ${!model.graph ? 'graph' : model.opsetImport.length === 0 ? 'opset import' : 'IR version'}. ${fix}`);
  }
  return model;
}

/** Reads and decodes an .onnx file; `hash` is the first 16 hex digits of its SHA-256 (a changed file is a different model). */
export function readModel(file: string): { model: ModelProto; hash: string } {
  if (!fs.existsSync(file)) throw new InvalidDataError(`Model file ${file} not found. Give the path of an .onnx file, e.g. one written by torch.onnx.export.`);
  const bytes = new Uint8Array(fs.readFileSync(file));
  return { model: decodeModel(bytes, file), hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16) };
}

/** Whether a tensor holds floats (parameters, float constants) or integers (shapes, axes, indices). */
export function tensorKind(t: TensorProto): ConstTensor['kind'] | undefined {
  const type = t.dataType ?? 0;
  if (FLOAT_TYPES.has(type)) return 'float';
  if (INT_TYPES.has(type)) return 'int';
  if (type === T.BOOL) return 'bool';
  return undefined;
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map(toNumber);
}

/** The name of a TensorProto data type, for errors. */
export function typeName(type: number): string {
  return (onnx.TensorProto.DataType as unknown as Record<number, string>)[type] ?? `type ${type}`;
}

/** A tensor's values as numbers (float32/float64 exactly; int64 as numbers), from raw_data or the typed fields. */
export function tensorValues(t: TensorProto, where: string): Float64Array {
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new InvalidDataError(`${where} keeps its values in an external file (${(t.externalData ?? []).map((e) => `${e.key}=${e.value}`).join(', ')}): l2lab reads one self-contained .onnx. Re-export without external data (torch.onnx.export writes it inline below 2 GB; onnx.save_model(m, path, save_as_external_data=False)).`);
  }
  const type = t.dataType ?? 0;
  const n = tensorDims(t).reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  let out: Float64Array;
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read: Record<number, [number, (i: number) => number]> = {
      [T.FLOAT]: [4, (i) => view.getFloat32(4 * i, true)],
      [T.DOUBLE]: [8, (i) => view.getFloat64(8 * i, true)],
      [T.INT64]: [8, (i) => Number(view.getBigInt64(8 * i, true))],
      [T.INT32]: [4, (i) => view.getInt32(4 * i, true)],
      [T.INT16]: [2, (i) => view.getInt16(2 * i, true)],
      [T.INT8]: [1, (i) => view.getInt8(i)],
      [T.UINT8]: [1, (i) => view.getUint8(i)],
      [T.BOOL]: [1, (i) => view.getUint8(i)],
    };
    const r = read[type];
    if (!r) throw new InvalidDataError(`${where} is ${typeName(type)}: l2lab reads float, double, integer and bool tensors. Export the model in float32.`);
    if (raw.byteLength !== n * r[0]) throw new InvalidDataError(`${where} holds ${raw.byteLength} bytes for ${n} ${typeName(type)} values (${n * r[0]} expected): the file is damaged. Export it again.`);
    out = Float64Array.from({ length: n }, (_, i) => r[1](i));
  } else {
    const typed = type === T.FLOAT ? t.floatData : type === T.DOUBLE ? t.doubleData : type === T.INT64 ? t.int64Data : INT_TYPES.has(type) || type === T.BOOL ? t.int32Data : undefined;
    if (!typed) throw new InvalidDataError(`${where} is ${typeName(type)}: l2lab reads float, double, integer and bool tensors. Export the model in float32.`);
    if (typed.length !== n) throw new InvalidDataError(`${where} holds ${typed.length} values for its ${n} elements: the file is damaged. Export it again.`);
    out = Float64Array.from(typed as ArrayLike<unknown>, toNumber);
  }
  return out;
}

/** A TensorProto as a constant. */
export function constTensor(t: TensorProto, where: string): ConstTensor {
  const kind = tensorKind(t);
  if (!kind) throw new InvalidDataError(`${where} is ${typeName(t.dataType ?? 0)}: l2lab reads float, double, integer and bool tensors. Export the model in float32.`);
  return { kind, dims: tensorDims(t), data: Array.from(tensorValues(t, where)) };
}

/** A node's attributes as plain values; a float attribute is read at the precision it was written (float32). */
export function nodeAttrs(node: NodeProto, where: string): Record<string, NodeAttr> {
  const A = onnx.AttributeProto.AttributeType;
  const out: Record<string, NodeAttr> = {};
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    switch (a.type) {
      case A.FLOAT:
        out[name] = shortestFloat32(a.f ?? 0);
        break;
      case A.INT:
        out[name] = toNumber(a.i);
        break;
      case A.INTS:
        out[name] = (a.ints ?? []).map(toNumber);
        break;
      case A.FLOATS:
        out[name] = (a.floats ?? []).map(shortestFloat32);
        break;
      case A.STRING:
        out[name] = new TextDecoder().decode(a.s ?? new Uint8Array());
        break;
      case A.TENSOR:
        out[name] = constTensor(a.t ?? {}, `attribute '${name}' of ${where}`);
        break;
      default:
        throw new InvalidDataError(`${where} has attribute '${name}' of a kind l2lab does not read (${A[a.type ?? 0] ?? a.type}, e.g. a subgraph). Export the model without control flow.`);
    }
  }
  return out;
}

/**
 * The shortest decimal that rounds to the same float32: attributes such as BatchNorm's momentum 0.9
 * are stored as float32 (0.89999998), and PyTorch's own constant is the decimal.
 */
export function shortestFloat32(v: number): number {
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === Math.fround(v)) return d;
  }
  return v;
}
