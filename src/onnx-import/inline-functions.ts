/**
 * Flattens the graph: every call of an ONNX local function (the new PyTorch exporter wraps each
 * module in one) is replaced by the function's body, its values renamed under the call's name and
 * its attribute references bound to the call's attributes.
 */
import onnxProto from 'onnx-proto';
import { InvalidDataError } from '../errors.js';
import type { ImportedNode } from './net.js';
import { nodeAttrs, type ModelProto, type NodeProto } from './read-model.js';

type FunctionProto = onnxProto.onnx.IFunctionProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/** Calls nested deeper than this are a recursive function, not a module tree. */
const MAX_DEPTH = 64;

/** The standard operator domains ('' and 'ai.onnx' are the same). */
export function isStandardDomain(domain: string | null | undefined): boolean {
  return !domain || domain === 'ai.onnx';
}

/** The graph's nodes with every local-function call inlined, in topological order. */
export function inlineFunctions(model: ModelProto): ImportedNode[] {
  const functions = new Map<string, FunctionProto>();
  for (const f of model.functions ?? []) functions.set(`${f.domain ?? ''}::${f.name ?? ''}`, f);
  const out: ImportedNode[] = [];
  const expand = (nodes: NodeProto[], rename: (name: string) => string, bind: (a: AttributeProto) => AttributeProto | undefined, path: string, depth: number): void => {
    nodes.forEach((node, i) => {
      const name = `${path}${node.name || `${node.opType}_${i}`}`;
      const attribute = (node.attribute ?? []).map(bind).filter((a): a is AttributeProto => a !== undefined);
      const fn = isStandardDomain(node.domain) ? undefined : functions.get(`${node.domain ?? ''}::${node.opType ?? ''}`);
      if (!fn) {
        out.push({ op: node.opType ?? '', name, inputs: (node.input ?? []).map((v) => (v ? rename(v) : '')), outputs: (node.output ?? []).map(rename), attrs: nodeAttrs({ ...node, attribute }, `node '${name}' (${node.opType})`) });
        if (!isStandardDomain(node.domain)) out[out.length - 1].op = `${node.domain}.${node.opType}`;
        return;
      }
      if (depth >= MAX_DEPTH) throw new InvalidDataError(`Node '${name}' calls local function ${fn.domain}.${fn.name} more than ${MAX_DEPTH} levels deep: the functions call each other recursively. Export the model without recursive functions.`);
      // The body's own values live under the call's name, so two calls of one function never collide.
      const actual = new Map<string, string>();
      (fn.input ?? []).forEach((formal, j) => actual.set(formal, node.input?.[j] ? rename(node.input[j]) : ''));
      (fn.output ?? []).forEach((formal, j) => actual.set(formal, rename(node.output?.[j] ?? `${name}/${formal}`)));
      const callAttrs = new Map(attribute.map((a) => [a.name ?? '', a]));
      const innerRename = (v: string) => actual.get(v) ?? `${name}/${v}`;
      const innerBind = (a: AttributeProto): AttributeProto | undefined => {
        if (!a.refAttrName) return a;
        const bound = callAttrs.get(a.refAttrName);
        // An unbound reference leaves the attribute to the operator's default, as the ONNX spec says.
        return bound ? { ...bound, name: a.name } : undefined;
      };
      expand(fn.node ?? [], innerRename, innerBind, `${name}/`, depth + 1);
    });
  };
  expand(model.graph?.node ?? [], (v) => v, (a) => a, '', 0);
  return out;
}
