/** Evaluates current parameters on a set of rows: per-member mean loss and accuracy or RMSE. */
import { CompiledGraph } from '../engine/session.js';
import { floatArray, tensor, type FloatArray } from '../engine/tensor.js';
import type { ort } from '../engine/session.js';
import type { FloatDType } from '../graph/graph.js';
import { paramShapes, type Architecture } from '../models/architecture.js';
import type { TrainingRows } from '../data/index.js';
import { summarize, type Metrics } from '../models/metrics.js';
import { buildEvalGraph } from './eval-graph.js';

const CHUNK = 4096;

export class Evaluator {
  private constructor(
    private readonly arch: Architecture,
    private readonly dtype: FloatDType,
    private readonly session: CompiledGraph,
    private readonly members: number,
  ) {}

  static async create(arch: Architecture, dtype: FloatDType, population: number | undefined, threads?: number): Promise<Evaluator> {
    return new Evaluator(arch, dtype, await CompiledGraph.compile(buildEvalGraph(arch, dtype, population), { threads }), population ?? 1);
  }

  /**
   * Per-sample losses [K][n] and predictions [K][n·out] of `rows` (optionally only the listed row
   * indices), in chunks so memory stays bounded.
   */
  async outputs(params: ort.Tensor[], rows: TrainingRows, indices?: Int32Array): Promise<{ loss: Float64Array[]; logits: Float64Array[] }> {
    const { arch, dtype } = this;
    const n = indices ? indices.length : rows.n;
    const out = arch.widths[arch.widths.length - 1];
    const K = this.members;
    const loss = Array.from({ length: K }, () => new Float64Array(n));
    const logits = Array.from({ length: K }, () => new Float64Array(n * out));
    const feeds: Record<string, ort.Tensor> = {};
    paramShapes(arch).forEach((p, i) => (feeds[p.name] = params[i]));
    for (let s = 0; s < n; s += CHUNK) {
      const c = Math.min(CHUNK, n - s);
      const x = floatArray(dtype, c * rows.d);
      const y: BigInt64Array | FloatArray = arch.loss === 'softmax_ce' ? new BigInt64Array(c) : floatArray(dtype, c);
      for (let i = 0; i < c; i++) {
        const r = indices ? indices[s + i] : s + i;
        x.set(rows.x.subarray(r * rows.d, (r + 1) * rows.d), i * rows.d);
        y[i] = (y instanceof BigInt64Array ? BigInt(rows.y[r]) : rows.y[r]) as never;
      }
      feeds.x = tensor(x, [c, rows.d]);
      feeds.y = tensor(y, y instanceof BigInt64Array ? [c] : [c, 1]);
      const r = await this.session.run(feeds);
      const l = r.loss.data as FloatArray;
      const z = r.logits.data as FloatArray;
      for (let k = 0; k < K; k++) {
        loss[k].set(l.subarray(k * c, (k + 1) * c), s);
        logits[k].set(z.subarray(k * c * out, (k + 1) * c * out), s * out);
      }
    }
    return { loss, logits };
  }

  /** Mean loss and accuracy / RMSE per member, over `indices` (each member may have its own). */
  async metrics(params: ort.Tensor[], rows: TrainingRows, indices?: (Int32Array | undefined)[]): Promise<Metrics[]> {
    const shared = indices === undefined || indices.every((ix) => ix === indices[0]);
    if (shared) {
      const o = await this.outputs(params, rows, indices?.[0]);
      return o.loss.map((l, k) => summarize(this.arch, rows, indices?.[0], l, o.logits[k]));
    }
    const o = await this.outputs(params, rows);
    return o.loss.map((l, k) => {
      const ix = indices![k];
      if (!ix) return summarize(this.arch, rows, undefined, l, o.logits[k]);
      const out = this.arch.widths[this.arch.widths.length - 1];
      const lk = Float64Array.from(ix, (r) => l[r]);
      const zk = new Float64Array(ix.length * out);
      ix.forEach((r, i) => zk.set(o.logits[k].subarray(r * out, (r + 1) * out), i * out));
      return summarize(this.arch, rows, ix, lk, zk);
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
