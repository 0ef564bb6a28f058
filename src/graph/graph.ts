/** The graph builder: typed values with static (or symbolic) shapes, nodes, and ModelProto encoding. */
import onnxProto from 'onnx-proto';
import { ShapeError } from '../errors.js';

const { onnx } = onnxProto;

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';
/** A dimension: a number when known at build time, a name (e.g. 'batch') when it varies between runs. */
export type Dim = number | string;
export type Shape = readonly Dim[];
export type FloatDType = 'float32' | 'float64';

/**
 * Local gradient of one recorded op: maps output gradients to input gradients (undefined = none).
 * `wanted[i]` says whether input i's gradient is asked for; an op whose input gradients cost real
 * work (a convolution's ConvTranspose) skips the unwanted ones, since ORT keeps nodes whose output
 * nobody reads.
 */
export type Backward = (gradOutputs: (Value | undefined)[], wanted: boolean[]) => (Value | undefined)[];

export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly graph: Graph;
}

export type AttrValue = number | number[] | string | { floats: number[] } | TensorData;

export interface TensorData {
  dtype: DType;
  shape: readonly number[];
  data: ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean>;
}

interface NodeRecord {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

/** A recorded differentiable op: what reverse-mode autodiff walks back over. */
export interface TapeEntry {
  inputs: Value[];
  outputs: Value[];
  backward: Backward;
}

const ONNX_TYPE: Record<DType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

export const OPSET = 18;

/**
 * An ONNX graph under construction: inputs, initializers and nodes recorded on a tape, so that {@link grad} can
 * append the reverse-mode gradient graph; `toBytes()` serializes it as an ONNX model (opset {@link OPSET}).
 */
export class Graph {
  readonly nodes: NodeRecord[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  private readonly initializers: { name: string; tensor: TensorData }[] = [];
  /** Which tape entry produced a value (by name); values without one are leaves. */
  readonly producer = new Map<string, TapeEntry>();
  private readonly nodeOf = new Map<string, NodeRecord>();
  private readonly consumers = new Map<string, number>();
  private counter = 0;
  private readonly constCache = new Map<string, Value>();
  /** Output names given to node outputs (see output()). */
  private readonly aliases = new Map<string, string>();

  constructor(readonly name = 'l2lab') {}

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  private value(name: string, dtype: DType, shape: Shape): Value {
    return { name, dtype, shape: [...shape], graph: this };
  }

  /** A graph input fed at each run. */
  input(name: string, dtype: DType, shape: Shape): Value {
    if (this.inputs.some((v) => v.name === name)) throw new ShapeError(`Graph input '${name}' is declared twice.`);
    const v = this.value(name, dtype, shape);
    this.inputs.push(v);
    return v;
  }

  /** A constant tensor stored in the model (as an initializer). Equal small constants are shared. */
  constant(data: ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean>, shape: readonly number[], dtype: DType): Value {
    const small = data.length <= 16;
    const key = small ? `${dtype}|${shape.join(',')}|${Array.from(data as ArrayLike<number>).join(',')}` : '';
    const cached = small ? this.constCache.get(key) : undefined;
    if (cached) return cached;
    const expected = shape.reduce((a, b) => a * b, 1);
    if (expected !== data.length) throw new ShapeError(`Constant of shape [${shape.join(', ')}] needs ${expected} values, got ${data.length}.`);
    const v = this.value(this.fresh('const'), dtype, shape);
    this.initializers.push({ name: v.name, tensor: { dtype, shape, data } });
    if (small) this.constCache.set(key, v);
    return v;
  }

  scalar(x: number, dtype: DType): Value {
    return this.constant([dtype === 'int64' ? (BigInt(x) as unknown as number) : x], [], dtype);
  }

  ints(xs: readonly number[]): Value {
    return this.constant(xs.map((x) => BigInt(x)), [xs.length], 'int64');
  }

  /** Appends a raw ONNX node (no gradient recorded). */
  node(op: string, inputs: (Value | undefined)[], outs: { dtype: DType; shape: Shape }[], attrs: Record<string, AttrValue> = {}): Value[] {
    const outputs = outs.map((o) => this.value(this.fresh(op.toLowerCase()), o.dtype, o.shape));
    const rec: NodeRecord = { op, inputs: inputs.map((v) => v?.name ?? ''), outputs: outputs.map((v) => v.name), attrs };
    this.nodes.push(rec);
    for (const o of outputs) this.nodeOf.set(o.name, rec);
    for (const i of inputs) if (i) this.consumers.set(i.name, (this.consumers.get(i.name) ?? 0) + 1);
    return outputs;
  }

  /** Records a differentiable op's local gradient beside its forward nodes. */
  record(inputs: Value[], outputs: Value[], backward: Backward): void {
    const entry: TapeEntry = { inputs, outputs, backward };
    for (const o of outputs) this.producer.set(o.name, entry);
  }

  /**
   * Adds `c` to a Gemm's result by giving that Gemm a C input, when `v` is the only output of a
   * 2-input Gemm nobody else reads; otherwise an Add. Used to fuse an optimizer update into the
   * backward Gemm that produced the weight gradient (one pass over W instead of three).
   */
  addIntoGemm(v: Value, c: Value): Value {
    const node = this.nodeOf.get(v.name);
    if (node && node.op === 'Gemm' && node.inputs.length === 2 && !this.consumers.get(v.name) && sameShape(v.shape, c.shape)) {
      node.inputs.push(c.name);
      this.consumers.set(c.name, (this.consumers.get(c.name) ?? 0) + 1);
      return v;
    }
    const [out] = this.node('Add', [v, c], [{ dtype: v.dtype, shape: v.shape }]);
    return out;
  }

  /**
   * Marks a value as a graph output under `name`. The producing node's output takes that name when
   * the graph is encoded (an alias, so nodes added later that read the value still find it), rather
   * than an Identity node, which costs a copy per run.
   */
  output(v: Value, name: string): Value {
    if (this.outputs.some((o) => o.name === name)) throw new ShapeError(`Graph output '${name}' is declared twice.`);
    if (!this.nodeOf.has(v.name) || this.aliases.has(v.name)) {
      const [id] = this.node('Identity', [v], [{ dtype: v.dtype, shape: v.shape }]);
      return this.output(id, name);
    }
    this.aliases.set(v.name, name);
    const out = this.value(name, v.dtype, v.shape);
    this.outputs.push(out);
    return out;
  }

  /** Encodes the graph as an ONNX ModelProto (opset 18), leaving out constants no node reads. */
  toBytes(): Uint8Array {
    const named = (x: string) => this.aliases.get(x) ?? x;
    const read = new Set(this.nodes.flatMap((n) => n.inputs));
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: this.nodes.map((n, i) =>
        onnx.NodeProto.create({
          opType: n.op,
          name: `${n.op}_${i}`,
          input: n.inputs.map(named),
          output: n.outputs.map(named),
          attribute: Object.entries(n.attrs).map(([k, v]) => encodeAttr(k, v)),
        }),
      ),
      input: this.inputs.map(valueInfo),
      output: this.outputs.map(valueInfo),
      // Only initializers some node reads: ONNX Runtime warns about every unused one at each session creation.
      initializer: this.initializers.filter(({ name }) => read.has(name)).map(({ name, tensor }) => encodeTensor(name, tensor)),
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'l2lab',
      opsetImport: [{ domain: '', version: OPSET }],
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

function valueInfo(v: Value): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE[v.dtype],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function encodeTensor(name: string, t: TensorData): onnxProto.onnx.ITensorProto {
  const n = t.data.length;
  let raw: Uint8Array;
  switch (t.dtype) {
    case 'float32':
      raw = new Uint8Array(Float32Array.from(t.data as ArrayLike<number>).buffer);
      break;
    case 'float64':
      raw = new Uint8Array(Float64Array.from(t.data as ArrayLike<number>).buffer);
      break;
    case 'int64':
      raw = new Uint8Array(BigInt64Array.from(t.data as ArrayLike<bigint>, (x) => BigInt(x)).buffer);
      break;
    case 'int32':
      raw = new Uint8Array(Int32Array.from(t.data as ArrayLike<number>).buffer);
      break;
    case 'bool':
      raw = Uint8Array.from({ length: n }, (_, i) => ((t.data as ArrayLike<unknown>)[i] ? 1 : 0));
      break;
  }
  return { name, dims: [...t.shape], dataType: ONNX_TYPE[t.dtype], rawData: raw };
}

function encodeAttr(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) && !isFloatAttr(name) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: encodeTensor(name, v) };
}

/** Attributes that ONNX defines as floats even when the value happens to be whole. */
function isFloatAttr(name: string): boolean {
  return name === 'alpha' || name === 'beta' || name === 'epsilon' || name === 'ratio' || name === 'seed' || name === 'low' || name === 'high';
}
