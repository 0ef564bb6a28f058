/** Bridges the engine's models and datasets to the exact solver: problems from rows, θ ↔ [W0, b0], metrics. */
import { InvalidOptionError } from '../errors.js';
import type { Architecture } from '../models/architecture.js';
import type { TrainingRows } from '../data/index.js';
import { summarize, type Metrics } from '../models/metrics.js';
import { rowOutputs, type GlmProblem } from './glm.js';

/** Whether the exact solver applies: a model with no hidden layer (linear, logistic, softmax); never an imported graph. */
export function isConvex(arch: Architecture): boolean {
  return arch.widths.length === 2 && !arch.onnx;
}

/** The problem on `rows` (all rows when `indices` is undefined), float64 copies of the float32 features. */
export function problemOf(arch: Architecture, rows: TrainingRows, indices: Int32Array | undefined, rate: number): GlmProblem {
  if (!isConvex(arch)) throw new InvalidOptionError(`The exact solver handles linear, logistic and softmax models only (this one has hidden layers ${arch.widths.slice(1, -1).join(',')}). Use --solver sgd.`);
  const { d } = rows;
  const n = indices ? indices.length : rows.n;
  const x = new Float64Array(n * d);
  const y = arch.loss === 'mse' ? new Float64Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = indices ? indices[i] : i;
    for (let a = 0; a < d; a++) x[i * d + a] = rows.x[r * d + a];
    y[i] = rows.y[r];
  }
  return { x, n, d, k: arch.widths[1], loss: arch.loss, y, rate };
}

/** θ as the engine's parameters [W0 (d×k), b0 (k)]: the same layout, split. */
export function paramsOf(theta: Float64Array, d: number, k: number): Float64Array[] {
  return [theta.slice(0, d * k), theta.slice(d * k)];
}

/** The engine's [W0, b0] as one θ. */
export function thetaOf(params: Float64Array[]): Float64Array {
  const theta = new Float64Array(params[0].length + params[1].length);
  theta.set(params[0]);
  theta.set(params[1], params[0].length);
  return theta;
}

/** Mean loss and accuracy / RMSE of θ on a problem's rows (its `rate` is ignored). */
export function metricsOf(arch: Architecture, p: GlmProblem, theta: Float64Array): Metrics {
  const { loss, logits } = rowOutputs(p, theta);
  // Targets came from float32 rows, so the float32 copy is exact.
  const y = p.y instanceof Float64Array ? Float32Array.from(p.y) : p.y;
  return summarize(arch, { n: p.n, d: p.d, x: new Float32Array(0), y }, undefined, loss, logits);
}
