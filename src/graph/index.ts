/** Public graph API: the builder, differentiable ops and reverse-mode autodiff. */
export { Graph, OPSET, type DType, type Dim, type Shape, type Value, type FloatDType } from './graph.js';
export * as op from './ops.js';
export { grad } from './autodiff.js';
export * as conv from './conv-ops.js';
export * as norm from './norm-ops.js';
