/**
 * The softmax cost through ONNX Runtime: X·W + b and Xᵀ·R as float64 Gemm nodes (MLAS's blocked
 * kernels), one session per problem's rows, for the L-BFGS solves of large softmax problems. On
 * 320 MNIST digits × 784 pixels × 10 classes one value and gradient take 0.8 ms against 3.7 ms for
 * the JavaScript loop over the nonzeros (1 thread, same process, alternated).
 */
import { CompiledGraph, ort } from '../engine/session.js';
import { Graph } from '../graph/graph.js';
import { gemm, logSoftmax, mul, reduceSum, sub } from '../graph/ops.js';
import type { GlmProblem } from './glm.js';
import type { AsyncObjective } from './line-search.js';

/**
 * Rows × features × classes from which a session pays for itself (its compilation, ~0.1 ms of
 * dispatch per run): the loop over nonzeros is faster on small problems (wine: 178 × 13 × 3).
 */
export const SESSION_MIN_WORK = 1e6;

export function useSession(p: GlmProblem): boolean {
  return p.loss === 'softmax_ce' && p.n * p.d * p.k >= SESSION_MIN_WORK;
}

/**
 * Graph of the data part: inputs W [d, k] and b [k]; the rows X and one-hot targets Y are initializers.
 * Outputs Σ Y⊙logsoftmax(X·W + b) (the negated sum of the losses), Xᵀ·(P − Y) and Σᵢ (P − Y)ᵢ, sums
 * not means: Gemm's alpha is a float32 attribute, and 1/m rounded to float32 would cost the gradient
 * seven digits. The 1/m and the penalty are applied in float64 by {@link softmaxSession}'s caller.
 */
function softmaxGraph(p: GlmProblem): Graph {
  const { n, d, k } = p;
  const g = new Graph('softmax-cost');
  const w = g.input('W', 'float64', [d, k]);
  const b = g.input('b', 'float64', [k]);
  const x = g.constant(p.x, [n, d], 'float64');
  const onehot = new Float64Array(n * k);
  for (let i = 0; i < n; i++) onehot[i * k + p.y[i]] = 1;
  const y = g.constant(onehot, [n, k], 'float64');
  const logp = logSoftmax(gemm(x, w, b), 1);
  const r = sub(g.node('Exp', [logp], [{ dtype: 'float64', shape: [n, k] }])[0], y);
  g.output(reduceSum(mul(y, logp)), 'loglik');
  g.output(gemm(x, r, undefined, { transA: true }), 'gW');
  g.output(reduceSum(r, [0]), 'gb');
  return g;
}

/** Compiled sessions by the problems' row arrays: the solves of one fold's λ path share one. */
const sessions = new WeakMap<Float64Array, { k: number; d: number; y: GlmProblem['y']; session: Promise<CompiledGraph> }>();

/**
 * The cost (1/m)·Σ loss + (rate/2)·Σ W² of a softmax problem and its gradient, computed by a session
 * on its rows (compiled on first use, then shared by every problem with the same rows and targets).
 */
export async function softmaxSession(p: GlmProblem): Promise<AsyncObjective> {
  let known = sessions.get(p.x);
  if (!known || known.k !== p.k || known.d !== p.d || known.y !== p.y) {
    // One thread: at these sizes (2.5 M multiply-adds per Gemm) a second one waits more than it works.
    known = { k: p.k, d: p.d, y: p.y, session: CompiledGraph.compile(softmaxGraph(p), { threads: 1 }) };
    sessions.set(p.x, known);
  }
  const session = await known.session;
  const { n, d, k, rate } = p;
  const dk = d * k;
  return async (theta, grad) => {
    const out = await session.run({ W: new ort.Tensor('float64', theta.subarray(0, dk), [d, k]), b: new ort.Tensor('float64', theta.subarray(dk), [k]) });
    const gw = out.gW.data as Float64Array;
    const gb = out.gb.data as Float64Array;
    let sq = 0;
    for (let j = 0; j < dk; j++) {
      sq += theta[j] * theta[j];
      grad[j] = gw[j] / n + rate * theta[j];
    }
    for (let c = 0; c < k; c++) grad[dk + c] = gb[c] / n;
    return -(out.loglik.data as Float64Array)[0] / n + 0.5 * rate * sq;
  };
}
