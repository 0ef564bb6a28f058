/** Forward-only graph for evaluation: per-sample loss and logits for one model or a population. */
import { Graph, type FloatDType } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { type Architecture, paramShapes } from '../models/architecture.js';
import { paramDims } from '../models/param-shape.js';
import { forwardModel } from '../models/forward.js';
import { perSampleLoss } from '../models/losses.js';

/**
 * Inputs: the parameters in the step graph's layout, `x` [n, d] and `y` (int64 [n] or float [n, 1])
 * with n free. Outputs: `loss` per sample ([n] or [K, n]) and `logits` ([n, out] or [K, n, out]).
 */
export function buildEvalGraph(arch: Architecture, dtype: FloatDType, population?: number): Graph {
  const g = new Graph('l2lab_eval');
  const K = population;
  const params = paramShapes(arch).map((p) => g.input(p.name, dtype, paramDims(p, K)));
  const x = g.input('x', dtype, ['n', arch.widths[0]]);
  const out = arch.widths[arch.widths.length - 1];
  const target = arch.loss === 'softmax_ce' ? op.oneHot(g.input('y', 'int64', ['n']), out, dtype) : g.input('y', dtype, ['n', 1]);
  const { logits } = forwardModel(arch, x, params, { training: false });
  g.output(perSampleLoss(arch.loss, logits, target), 'loss');
  g.output(logits, 'logits');
  return g;
}
