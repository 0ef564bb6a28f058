/** What an imported ONNX graph becomes: its nodes, constants and parameters, as plain JSON-safe data. */
// Type-only, up to models: every model kind lists its parameters as ParamShapes.
import type { ParamShape } from '../models/param-shape.js';

/** An ONNX attribute as the importer keeps it (tensors become {@link ConstTensor}). */
export type NodeAttr = number | number[] | string | ConstTensor;

/** One node of the (inlined) graph, in topological order. */
export interface ImportedNode {
  op: string;
  /** The node's name in the file (or `<op>_<index>` when it has none): what errors and notes name. */
  name: string;
  /** Input value names ('' for an omitted optional input). */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, NodeAttr>;
}

/** A constant tensor: integer (shape arithmetic, indices, axes) or float (scalars such as GELU's √2). */
export interface ConstTensor {
  kind: 'int' | 'float' | 'bool';
  dims: number[];
  data: number[];
}

/** What a parameter is to the graph: it decides its fan-in, its default penalty and its re-initialization. */
export type ParamRole = 'weight' | 'bias' | 'scale' | 'shift' | 'mean' | 'variance';

/** An initializer trained as a parameter. `kind` is its penalty class ('weight' = penalized). */
export interface ImportedParam extends ParamShape {
  role: ParamRole;
  dims: number[];
}

/**
 * How the data's rows [n, d] become the graph's input: `features` as they are; `channels-first`
 * images (NCHW, PyTorch) from the data's channels-last pixels; `channels-last` images (NHWC, TensorFlow).
 */
export type InputLayout = 'features' | 'channels-first' | 'channels-last';

/** What the graph's output holds; l2lab trains on logits, so a final Softmax, LogSoftmax or Sigmoid is set aside. */
export type OutputKind = 'logits' | 'probabilities' | 'log-probabilities' | 'value';

/** One Dropout node, trained as inverted dropout with l2lab's seeded keep-masks. */
export interface ImportedDropout {
  node: string;
  ratio: number;
  /** Elements per sample of its input (the keep-mask's width). */
  width: number;
}

/** An imported graph, ready to be translated onto the graph builder (forward.ts). */
export interface ImportedNet {
  /** The path as given. */
  file: string;
  /** The first 16 hex digits of the file's SHA-256: tuning studies key on it, so a changed file is a new study. */
  hash: string;
  /** e.g. `pytorch 1.13.0`. */
  producer: string;
  opset: number;
  input: { name: string; dims: number[]; layout: InputLayout };
  /** `value`: the name whose values are the logits (or the regression value); `graphOutput`: the file's output name. */
  output: { value: string; graphOutput: string; kind: OutputKind; units: number };
  nodes: ImportedNode[];
  constants: Record<string, ConstTensor>;
  params: ImportedParam[];
  dropouts: ImportedDropout[];
  /** Whether K members can train as one population graph (only dense ops: no Conv, pooling or BatchNorm). */
  stacks: boolean;
  /** What the user should know about how the file was read (folded BatchNorm, tied weights, a fixed batch). */
  notes: string[];
}
