/**
 * `node --import tsx bench/workers.bench.ts`: wall time of one 24-trial grid run by 1 and by 2
 * `l2lab tune` worker processes (1 engine thread each, `--population-size 1`) sharing one
 * PostgreSQL study (a throwaway local cluster; SQLite when no PostgreSQL is installed). Each count
 * runs BENCH_REPEATS (default 3) times alternately on a fresh study; the medians, their ratio and
 * how the trials split between the two workers are printed.
 * Target: 2 workers ≥ 1.7× faster than 1 on 2 cores.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStorage } from '../src/study/index.js';
import { findPgBin, startCluster, type PgCluster } from '../test/study/pg-cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const LAMBDAS = Array.from({ length: 24 }, (_, i) => (10 ** (-3 + (6 * i) / 23)).toPrecision(3)).join(',');
const ARGS = ['tune', '--data', 'breast-cancer', '--model', 'mlp:32', '--lambdas', LAMBDAS, '--folds', '3', '--epochs', '200', '--batch-size', '16', '--population-size', '1', '--threads', '1', '--json'];

function worker(storage: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...ARGS, '--storage', storage, '--study', 'bench'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, L2LAB_WORKER_ID: id },
    });
    child.on('close', (code) => (code === 0 ? resolve(0) : reject(new Error(`worker ${id} exited with ${code}`))));
  });
}

/** Wall seconds of `workers` processes on a fresh study, and how many trials each one ran. */
async function timed(workers: number, storage: () => Promise<string>): Promise<{ seconds: number; split: number[] }> {
  const s = await storage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, i) => worker(s, `bench-${i}`)));
  const seconds = (performance.now() - t0) / 1000;
  const store = await openStorage(s);
  try {
    const trials = await store.listTrials((await store.getStudy('bench'))!.id);
    return { seconds, split: Array.from({ length: workers }, (_, i) => trials.filter((t) => t.owner?.hostname === `bench-${i}`).length) };
  } finally {
    await store.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const bin = await findPgBin();
let cluster: PgCluster | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-bench-workers-'));
let n = 0;
try {
  if (bin !== null) cluster = await startCluster(bin);
  const storage = async (): Promise<string> => (cluster ? cluster.fresh() : path.join(dir, `s${++n}.db`));
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    one.push((await timed(1, storage)).seconds);
    const pair = await timed(2, storage);
    two.push(pair.seconds);
    console.log(`run ${r + 1}: 1 worker ${one[r].toFixed(1)} s, 2 workers ${two[r].toFixed(1)} s (trials per worker ${pair.split.join('/')}), load ${os.loadavg()[0].toFixed(1)}`);
  }
  const result = { storage: cluster ? 'postgresql' : 'sqlite', trials: 24, one_worker_s: median(one), two_workers_s: median(two), speedup: median(one) / median(two), loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) };
  console.log(JSON.stringify(result));
} finally {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
