/** The forward pass of an imported graph on the graph builder: the data's rows in, logits (and BatchNorm's running updates) out. */
import type { Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { reshapeTo } from '../graph/conv-ops.js';
import { UnsupportedModelError } from './errors.js';
import { describeNode, shapeOf, tensor, type Entry, type TranslateContext } from './entries.js';
import type { ImportedNet } from './net.js';
import { OPERATORS } from './operators.js';
import { constEntry } from './shape-ops.js';

export interface ImportedForwardOptions {
  training: boolean;
  /** 0/1 keep-masks per Dropout node (in net.dropouts order), when training with dropout. */
  keepMasks?: (Value | undefined)[];
}

/** The data's rows x [B, d] as the graph's input: features as they are, images to NCHW from channels-last pixels. */
function inputValue(net: ImportedNet, x: Value): Value {
  const b = x.shape[0];
  const rest = net.input.dims.slice(1);
  if (net.input.layout !== 'channels-first') return rest.length === 1 ? x : reshapeTo(x, [b, ...rest]);
  const [c, h, w] = rest;
  // One channel: channels-last and channels-first pixels are the same bytes.
  if (c === 1) return reshapeTo(x, [b, 1, h, w]);
  return op.transpose(reshapeTo(x, [b, h, w, c]), [0, 3, 1, 2]);
}

/**
 * Translates every node in order onto x's graph. `params` are the parameter values in net.params
 * order, shaped as their dims, or [K, ...dims] for a population. Returns every named value.
 */
export function translateNet(net: ImportedNet, x: Value, params: Value[], o: ImportedForwardOptions): { env: Map<string, Entry>; ctx: TranslateContext } {
  const g = x.graph;
  const members = params.some((p, i) => p.shape.length > net.params[i].dims.length);
  const ctx: TranslateContext = {
    g,
    dtype: x.dtype as 'float32' | 'float64',
    training: o.training,
    paramIndex: new Map(net.params.map((p, i) => [p.name, i])),
    running: new Map(),
    keepMasks: new Map(net.dropouts.flatMap((d, l) => (o.keepMasks?.[l] ? [[d.node, o.keepMasks[l]!] as const] : []))),
    opset: net.opset,
    ...(typeof net.input.dims[0] === 'number' && net.input.dims[0] > 0 ? { fileBatch: net.input.dims[0] } : {}),
  };
  const env = new Map<string, Entry>();
  for (const [name, c] of Object.entries(net.constants)) env.set(name, constEntry(g, c, ctx.dtype));
  net.params.forEach((p, i) => env.set(p.name, tensor(params[i], members)));
  env.set(net.input.name, tensor(inputValue(net, x), false));
  for (const node of net.nodes) {
    const ins = node.inputs.map((name) => {
      if (!name) return undefined;
      const e = env.get(name);
      if (!e) throw new UnsupportedModelError(`${describeNode(node)} reads '${name}', which no node, initializer or input provides.`);
      return e;
    });
    const outs = OPERATORS[node.op](node, ins, ctx);
    node.outputs.forEach((name, i) => {
      if (name && outs[i]) env.set(name, outs[i]);
    });
  }
  return { env, ctx };
}

/** Logits [B, units] (population: [K, B, units]) of the imported graph, and the next running statistics by parameter index. */
export function forwardImported(net: ImportedNet, x: Value, params: Value[], o: ImportedForwardOptions): { logits: Value; running: Map<number, Value> } {
  const { env, ctx } = translateNet(net, x, params, o);
  const out = env.get(net.output.value);
  if (!out || out.kind !== 'tensor') throw new UnsupportedModelError(`The graph's output '${net.output.graphOutput}' is not a float tensor computed from the input.`);
  const s = shapeOf(out);
  const logits = s.length === 1 ? op.unsqueeze(out.value, [-1]) : out.value;
  return { logits, running: ctx.running };
}
