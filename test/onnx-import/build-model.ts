/** Builds small ONNX models by hand for the importer's tests: nodes, float/int initializers, one input, outputs, local functions. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

export type Attr = number | number[] | string | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, Attr>;
  /** Attributes that refer to the calling node's (inside a local function). */
  refs?: Record<string, string>;
}

export interface InitSpec {
  name: string;
  dims: number[];
  /** float32 values (default), or int64 with `int`. Omitted: no data (only dims, e.g. a size check). */
  values?: number[];
  int?: boolean;
}

export interface ModelSpec {
  nodes: NodeSpec[];
  inits?: InitSpec[];
  input?: { name: string; dims: (number | string)[]; type?: number };
  outputs?: { name: string; dims?: (number | string)[]; type?: number }[];
  opset?: number;
  functions?: { name: string; domain: string; inputs: string[]; outputs: string[]; attributes?: string[]; nodes: NodeSpec[] }[];
}

function attr(name: string, v: Attr): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (typeof v === 'object') return { name, type: A.FLOAT, f: v.float };
  return { name, type: A.INT, i: v };
}

function node(n: NodeSpec, i: number): onnxProto.onnx.INodeProto {
  const attribute = [...Object.entries(n.attrs ?? {}).map(([k, v]) => attr(k, v)), ...Object.entries(n.refs ?? {}).map(([k, ref]) => ({ name: k, refAttrName: ref, type: A.INTS }))];
  return { opType: n.op, input: n.inputs, output: n.outputs, name: n.name ?? `${n.op}_${i}`, domain: n.domain ?? '', attribute };
}

function valueInfo(name: string, dims: (number | string)[] | undefined, type = T.FLOAT): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: type, shape: dims ? { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined } } };
}

export function modelBytes(m: ModelSpec): Uint8Array {
  const initializer = (m.inits ?? []).map((t) => {
    if (t.values === undefined) return { name: t.name, dims: t.dims, dataType: t.int ? T.INT64 : T.FLOAT };
    const raw = t.int ? new Uint8Array(BigInt64Array.from(t.values, BigInt).buffer) : new Uint8Array(Float32Array.from(t.values).buffer);
    return { name: t.name, dims: t.dims, dataType: t.int ? T.INT64 : T.FLOAT, rawData: raw };
  });
  const input = m.input ?? { name: 'x', dims: ['N', 4] };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'l2lab-test',
    opsetImport: [{ domain: '', version: m.opset ?? 17 }, ...(m.functions ?? []).map((f) => ({ domain: f.domain, version: 1 }))],
    graph: {
      name: 'test',
      node: m.nodes.map(node),
      initializer,
      input: [valueInfo(input.name, input.dims, input.type)],
      output: (m.outputs ?? [{ name: 'y' }]).map((o) => valueInfo(o.name, o.dims, o.type)),
    },
    functions: (m.functions ?? []).map((f) => ({ name: f.name, domain: f.domain, input: f.inputs, output: f.outputs, attribute: f.attributes ?? [], node: f.nodes.map(node), opsetImport: [{ domain: '', version: m.opset ?? 18 }] })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the model to a fresh temporary file and returns its path. */
export function writeModel(m: ModelSpec | Uint8Array, name = 'net.onnx'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-onnx-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, m instanceof Uint8Array ? m : modelBytes(m));
  return file;
}

/** Deterministic small float values for initializers. */
export function values(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.round(((s / 2147483648) * 2 - 1) * 1000) / 1000;
  });
}
