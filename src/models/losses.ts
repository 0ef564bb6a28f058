/**
 * Per-sample losses as single differentiable ops whose gradients are the fused closed forms
 * ((p − y) for cross-entropies, (ŷ − y) for squared error): fewer nodes than differentiating
 * LogSoftmax + GatherElements, and exact.
 */
import type { Shape, Value } from '../graph/graph.js';
import { broadcastShapes } from '../graph/ops.js';
import type { LossKind } from './architecture.js';

/** z [.., B, C] logits, target one-hot [B, C] → −Σ_c y_c·log softmax(z)_c, shape [.., B]. */
function softmaxCrossEntropy(z: Value, onehot: Value): Value {
  const g = z.graph;
  const shape = broadcastShapes('SoftmaxCrossEntropy', [z, onehot]);
  const logp = g.node('LogSoftmax', [z], [{ dtype: z.dtype, shape: z.shape }], { axis: -1 })[0];
  const picked = g.node('Mul', [logp, onehot], [{ dtype: z.dtype, shape }])[0];
  const rowShape = shape.slice(0, -1);
  const loss = g.node('ReduceSum', [picked, g.ints([-1])], [{ dtype: z.dtype, shape: rowShape }], { keepdims: 0 })[0];
  const out = g.node('Neg', [loss], [{ dtype: z.dtype, shape: rowShape }])[0];
  g.record([z], [out], ([gy]) => {
    const p = g.node('Exp', [logp], [{ dtype: z.dtype, shape: z.shape }])[0];
    const diff = g.node('Sub', [p, onehot], [{ dtype: z.dtype, shape }])[0];
    const gcol = g.node('Unsqueeze', [gy!, g.ints([-1])], [{ dtype: z.dtype, shape: [...rowShape, 1] }])[0];
    return [g.node('Mul', [diff, gcol], [{ dtype: z.dtype, shape }])[0]];
  });
  return out;
}

/** z [.., B, 1] logit, t [B, 1] in {0,1} → softplus(z) − t·z, computed stably, shape [.., B]. */
function logisticLoss(z: Value, t: Value): Value {
  const g = z.graph;
  const shape = broadcastShapes('LogisticLoss', [z, t]);
  const dt = z.dtype;
  const node = (op: string, ins: Value[], s: Shape = shape) => g.node(op, ins, [{ dtype: dt, shape: s }])[0];
  // softplus(z) = max(z, 0) + log(1 + exp(−|z|))
  const soft = node('Add', [node('Relu', [z], z.shape), node('Log', [node('Add', [g.scalar(1, dt), node('Exp', [node('Neg', [node('Abs', [z], z.shape)], z.shape)], z.shape)], z.shape)], z.shape)], z.shape);
  const perElem = node('Sub', [soft, node('Mul', [t, z])]);
  const rowShape = shape.slice(0, -1);
  const out = g.node('ReduceSum', [perElem, g.ints([-1])], [{ dtype: dt, shape: rowShape }], { keepdims: 0 })[0];
  g.record([z], [out], ([gy]) => {
    const diff = node('Sub', [node('Sigmoid', [z], z.shape), t]);
    const gcol = g.node('Unsqueeze', [gy!, g.ints([-1])], [{ dtype: dt, shape: [...rowShape, 1] }])[0];
    return [node('Mul', [diff, gcol])];
  });
  return out;
}

/** z [.., B, k] prediction, t [B, k] → ½‖z − t‖² per sample, shape [.., B]. */
function halfSquaredError(z: Value, t: Value): Value {
  const g = z.graph;
  const shape = broadcastShapes('HalfSquaredError', [z, t]);
  const dt = z.dtype;
  const r = g.node('Sub', [z, t], [{ dtype: dt, shape }])[0];
  const rowShape = shape.slice(0, -1);
  const ss = g.node('ReduceSumSquare', [r, g.ints([-1])], [{ dtype: dt, shape: rowShape }], { keepdims: 0 })[0];
  const out = g.node('Mul', [ss, g.scalar(0.5, dt)], [{ dtype: dt, shape: rowShape }])[0];
  g.record([z], [out], ([gy]) => {
    const gcol = g.node('Unsqueeze', [gy!, g.ints([-1])], [{ dtype: dt, shape: [...rowShape, 1] }])[0];
    return [g.node('Mul', [r, gcol], [{ dtype: dt, shape }])[0]];
  });
  return out;
}

/**
 * Per-sample loss of the given kind. `target` is one-hot [B, C] for softmax_ce, 0/1 [B, 1] for
 * logistic, and values [B, k] for mse.
 */
export function perSampleLoss(kind: LossKind, logits: Value, target: Value): Value {
  switch (kind) {
    case 'softmax_ce':
      return softmaxCrossEntropy(logits, target);
    case 'logistic':
      return logisticLoss(logits, target);
    case 'mse':
      return halfSquaredError(logits, target);
  }
}
