/** erf in float64 (composed from primitives: ORT has no float64 Erf) against reference values, and its gradient and GELU's in float64. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, op } from '../../src/graph/index.js';
import { CompiledGraph } from '../../src/engine/session.js';
import { tensor } from '../../src/engine/tensor.js';
import { gradCheck } from './gradcheck.js';

// Python's math.erf (correctly rounded to within an ulp) at points on both sides of the split at |x| = 2.
const REFERENCE: [number, number][] = [
  [0, 0],
  [0.001, 0.0011283787909692365],
  [0.3, 0.3286267594591274],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [1.999, 0.9953015566513705],
  [2, 0.9953222650189527],
  [2.001, 0.9953428907185247],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [4, 0.9999999845827421],
  [5.5, 0.9999999999999927],
  [6, 1],
  [-0.7, -0.6778011938374184],
  [-2.2, -0.9981371537020182],
  [-4, -0.9999999845827421],
  [40, 1],
];

test('erf in float64 matches reference values to 2e-16', async () => {
  const g = new Graph('erf64');
  const x = g.input('x', 'float64', [REFERENCE.length]);
  g.output(op.erf(x), 'y');
  const s = await CompiledGraph.compile(g, { threads: 1 });
  const out = (await s.run({ x: tensor(Float64Array.from(REFERENCE, ([v]) => v), [REFERENCE.length]) })).y.data as Float64Array;
  REFERENCE.forEach(([v, want], i) => assert.ok(Math.abs(out[i] - want) <= 2e-16, `erf(${v}) = ${out[i]}, reference ${want}`));
  await s.release();
});

test('gradient of Erf matches finite differences (float64, 1e-6)', async () => {
  await gradCheck({ shapes: [[3, 5]], build: ([a]) => op.erf(a), draw: (z) => 1.5 * z });
});

test('gradient of Gelu (exact erf form) matches finite differences (float64, 1e-6)', async () => {
  await gradCheck({ shapes: [[3, 4]], build: ([a]) => op.gelu(a), draw: (z) => 2 * z });
});
