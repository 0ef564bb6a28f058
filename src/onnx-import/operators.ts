/** The operators an imported graph may use, each with its translation onto the graph builder. */
import type { Translate } from './entries.js';
import * as dense from './dense-ops.js';
import * as image from './image-ops.js';
import * as shape from './shape-ops.js';

/** Differentiable operators on float tensors: what PyTorch's exporters, tf2onnx and keras2onnx emit for MLPs and CNNs. */
export const FLOAT_OPERATORS: Record<string, Translate> = {
  Gemm: dense.gemm,
  MatMul: dense.matmul,
  Add: dense.add,
  Sub: dense.sub,
  Mul: dense.mul,
  Div: dense.div,
  Relu: dense.relu,
  Sigmoid: dense.sigmoid,
  Tanh: dense.tanh,
  Erf: dense.erf,
  Softmax: dense.softmax,
  LogSoftmax: dense.logSoftmax,
  Dropout: dense.dropout,
  Identity: dense.identity,
  Conv: image.conv,
  MaxPool: image.maxPoolOp,
  AveragePool: image.averagePool,
  GlobalAveragePool: image.globalAveragePool,
  BatchNormalization: image.batchNormalization,
  Flatten: shape.flatten,
  Reshape: shape.reshape,
  Transpose: shape.transpose,
};

/** Operators evaluated when the graph is built, on integer values (shapes, axes): they fold into constants. */
export const SHAPE_OPERATORS: Record<string, Translate> = {
  Shape: shape.shape,
  Gather: shape.gather,
  Unsqueeze: shape.unsqueeze,
  Squeeze: shape.squeeze,
  Concat: shape.concat,
  Slice: shape.slice,
  Cast: shape.cast,
  Constant: shape.constant,
};

export const OPERATORS: Record<string, Translate> = { ...FLOAT_OPERATORS, ...SHAPE_OPERATORS };

/** Operators that need one model per graph: a graph using any of them does not train as a population. */
export const SINGLE_MEMBER_OPERATORS: ReadonlySet<string> = new Set(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization']);

/** Every operator name an imported graph may use. */
export const SUPPORTED_OPERATORS: readonly string[] = Object.keys(OPERATORS);

/** The supported list as an error message states it. */
export function supportedList(): string {
  return `${Object.keys(FLOAT_OPERATORS).join(', ')}; on integer shape values ${Object.keys(SHAPE_OPERATORS).join(', ')}`;
}
