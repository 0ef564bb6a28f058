/** The forward pass of an architecture over graph values, for one model (rank-2 weights) or a population. */
import type { Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import type { Architecture } from './architecture.js';
import { activate } from './activation.js';
import { forwardCnn, type CnnForward, type CnnForwardOptions } from './cnn-forward.js';
import { forwardImported } from '../onnx-import/forward.js';

export interface LayerParams {
  W: Value;
  b: Value;
}

/** x·W + b: a Gemm for one model ([in, out], [out]); a batched MatMul + Add for a population ([K, in, out], [K, 1, out]). */
export function dense(x: Value, p: LayerParams): Value {
  if (p.W.shape.length === 2 && x.shape.length === 2) return op.gemm(x, p.W, p.b);
  return op.add(op.matmul(x, p.W), p.b);
}

/**
 * Logits of the architecture for inputs x [B, d]. `keepMasks[l]` (0/1, shape of hidden layer l's
 * output) applies inverted dropout after hidden layer l where its probability is > 0.
 */
export function forward(arch: Architecture, x: Value, layers: LayerParams[], keepMasks: (Value | undefined)[] = []): Value {
  let h = x;
  layers.forEach((p, l) => {
    h = dense(h, p);
    if (l < layers.length - 1) {
      h = activate(arch.activation, h);
      const mask = keepMasks[l];
      if (mask && arch.dropout[l] > 0) h = op.dropout(h, mask, arch.dropout[l]);
    }
  });
  return h;
}

/**
 * Logits of any architecture from its parameters in paramShapes order. Training mode lets BatchNorm
 * use batch statistics; `running` then holds the updated running averages (by parameter index).
 */
export function forwardModel(arch: Architecture, x: Value, params: Value[], o: CnnForwardOptions): CnnForward {
  if (arch.onnx) return forwardImported(arch.onnx, x, params, o);
  if (arch.cnn) return forwardCnn(arch, x, params, o);
  const layers: LayerParams[] = [];
  for (let i = 0; i < params.length; i += 2) layers.push({ W: params[i], b: params[i + 1] });
  return { logits: forward(arch, x, layers, o.keepMasks), running: new Map() };
}
