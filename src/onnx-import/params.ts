/**
 * Which initializers are parameters, and what each is to the graph: its role (weight, bias,
 * normalization scale or shift, running statistic), fan-in and fan-out, layer, and penalty class.
 * The seed's convention: weights (rank ≥ 2) penalized; biases and normalization scale/shift free;
 * `--penalize` / `--exclude` name patterns change that.
 */
import { InvalidOptionError } from '../errors.js';
// Type-only, up to models: the parameter kinds every model kind shares.
import type { ParamKind } from '../models/param-shape.js';
import type { ImportedNode, ImportedParam, ParamRole } from './net.js';

/** Name patterns: `*` any run of characters, `?` one; a pattern matches a whole initializer name. */
export interface PenaltyPatterns {
  penalize?: readonly string[];
  exclude?: readonly string[];
}

interface Use {
  node: ImportedNode;
  slot: number;
}

/** A float initializer as the classification sees it. */
export interface FloatInitializer {
  name: string;
  dims: number[];
}

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div']);

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** A one-element float initializer read only by elementwise arithmetic or as Dropout's ratio is a constant (GELU's √2, a ratio), not a parameter. */
export function isScalarConstant(init: FloatInitializer, uses: Use[]): boolean {
  const size = init.dims.reduce((a, b) => a * b, 1);
  return size === 1 && init.dims.length <= 1 && uses.every((u) => ELEMENTWISE.has(u.node.op) || (u.node.op === 'Dropout' && u.slot > 0));
}

/** Every node reading each value, in node order. */
export function usesOf(nodes: ImportedNode[]): Map<string, Use[]> {
  const uses = new Map<string, Use[]>();
  for (const node of nodes) node.inputs.forEach((name, slot) => name && uses.set(name, [...(uses.get(name) ?? []), { node, slot }]));
  return uses;
}

/** Layer numbers: each node multiplying by a weight starts a layer; a BatchNormalization right after one joins it. */
function layersOf(nodes: ImportedNode[], isParam: (name: string) => boolean): Map<ImportedNode, number> {
  const layers = new Map<ImportedNode, number>();
  const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  let next = 0;
  for (const node of nodes) {
    const weighted = ['Gemm', 'MatMul', 'Conv'].includes(node.op) && node.inputs.some(isParam);
    if (weighted) layers.set(node, next++);
    else if (node.op === 'BatchNormalization') {
      const before = producer.get(node.inputs[0]);
      layers.set(node, before && layers.has(before) ? layers.get(before)! : next++);
    }
  }
  return layers;
}

interface Placement {
  role: ParamRole;
  fanIn: number;
  fanOut: number;
  /** The node whose layer the parameter joins. */
  layerNode?: ImportedNode;
}

/** A weight's fan-in and fan-out from how its first reader multiplies by it. */
function place(init: FloatInitializer, use: Use | undefined, uses: Map<string, Use[]>, producer: Map<string, ImportedNode>, fanInOfWeight: (node: ImportedNode) => number | undefined): Placement {
  const d = init.dims;
  const size = d.reduce((a, b) => a * b, 1);
  const r = d.length;
  const fallback: Placement = r >= 2 ? { role: 'weight', fanIn: size / d[0], fanOut: d[0] } : { role: 'bias', fanIn: size, fanOut: size };
  if (!use) return fallback;
  const { node, slot } = use;
  const at = (role: ParamRole, fanIn: number, fanOut: number, layerNode: ImportedNode | undefined = node): Placement => ({ role, fanIn, fanOut, layerNode });
  switch (node.op) {
    case 'Gemm':
      if (slot === 1) return node.attrs.transB === 1 ? at('weight', d[1], d[0]) : at('weight', d[0], d[1]);
      if (slot === 2) return at('bias', fanInOfWeight(node) ?? size, size);
      break;
    case 'MatMul':
      if (r >= 2) return slot === 1 ? at('weight', d[r - 2], d[r - 1]) : at('weight', d[r - 1], d[r - 2]);
      break;
    case 'Transpose': {
      // W → Transpose → MatMul (x @ W.T): the transposed matrix's rows are the inputs.
      const next = uses.get(node.outputs[0])?.[0];
      if (r === 2 && next?.node.op === 'MatMul') return at('weight', d[1], d[0], next.node);
      break;
    }
    case 'Conv':
      if (slot === 1) return at('weight', size / d[0], d[0]);
      if (slot === 2) return at('bias', fanInOfWeight(node) ?? size, size);
      break;
    case 'BatchNormalization':
      return at((['scale', 'shift', 'mean', 'variance'] as const)[slot - 1], size, size);
    case 'Add':
    case 'Sub': {
      if (r >= 2) break;
      const other = producer.get(node.inputs[1 - slot]);
      return at('bias', (other && fanInOfWeight(other)) ?? size, size, other);
    }
    case 'Mul':
    case 'Div':
      if (r < 2) return at('scale', size, size);
      break;
  }
  return fallback;
}

const ROLE_KIND: Record<ParamRole, ParamKind> = { weight: 'weight', bias: 'bias', scale: 'scale', shift: 'shift', mean: 'running', variance: 'running' };

/** The penalty class: the role's default (a rank-1 "weight" is a bias), then the patterns. */
function penaltyKind(name: string, role: ParamRole, rank: number, patterns: { penalize: RegExp[]; exclude: RegExp[] }): ParamKind {
  const kind = role === 'weight' && rank < 2 ? 'bias' : ROLE_KIND[role];
  if (kind === 'running') return kind;
  if (patterns.penalize.some((p) => p.test(name))) return 'weight';
  if (patterns.exclude.some((p) => p.test(name))) return kind === 'weight' ? 'bias' : kind;
  return kind;
}

/** Checks the patterns: each must match some learnable parameter, and no name may match both lists. */
function checkPatterns(names: string[], o: PenaltyPatterns): { penalize: RegExp[]; exclude: RegExp[] } {
  const compile = (flag: string, list: readonly string[] = []) =>
    list.map((p) => {
      const re = globToRegExp(p);
      if (!names.some((n) => re.test(n))) throw new InvalidOptionError(`--${flag} '${p}' matches no parameter of the graph. Its parameters: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}.`);
      return re;
    });
  const penalize = compile('penalize', o.penalize);
  const exclude = compile('exclude', o.exclude);
  const both = names.find((n) => penalize.some((p) => p.test(n)) && exclude.some((p) => p.test(n)));
  if (both) throw new InvalidOptionError(`'${both}' matches both --penalize and --exclude. Narrow one of the patterns.`);
  return { penalize, exclude };
}

/**
 * The parameters among `inits` (float initializers that are not scalar constants), in file order,
 * and a note for each one read by several nodes (tied weights).
 */
export function classifyParams(nodes: ImportedNode[], inits: FloatInitializer[], o: PenaltyPatterns): { params: ImportedParam[]; notes: string[] } {
  const uses = usesOf(nodes);
  const producer = new Map(nodes.flatMap((n) => n.outputs.map((out) => [out, n] as const)));
  const trained = inits.filter((i) => uses.has(i.name) && !isScalarConstant(i, uses.get(i.name)!));
  const names = new Set(trained.map((i) => i.name));
  const layers = layersOf(nodes, (n) => names.has(n));
  // Two passes: weights first, then biases take the fan-in of the weight their node multiplies by.
  const fanIns = new Map<ImportedNode, number>();
  const fanInOfWeight = (node: ImportedNode): number | undefined => fanIns.get(node);
  for (const init of trained) {
    const p = place(init, uses.get(init.name)![0], uses, producer, fanInOfWeight);
    if (p.role === 'weight' && p.layerNode) fanIns.set(p.layerNode, p.fanIn);
  }
  const placed = trained.map((init) => ({ init, readers: uses.get(init.name)!, p: place(init, uses.get(init.name)![0], uses, producer, fanInOfWeight) }));
  const patterns = checkPatterns(placed.filter(({ p }) => p.role !== 'mean' && p.role !== 'variance').map(({ init }) => init.name), o);
  const notes: string[] = [];
  let spare = Math.max(-1, ...layers.values()) + 1;
  const params = placed.map(({ init, readers, p }): ImportedParam => {
    const distinct = [...new Set(readers.map((u) => u.node.name))];
    if (distinct.length > 1) notes.push(`initializer '${init.name}' is read by ${distinct.length} nodes (${distinct.slice(0, 4).join(', ')}): l2lab trains it as one parameter (tied weights), counted once in Σθ² and updated with the sum of its gradients from every node.`);
    const layer = p.layerNode && layers.has(p.layerNode) ? layers.get(p.layerNode)! : spare++;
    const size = init.dims.reduce((a, b) => a * b, 1);
    return { name: init.name, kind: penaltyKind(init.name, p.role, init.dims.length, patterns), role: p.role, layer, fanIn: p.fanIn, fanOut: p.fanOut, size, dims: init.dims };
  });
  return { params, notes };
}
