/**
 * Curvature of the summed negative log-likelihood for the Laplace evidence, as one ONNX graph:
 * per dense layer the Kronecker factors Σ aᵢaᵢᵀ and Σ gᵢgᵢᵀ (K-FAC; Martens & Grosse 2015) and the
 * diagonal of the generalized Gauss-Newton Σ (aᵢ²)ᵀ(gᵢ²), where aᵢ is the layer's input and gᵢ the
 * gradient of sample i's loss with respect to the layer's pre-activation.
 *
 * With labels drawn from the model's own predictive distribution (`y` fed by the caller), gᵢgᵢᵀ is
 * an unbiased one-sample estimate of Jᵢᵀ Λᵢ Jᵢ (Λ = diag p − ppᵀ for softmax, σ(1−σ) for logistic):
 * the Monte-Carlo GGN. For squared error (Λ = β·I) the graph back-propagates the prediction itself,
 * so gᵢ = Jᵢ exactly and β multiplies outside.
 */
import { grad } from '../graph/autodiff.js';
import { Graph, type FloatDType, type Value } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { paramShapes, type Architecture } from '../models/architecture.js';
import { activate } from '../models/activation.js';
import { dense } from '../models/forward.js';
import { perSampleLoss } from '../models/losses.js';

/**
 * Inputs: parameters `W0, b0, …` ([in, out], [out]), `x` [n, d], and sampled labels `y` (int64 [n]
 * for softmax_ce, float 0/1 [n, 1] for logistic; none for mse). Outputs per layer l: `A.l` = Σ aaᵀ [in, in], `G.l` = Σ ggᵀ [out, out],
 * `D.l` = Σ (a²)ᵀ(g²) [in, out]; and `logits` [n, out].
 */
export function buildCurvatureGraph(arch: Architecture, dtype: FloatDType): Graph {
  const g = new Graph('l2lab_curvature');
  const params = paramShapes(arch).map((p) => g.input(p.name, dtype, p.kind === 'weight' ? [p.fanIn, p.fanOut] : [p.fanOut]));
  const x = g.input('x', dtype, ['n', arch.widths[0]]);
  const out = arch.widths[arch.widths.length - 1];
  const inputs: Value[] = [];
  const pre: Value[] = [];
  let h = x;
  for (let l = 0; l * 2 < params.length; l++) {
    inputs.push(h);
    const z = dense(h, { W: params[2 * l], b: params[2 * l + 1] });
    pre.push(z);
    h = l * 2 + 2 < params.length ? activate(arch.activation, z) : z;
  }
  const total =
    arch.loss === 'mse'
      ? op.reduceSum(h)
      : op.reduceSum(perSampleLoss(arch.loss, h, arch.loss === 'softmax_ce' ? op.oneHot(g.input('y', 'int64', ['n']), out, dtype) : g.input('y', dtype, ['n', 1])));
  const gs = grad(total, pre);
  const raw = (opName: string, a: Value, b: Value, attrs: Record<string, number> = {}) => g.node(opName, [a, b], [{ dtype, shape: [a.shape[attrs.transA ? 1 : 0], b.shape[1]] }], attrs)[0];
  inputs.forEach((a, l) => {
    const gl = gs[l];
    g.output(raw('Gemm', a, a, { transA: 1 }), `A.${l}`);
    g.output(raw('Gemm', gl, gl, { transA: 1 }), `G.${l}`);
    const a2 = g.node('Mul', [a, a], [{ dtype, shape: a.shape }])[0];
    const g2 = g.node('Mul', [gl, gl], [{ dtype, shape: gl.shape }])[0];
    g.output(raw('Gemm', a2, g2, { transA: 1 }), `D.${l}`);
  });
  g.output(h, 'logits');
  return g;
}
