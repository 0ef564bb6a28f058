/**
 * `npm run bench`: training throughput of the ONNX Runtime engine against Debian's PyTorch, in the
 * same run. MLP 784-256-256-10 (ReLU, softmax CE, SGD + L2, batch 128, 8192 random samples) at
 * 1 and 2 threads with K = 1 and 8; a small 30-16-2 MLP with K = 1 and 64. Prints ratios and ends
 * with one JSON line. Record results in bench/RESULTS.md.
 * CNN rows: cnn:c16k5,p2,c32k5,p2,f128 on 28×28×1, Adam, batch 128, at 1 and 2 threads against
 * test/ref/torch_cnn_bench.py, plus the step's GFLOP/s beside ORT's own Conv on the same shapes.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledGraph } from '../src/engine/session.js';
import { tensor } from '../src/engine/tensor.js';
import { Graph } from '../src/graph/graph.js';
import * as op from '../src/graph/ops.js';
import { parseModelSpec, type Architecture } from '../src/models/architecture.js';
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

const CNN_SPEC = 'cnn:c16k5,p2,c32k5,p2,f128';
const CNN_SAMPLES = 2048;
const CNN_REF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/ref/torch_cnn_bench.py');

/** samples/s of the l2lab engine training the CNN (float32: ORT's Conv kernels). */
async function cnnEngine(threads: number): Promise<number> {
  const arch = parseModelSpec(CNN_SPEC, 784, { task: 'classification', classes: 10 }, { image: { height: 28, width: 28, channels: 1 } });
  const rng = new Rng(0);
  const rows = { n: CNN_SAMPLES, d: 784, x: Float32Array.from({ length: CNN_SAMPLES * 784 }, () => rng.uniform()), y: Int32Array.from({ length: CNN_SAMPLES }, () => rng.int(10)) };
  const stepper = await Stepper.create({ arch, batch: BATCH, dtype: 'float32', optimizer: { name: 'adam' }, sumsqOutput: false }, [initParams(arch, 'he', 0)], [1e-5], [0], threads);
  const filler = new BatchFiller(rows, BATCH, 1, 'float32', 'softmax_ce');
  const lr = [new Float32Array([1e-3])];
  const epoch = async () => {
    const order = rng.permutation(CNN_SAMPLES);
    for (let s = 0; s + BATCH <= CNN_SAMPLES; s += BATCH) {
      filler.fill(0, order, s);
      await stepper.run({ x: filler.x, y: filler.y, lr });
    }
  };
  await epoch();
  const t0 = performance.now();
  for (let e = 0; e < EPOCHS; e++) await epoch();
  const seconds = (performance.now() - t0) / 1000;
  await stepper.release();
  return (CNN_SAMPLES * EPOCHS) / seconds;
}

function cnnTorch(threads: number): number {
  const r = spawnSync('/usr/bin/python3', [CNN_REF, '--spec', CNN_SPEC.slice(4), '--batch', String(BATCH), '--samples', String(CNN_SAMPLES), '--epochs', String(EPOCHS), '--threads', String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_cnn_bench.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).samples_per_s;
}

/** The CNN's two convolutions as (input [C, H, W], filters, k). */
const CNN_CONVS = [
  { c: 1, side: 28, filters: 16, k: 5 },
  { c: 16, side: 14, filters: 32, k: 5 },
];
/** FLOPs of one training sample: forward, weight gradients, and input gradients except the first layer's. */
const CNN_STEP_FLOPS = (() => {
  const convs = CNN_CONVS.map((v) => 2 * v.side * v.side * v.k * v.k * v.c * v.filters);
  const dense = [2 * 1568 * 128, 2 * 128 * 10];
  const all = [...convs, ...dense];
  return 3 * all.reduce((a, b) => a + b, 0) - convs[0];
})();

/** GFLOP/s of ORT's own Conv kernel on the CNN's forward convolutions (NCHW, batch 128). */
async function convRate(threads: number): Promise<number> {
  const g = new Graph('convs');
  let flops = 0;
  CNN_CONVS.forEach((v, i) => {
    const x = g.input(`x${i}`, 'float32', [BATCH, v.c, v.side, v.side]);
    const w = g.input(`w${i}`, 'float32', [v.filters, v.c, v.k, v.k]);
    g.output(g.node('Conv', [x, w], [{ dtype: 'float32', shape: [BATCH, v.filters, v.side, v.side] }], { kernel_shape: [v.k, v.k], pads: [2, 2, 2, 2] })[0], `y${i}`);
    flops += 2 * BATCH * v.side * v.side * v.k * v.k * v.c * v.filters;
  });
  const s = await CompiledGraph.compile(g, { threads });
  const feeds = Object.fromEntries(g.inputs.map((v) => [v.name, tensor(new Float32Array((v.shape as number[]).reduce((a, b) => a * b, 1)).fill(0.01), v.shape as number[])]));
  for (let i = 0; i < 3; i++) await s.run(feeds);
  const runs = 20;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await s.run(feeds);
  return (flops * runs) / ((performance.now() - t0) / 1000) / 1e9;
}

const MLP = [784, 256, 256, 10];
const MID = [784, 128, 10];
const SMALL = [30, 16, 2];
const configs: Config[] = [
  { name: 'mlp_k1_t1', widths: MLP, threads: 1, K: 1, unroll: 4 },
  { name: 'mlp_k8_t1', widths: MLP, threads: 1, K: 8, unroll: 1 },
  { name: 'mlp_k1_t2', widths: MLP, threads: 2, K: 1, unroll: 4 },
  { name: 'mlp_k8_t2', widths: MLP, threads: 2, K: 8, unroll: 1 },
  // The population rule (POPULATION_MAX_PARAMS in src/tune/setup.ts): does stacking pay at ~100k parameters?
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

for (const threads of [1, 2]) {
  const name = `cnn_t${threads}`;
  if (only && !only.includes(name)) continue;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    ours.push(await cnnEngine(threads));
    theirs.push(cnnTorch(threads));
  }
  const o = median(ours);
  const t = median(theirs);
  results[name] = { l2lab: Math.round(o), torch: Math.round(t), ratio: o / t };
  console.log(`${name.padEnd(14)} ${CNN_SPEC} threads ${threads}  l2lab ${Math.round(o).toString().padStart(8)} samples/s   torch ${Math.round(t).toString().padStart(8)}   ratio ${(o / t).toFixed(2)}`);
}
const cnnSummary: Record<string, number> = {};
for (const threads of [1, 2]) {
  const r = results[`cnn_t${threads}`];
  if (!r) continue;
  const conv = await convRate(threads);
  cnnSummary[`cnn_gflops_t${threads}`] = (r.l2lab * CNN_STEP_FLOPS) / 1e9;
  cnnSummary[`conv_gflops_t${threads}`] = conv;
  console.log(`cnn step at ${cnnSummary[`cnn_gflops_t${threads}`].toFixed(2)} GFLOP/s (${threads} thread${threads > 1 ? 's' : ''}) vs ${conv.toFixed(1)} GFLOP/s for ORT's Conv alone on the same forward shapes`);
}

const stepFlops = 6 * MLP.slice(0, -1).reduce((a, w, i) => a + w * MLP[i + 1], 0);
const summary: Record<string, number> = { ...cnnSummary };
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
