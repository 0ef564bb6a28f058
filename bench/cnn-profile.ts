/**
 * Where the CNN training step's time goes: runs the bench's step (cnn:c16k5,p2,c32k5,p2,f128,
 * Adam, batch 128) under ORT's profiler and prints each operator type's share of the kernel time.
 * Session options as CompiledGraph's (PROFILE_OPT_LEVEL overrides the optimization level);
 * PROFILE_NODES=n also lists the n slowest nodes.
 * Usage: node --import tsx bench/cnn-profile.ts [threads] [spec] [steps]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { buildStepGraph } from '../src/train/step-graph.js';
import { parseModelSpec, paramShapes } from '../src/models/architecture.js';
import { initParams } from '../src/models/init.js';
import { paramDims } from '../src/models/param-shape.js';
import { tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/util/rng.js';

const [threads = '1', spec = 'cnn:c16k5,p2,c32k5,p2,f128', steps = '30'] = process.argv.slice(2);
const B = 128;
const arch = parseModelSpec(spec, 784, { task: 'classification', classes: 10 }, { image: { height: 28, width: 28, channels: 1 } });
const graph = buildStepGraph({ arch, batch: B, dtype: 'float32', optimizer: { name: 'adam' }, sumsqOutput: false, threads: Number(threads) });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-cnn-profile-'));
const session = await ort.InferenceSession.create(graph.toBytes(), {
  intraOpNumThreads: Number(threads),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: (process.env.PROFILE_OPT_LEVEL ?? 'extended') as 'extended',
  enableProfiling: true,
  profileFilePrefix: path.join(dir, 'step'),
});
const rng = new Rng(0);
const shapes = paramShapes(arch);
const init = initParams(arch, 'he', 0);
const feeds: Record<string, ort.Tensor> = {
  l2: tensor(new Float32Array([1e-5]), []),
  decay: tensor(new Float32Array([0]), []),
  'x.0': tensor(Float32Array.from({ length: B * 784 }, () => rng.uniform()), [B, 784]),
  'y.0': tensor(BigInt64Array.from({ length: B }, () => BigInt(rng.int(10))), [B]),
  'lr.0': tensor(new Float32Array([1e-3]), []),
  'bc1.0': tensor(new Float32Array([1]), []),
  'bc2.0': tensor(new Float32Array([1]), []),
};
shapes.forEach((p, i) => {
  feeds[p.name] = tensor(Float32Array.from(init[i]), paramDims(p));
  for (const s of ['m', 's']) feeds[`${p.name}.${s}`] = tensor(new Float32Array(p.size), paramDims(p));
});
const n = Number(steps);
for (let i = 0; i < 5; i++) await session.run(feeds);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < n; i++) await session.run(feeds);
const ms = (performance.now() - t0) / n;
// CPU time is steadier than wall time on a shared machine (at 1 thread; spinning threads inflate it above).
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000 / n;
session.endProfiling();
await session.release();
const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.json'))!);
const events = JSON.parse(fs.readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
const byOp = new Map<string, number>();
const byNode = new Map<string, number>();
let runs = 0;
let total = 0;
for (const e of events) {
  if (e.cat === 'Session' && e.name === 'model_run') runs++;
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const opName = e.args?.op_name ?? '?';
  byOp.set(opName, (byOp.get(opName) ?? 0) + e.dur);
  const node = `${opName} ${e.name.replace(/_kernel_time$/, '')}`;
  byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
  total += e.dur;
}
const rows = [...byOp.entries()].sort((a, b) => b[1] - a[1]);
console.log(`${spec}, ${threads} thread(s): ${ms.toFixed(1)} ms/step wall, ${cpuMs.toFixed(1)} ms/step CPU (${runs} profiled runs); kernel time by operator:`);
for (const [name, us] of rows) console.log(`  ${name.padEnd(20)} ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / runs / 1000).toFixed(2).padStart(7)} ms/step`);
fs.rmSync(dir, { recursive: true });
if (process.env.PROFILE_NODES) {
  console.log('slowest nodes:');
  for (const [name, us] of [...byNode.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_NODES))) console.log(`  ${name.padEnd(40)} ${((100 * us) / total).toFixed(1).padStart(5)}%`);
}
