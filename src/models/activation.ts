/** A hidden layer's activation as a graph op. */
import type { Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import type { Activation } from '../options/names.js';

export function activate(kind: Activation, x: Value): Value {
  switch (kind) {
    case 'relu':
      return op.relu(x);
    case 'tanh':
      return op.tanh(x);
    case 'gelu':
      return op.gelu(x);
    case 'sigmoid':
      return op.sigmoid(x);
  }
}
