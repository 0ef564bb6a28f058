/**
 * The softmax cost through ONNX Runtime: X·W + b and Xᵀ·R as float64 Gemm nodes (MLAS's blocked
 * kernels), sessions shared by every problem with as many classes, for the exact solves of large softmax problems. On
 * 320 MNIST digits × 784 pixels × 10 classes one value and gradient take 0.8 ms against 3.7 ms for
 * the JavaScript loop over the nonzeros (1 thread, same process, alternated). A second session gives
 * the Hessian's products with a vector (Newton-CG's), at the same price as a gradient.
 */
import { CompiledGraph, ort } from '../engine/session.js';
import { Graph } from '../graph/graph.js';
import { gemm, logSoftmax, mul, reduceSum, sub } from '../graph/ops.js';
import type { GlmProblem } from './glm.js';
import type { AsyncObjective } from './line-search.js';
import type { CurvedObjective, HessianProduct } from './newton-cg.js';

/**
 * Rows × features × classes from which a session pays for itself (its compilation, ~0.1 ms of
 * dispatch per run): the loop over nonzeros is faster on small problems (wine: 178 × 13 × 3).
 */
export const SESSION_MIN_WORK = 1e6;

export function useSession(p: GlmProblem): boolean {
  return p.loss === 'softmax_ce' && p.n * p.d * p.k >= SESSION_MIN_WORK;
}

/**
 * Graph of the data part: inputs the rows X [n, d], their one-hot targets Y [n, k], W [d, k] and b [k],
 * n and d symbolic. Outputs Σ Y⊙logsoftmax(X·W + b) (the negated sum of the losses), Xᵀ·(P − Y),
 * Σᵢ (P − Y)ᵢ and the probabilities P (for the Hessian at this point), sums not means: Gemm's alpha
 * is a float32 attribute, and 1/m rounded to float32 would cost the gradient seven digits. The 1/m
 * and the penalty are applied in float64 by {@link softmaxSession}'s caller.
 */
function softmaxGraph(k: number): Graph {
  const g = new Graph('softmax-cost');
  const x = g.input('X', 'float64', ['n', 'd']);
  const y = g.input('Y', 'float64', ['n', k]);
  const w = g.input('W', 'float64', ['d', k]);
  const b = g.input('b', 'float64', [k]);
  const logp = logSoftmax(gemm(x, w, b), 1);
  const prob = g.node('Exp', [logp], [{ dtype: 'float64', shape: logp.shape }])[0];
  const r = sub(prob, y);
  g.output(reduceSum(mul(y, logp)), 'loglik');
  g.output(gemm(x, r, undefined, { transA: true }), 'gW');
  g.output(reduceSum(r, [0]), 'gb');
  g.output(prob, 'P');
  return g;
}

/**
 * Graph of the data part's Hessian times a direction (V [d, k], v [k]) at the point whose
 * probabilities P [n, k] are an input, on the rows X: per row the logits move by z = x·V + v, and the
 * softmax's curvature diag(p) − ppᵀ turns that into u = p⊙(z − pᵀz); outputs Xᵀ·u and Σᵢ uᵢ (sums, as above).
 */
function hessianGraph(k: number): Graph {
  const g = new Graph('softmax-hessian-product');
  const x = g.input('X', 'float64', ['n', 'd']);
  const prob = g.input('P', 'float64', ['n', k]);
  const v = g.input('V', 'float64', ['d', k]);
  const vb = g.input('v', 'float64', [k]);
  const z = gemm(x, v, vb);
  const u = mul(prob, sub(z, reduceSum(mul(prob, z), [1], true)));
  g.output(gemm(x, u, undefined, { transA: true }), 'hW');
  g.output(reduceSum(u, [0]), 'hb');
  return g;
}

/**
 * Compiled sessions by number of classes. The rows are inputs (read in place), not initializers, so
 * every fold, λ and refit of a process shares one pair: compiling a pair per fold's rows took
 * 35–160 ms, six times per `tune` (five folds and the refit).
 */
const sessions = new Map<number, Promise<[CompiledGraph, CompiledGraph]>>();

function sessionsFor(k: number): Promise<[CompiledGraph, CompiledGraph]> {
  let known = sessions.get(k);
  if (!known) {
    // One thread: at these sizes (2.5 M multiply-adds per Gemm) a second one waits more than it works.
    known = Promise.all([CompiledGraph.compile(softmaxGraph(k), { threads: 1 }), CompiledGraph.compile(hessianGraph(k), { threads: 1 })]);
    sessions.set(k, known);
  }
  return known;
}

/**
 * The cost (1/m)·Σ loss + (rate/2)·Σ W² of a softmax problem and its gradient, and its Hessian's
 * products with vectors, computed by sessions shared by every problem with as many classes.
 */
export async function softmaxSession(p: GlmProblem): Promise<CurvedObjective> {
  const [costSession, hessianSession] = await sessionsFor(p.k);
  const { n, d, k, rate } = p;
  const dk = d * k;
  const onehot = new Float64Array(n * k);
  for (let i = 0; i < n; i++) onehot[i * k + p.y[i]] = 1;
  const rows = { X: new ort.Tensor('float64', p.x, [n, d]), Y: new ort.Tensor('float64', onehot, [n, k]) };
  // The point last evaluated and its probabilities: Newton-CG asks for the curvature where it has just evaluated.
  const last = { theta: new Float64Array(dk + k), prob: undefined as ort.Tensor | undefined };
  // Gradients written in place, not a fresh 45 kB per run (garbage collection was 8% of a CV profile); P stays fresh: it is a product's point.
  const [gw, gb, hw, hb] = [dk, k, dk, k].map((size) => new Float64Array(size));
  const costFetches = { loglik: null, gW: new ort.Tensor('float64', gw, [d, k]), gb: new ort.Tensor('float64', gb, [k]), P: null };
  const hessianFetches = { hW: new ort.Tensor('float64', hw, [d, k]), hb: new ort.Tensor('float64', hb, [k]) };
  const evaluate: AsyncObjective = async (theta, grad) => {
    const out = await costSession.run({ ...rows, W: new ort.Tensor('float64', theta.subarray(0, dk), [d, k]), b: new ort.Tensor('float64', theta.subarray(dk), [k]) }, costFetches);
    last.theta.set(theta);
    last.prob = out.P;
    let sq = 0;
    for (let j = 0; j < dk; j++) {
      sq += theta[j] * theta[j];
      grad[j] = gw[j] / n + rate * theta[j];
    }
    for (let c = 0; c < k; c++) grad[dk + c] = gb[c] / n;
    return -(out.loglik.data as Float64Array)[0] / n + 0.5 * rate * sq;
  };
  const curvature = async (theta: Float64Array): Promise<HessianProduct> => {
    if (!last.prob || last.theta.some((v, j) => v !== theta[j])) await evaluate(theta, new Float64Array(theta.length));
    const prob = last.prob!;
    return async (v, out) => {
      await hessianSession.run({ X: rows.X, P: prob, V: new ort.Tensor('float64', v.subarray(0, dk), [d, k]), v: new ort.Tensor('float64', v.subarray(dk), [k]) }, hessianFetches);
      for (let j = 0; j < dk; j++) out[j] = hw[j] / n + rate * v[j];
      for (let c = 0; c < k; c++) out[dk + c] = hb[c] / n;
    };
  };
  return { evaluate, curvature };
}
