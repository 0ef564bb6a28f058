/**
 * `npm run bench`: training throughput of the ONNX Runtime engine against Debian's PyTorch, in the
 * same run. MLP 784-256-256-10 (ReLU, softmax CE, SGD + L2, batch 128, 8192 random samples) at
 * 1 and 2 threads with K = 1 and 8; a small 30-16-2 MLP with K = 1 and 64. Prints ratios and ends
 * with one JSON line. Record results in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledGraph } from '../src/engine/session.js';
import { tensor } from '../src/engine/tensor.js';
import { Graph } from '../src/graph/graph.js';
import * as op from '../src/graph/ops.js';
import type { Architecture } from '../src/models/architecture.js';
import { initParams } from '../src/models/init.js';
import { BatchFiller } from '../src/train/batches.js';
import { Stepper } from '../src/train/stepper.js';
import { Rng } from '../src/util/rng.js';

const REF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/ref/torch_mlp_bench.py');
const SAMPLES = 8192;
const BATCH = 128;
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 2);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

interface Config {
  name: string;
  widths: number[];
  threads: number;
  K: number;
  unroll: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** model-samples/s of the l2lab engine for one configuration. */
async function engine(c: Config): Promise<number> {
  const arch: Architecture = { widths: c.widths, activation: 'relu', loss: 'softmax_ce', dropout: c.widths.slice(2).map(() => 0) };
  const rng = new Rng(0);
  const d = c.widths[0];
  const rows = { n: SAMPLES, d, x: Float32Array.from({ length: SAMPLES * d }, () => rng.normal()), y: Int32Array.from({ length: SAMPLES }, () => rng.int(c.widths[c.widths.length - 1])) };
  const members = Array.from({ length: c.K }, (_, k) => initParams(arch, 'pytorch', k));
  const lambdas = members.map((_, k) => 1e-4 * (k + 1));
  const stepper = await Stepper.create(
    { arch, batch: BATCH, dtype: 'float32', population: c.K === 1 ? undefined : c.K, optimizer: { name: 'sgd' }, unroll: c.unroll, sumsqOutput: false },
    members,
    lambdas,
    lambdas.map(() => 0),
    c.threads,
  );
  const filler = new BatchFiller(rows, BATCH, c.unroll, 'float32', 'softmax_ce');
  const lr = Array.from({ length: c.unroll }, () => new Float32Array(c.K).fill(0.05));
  const epoch = async () => {
    const order = rng.permutation(SAMPLES);
    for (let s = 0; s + BATCH * c.unroll <= SAMPLES; s += BATCH * c.unroll) {
      for (let u = 0; u < c.unroll; u++) filler.fill(u, order, s + u * BATCH);
      await stepper.run({ x: filler.x, y: filler.y, lr });
    }
  };
  await epoch(); // warm-up
  const t0 = performance.now();
  for (let e = 0; e < EPOCHS; e++) await epoch();
  const seconds = (performance.now() - t0) / 1000;
  await stepper.release();
  return (SAMPLES * EPOCHS * c.K) / seconds;
}

/** model-samples/s of PyTorch training K models one after another. */
function torch(c: Config): number {
  const args = [REF, '--inputs', String(c.widths[0]), '--hidden', c.widths.slice(1, -1).join(','), '--classes', String(c.widths[c.widths.length - 1]), '--batch', String(BATCH), '--samples', String(SAMPLES), '--epochs', String(EPOCHS), '--threads', String(c.threads), '--models', String(c.K)];
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_mlp_bench.py failed: ${r.stderr}. Install Debian's PyTorch: apt-get install -y python3-torch`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).model_samples_per_s;
}

/** GFLOP/s ORT reaches on the step's GEMMs alone (forward, input gradients, weight gradients). */
async function gemmRate(widths: number[], threads: number): Promise<number> {
  const g = new Graph('gemms');
  let flops = 0;
  const outs = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const [i, o] = [widths[l], widths[l + 1]];
    const a = g.input(`a${l}`, 'float32', [BATCH, i]);
    const w = g.input(`w${l}`, 'float32', [i, o]);
    const dz = g.input(`dz${l}`, 'float32', [BATCH, o]);
    outs.push(op.gemm(a, w), op.gemm(a, dz, undefined, { transA: true }));
    flops += 4 * BATCH * i * o;
    if (l > 0) {
      outs.push(op.gemm(dz, w, undefined, { transB: true }));
      flops += 2 * BATCH * i * o;
    }
  }
  outs.forEach((v, i) => g.output(v, `o${i}`));
  const s = await CompiledGraph.compile(g, { threads });
  const feeds = Object.fromEntries(g.inputs.map((v) => [v.name, tensor(new Float32Array((v.shape as number[]).reduce((a, b) => a * b, 1)).fill(0.01), v.shape as number[])]));
  for (let i = 0; i < 20; i++) await s.run(feeds);
  const runs = 200;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await s.run(feeds);
  const seconds = (performance.now() - t0) / 1000;
  return (flops * runs) / seconds / 1e9;
}

const MLP = [784, 256, 256, 10];
const MID = [784, 128, 10];
const SMALL = [30, 16, 2];
const configs: Config[] = [
  { name: 'mlp_k1_t1', widths: MLP, threads: 1, K: 1, unroll: 4 },
  { name: 'mlp_k8_t1', widths: MLP, threads: 1, K: 8, unroll: 1 },
  { name: 'mlp_k1_t2', widths: MLP, threads: 2, K: 1, unroll: 4 },
  { name: 'mlp_k8_t2', widths: MLP, threads: 2, K: 8, unroll: 1 },
  // The population rule (POPULATION_MAX_PARAMS in src/tune/score.ts): does stacking pay at ~100k parameters?
  { name: 'mid_k1_t1', widths: MID, threads: 1, K: 1, unroll: 4 },
  { name: 'mid_k8_t1', widths: MID, threads: 1, K: 8, unroll: 1 },
  { name: 'n6k_k1_t1', widths: [784, 8, 10], threads: 1, K: 1, unroll: 4 },
  { name: 'n6k_k8_t1', widths: [784, 8, 10], threads: 1, K: 8, unroll: 4 },
  { name: 'n25k_k1_t1', widths: [784, 32, 10], threads: 1, K: 1, unroll: 4 },
  { name: 'n25k_k8_t1', widths: [784, 32, 10], threads: 1, K: 8, unroll: 4 },
  { name: 'small_k1_t1', widths: SMALL, threads: 1, K: 1, unroll: 8 },
  { name: 'small_k64_t1', widths: SMALL, threads: 1, K: 64, unroll: 8 },
];

const only = process.env.BENCH_ONLY?.split(',');
const results: Record<string, { l2lab: number; torch: number; ratio: number }> = {};
for (const c of configs.filter((c) => !only || only.includes(c.name))) {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    // Alternate engines so machine noise hits both alike.
    ours.push(await engine(c));
    theirs.push(torch(c));
  }
  const o = median(ours);
  const t = median(theirs);
  results[c.name] = { l2lab: Math.round(o), torch: Math.round(t), ratio: o / t };
  console.log(`${c.name.padEnd(14)} widths ${c.widths.join('-').padEnd(14)} threads ${c.threads} K ${String(c.K).padEnd(3)} unroll ${c.unroll}  l2lab ${Math.round(o).toString().padStart(8)} model-samples/s   torch ${Math.round(t).toString().padStart(8)}   ratio ${(o / t).toFixed(2)}`);
}

const stepFlops = 6 * MLP.slice(0, -1).reduce((a, w, i) => a + w * MLP[i + 1], 0);
const summary: Record<string, number> = {};
if (results.mlp_k1_t1) {
  const gemm1 = await gemmRate(MLP, 1);
  summary.gflops_k1 = (results.mlp_k1_t1.l2lab * stepFlops) / 1e9;
  summary.gemm_gflops_t1 = gemm1;
  console.log(`step at ${summary.gflops_k1.toFixed(1)} GFLOP/s (1 thread) vs ${gemm1.toFixed(1)} GFLOP/s for the same GEMMs alone: ${((100 * summary.gflops_k1) / gemm1).toFixed(0)}%`);
}
if (results.mlp_k1_t2) {
  const gemm2 = await gemmRate(MLP, 2);
  summary.gflops_k1_t2 = (results.mlp_k1_t2.l2lab * stepFlops) / 1e9;
  summary.gemm_gflops_t2 = gemm2;
  console.log(`step at ${summary.gflops_k1_t2.toFixed(1)} GFLOP/s (2 threads) vs ${gemm2.toFixed(1)} GFLOP/s for the same GEMMs alone: ${((100 * summary.gflops_k1_t2) / gemm2).toFixed(0)}%`);
}
for (const [k, v] of Object.entries(results)) summary[`${k.replace(/_t1$/, '')}_vs_torch`] = v.ratio;
for (const size of ['mlp', 'mid', 'n25k', 'n6k', 'small']) {
  const one = results[`${size}_k1_t1`];
  const many = results[`${size}_k8_t1`] ?? results[`${size}_k64_t1`];
  if (one && many) {
    summary[`${size}_stacking_gain`] = many.l2lab / one.l2lab;
    console.log(`stacking ${size}: population model-samples/s ÷ single-model samples/s = ${(many.l2lab / one.l2lab).toFixed(2)}`);
  }
}
console.log(JSON.stringify(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, Number(v.toFixed(3))]))));
