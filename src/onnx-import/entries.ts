/**
 * The values a translation carries per ONNX name: float tensors on the graph builder (with or without
 * a leading population axis K), and integer values known when the graph is built (shapes, axes), which
 * is how Shape → Gather → Unsqueeze → Concat → Reshape chains fold into constants.
 */
import type { Dim, FloatDType, Graph, Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { UnsupportedModelError } from './errors.js';
import type { ImportedNode } from './net.js';

/** A float tensor. `members`: its first axis is the population's K (ONNX's axes follow). `constant`: its values, when known at build time. */
export interface TensorEntry {
  kind: 'tensor';
  value: Value;
  members: boolean;
  constant?: number[];
}

/** An integer (or bool) value known at build time; a dim of the batch stays symbolic (a string, or the batch size as built). */
export interface IntsEntry {
  kind: 'ints';
  dims: number[];
  data: Dim[];
}

export type Entry = TensorEntry | IntsEntry;

/** What every node translation reads besides its inputs. */
export interface TranslateContext {
  g: Graph;
  dtype: FloatDType;
  /** Training: BatchNorm uses batch statistics, Dropout its keep-mask. */
  training: boolean;
  /** Parameter index by initializer name (for BatchNorm's running statistics). */
  paramIndex: Map<string, number>;
  /** The next value of each running statistic, by parameter index (filled by BatchNorm in training). */
  running: Map<number, Value>;
  /** 0/1 keep-masks by Dropout node name ([K,] B, width), when training with dropout. */
  keepMasks: Map<string, Value>;
  /** The opset of the standard domain (attribute defaults changed across versions). */
  opset: number;
  /** The batch size the file's input fixes (exported without a dynamic batch axis): a Reshape target starting with it means the batch. */
  fileBatch?: number;
}

export type Translate = (node: ImportedNode, ins: (Entry | undefined)[], ctx: TranslateContext) => Entry[];

export function describeNode(node: ImportedNode): string {
  return `node '${node.name}' (${node.op})`;
}

/** Input i as a float tensor, or an error naming the node. */
export function tensorIn(node: ImportedNode, ins: (Entry | undefined)[], i: number): TensorEntry {
  const e = ins[i];
  if (!e || e.kind !== 'tensor') throw new UnsupportedModelError(`${describeNode(node)}: input ${i + 1} (${node.inputs[i] || 'omitted'}) must be a float tensor${e ? `, but it is an integer value (${e.dims.length ? `shape [${e.dims}]` : 'a scalar'})` : ''}. l2lab trains float graphs whose integer values are shapes and axes.`);
  return e;
}

/** Input i as an integer value known at build time, or an error naming the node. */
export function intsIn(node: ImportedNode, ins: (Entry | undefined)[], i: number): IntsEntry {
  const e = ins[i];
  if (!e || e.kind !== 'ints') throw new UnsupportedModelError(`${describeNode(node)}: input ${i + 1} (${node.inputs[i] || 'omitted'}) must be an integer value known before training (a constant, or computed from shapes), ${e ? 'but it is computed from the data' : 'but it is missing'}. l2lab folds shape arithmetic, not values that depend on the data.`);
  return e;
}

/** The entry's ONNX shape (without the population axis). */
export function shapeOf(e: TensorEntry): Dim[] {
  return [...e.value.shape.slice(e.members ? 1 : 0)];
}

export function tensor(value: Value, members: boolean): TensorEntry {
  return { kind: 'tensor', value, members };
}

/**
 * A population value of ONNX rank r broadcast against rank `rank`: [K, …] gets singleton axes after K,
 * so that NumPy broadcasting (which aligns trailing axes) meets ONNX's axes, not K, with the other operand's.
 */
export function alignRank(e: TensorEntry, rank: number): Value {
  const r = shapeOf(e).length;
  if (!e.members || r >= rank) return e.value;
  const shape = e.value.shape as number[];
  return op.reshape(e.value, [shape[0], ...new Array<number>(rank - r).fill(1), ...shape.slice(1)]);
}

/** An attribute read as an integer list, with a default. */
export function intsAttr(node: ImportedNode, name: string, fallback: number[]): number[] {
  const v = node.attrs[name];
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) throw new UnsupportedModelError(`${describeNode(node)}: attribute '${name}' must be a list of integers.`);
  return v;
}

export function numberAttr(node: ImportedNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new UnsupportedModelError(`${describeNode(node)}: attribute '${name}' must be a number.`);
  return v;
}

/** The product of dims, symbolic when one of them is (e.g. `n*16`). */
export function product(dims: readonly Dim[]): Dim {
  let known = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') known *= d;
    else symbols.push(d);
  }
  if (symbols.length === 0) return known;
  return known === 1 ? symbols.join('*') : `${symbols.join('*')}*${known}`;
}
