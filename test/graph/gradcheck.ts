/** Finite-difference gradient check: compares autodiff gradients with central differences, in ORT. */
import assert from 'node:assert/strict';
import { Graph, grad, op, type DType, type Value } from '../../src/graph/index.js';
import { CompiledGraph } from '../../src/engine/session.js';
import { tensor } from '../../src/engine/tensor.js';
import { Rng } from '../../src/util/rng.js';

export interface GradCase {
  shapes: number[][];
  build: (xs: Value[]) => Value;
  /** Inputs drawn from this function of a standard normal (e.g. keep Log's inputs positive). */
  draw?: (z: number, input: number) => number;
  dtype?: DType;
  tol?: number;
  eps?: number;
  /** Extra non-differentiable int64 inputs (e.g. labels). */
  ints?: { shape: number[]; values: number[] }[];
}

export async function gradCheck(c: GradCase, seed = 1): Promise<number> {
  const dtype = (c.dtype ?? 'float64') as 'float32' | 'float64';
  const rng = new Rng(seed);
  const g = new Graph('gradcheck');
  const xs = c.shapes.map((s, i) => g.input(`x${i}`, dtype, s));
  const ints = (c.ints ?? []).map((t, i) => g.input(`i${i}`, 'int64', t.shape));
  const y = c.build([...xs, ...ints]);
  // A random linear functional of y makes every output element's gradient matter.
  const n = y.shape.reduce<number>((a, b) => a * (b as number), 1);
  const w = g.constant(Array.from({ length: n }, () => rng.normal()), y.shape as number[], dtype);
  const loss = op.reduceSum(op.mul(y, w));
  const grads = grad(loss, xs);
  g.output(loss, 'loss');
  grads.forEach((gv, i) => g.output(gv, `g${i}`));
  const session = await CompiledGraph.compile(g, { threads: 1 });

  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const values = c.shapes.map((s, i) => { const v = new Arr(s.reduce((a, b) => a * b, 1)); for (let j = 0; j < v.length; j++) v[j] = c.draw ? c.draw(rng.normal(), i) : rng.normal(); return v; });
  const intFeeds = Object.fromEntries((c.ints ?? []).map((t, i) => [`i${i}`, tensor(BigInt64Array.from(t.values, BigInt), t.shape)]));
  const feeds = () => ({ ...intFeeds, ...Object.fromEntries(values.map((v, i) => [`x${i}`, tensor(v, c.shapes[i])])) });
  const out = await session.run(feeds());
  const eps = c.eps ?? (dtype === 'float64' ? 1e-6 : 1e-2);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const analytic = out[`g${i}`].data as Float64Array;
    for (let j = 0; j < values[i].length; j++) {
      const keep = values[i][j];
      values[i][j] = keep + eps;
      const up = Number((await session.run(feeds())).loss.data[0]);
      values[i][j] = keep - eps;
      const down = Number((await session.run(feeds())).loss.data[0]);
      values[i][j] = keep;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - analytic[j]) / Math.max(1, Math.abs(numeric));
      worst = Math.max(worst, err);
      assert.ok(err <= (c.tol ?? 1e-6), `input ${i} element ${j}: autodiff ${analytic[j]} vs finite difference ${numeric} (error ${err})`);
    }
  }
  await session.release();
  return worst;
}
