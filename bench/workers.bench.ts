/**
 * `npm run build && node --import tsx bench/workers.bench.ts`: wall time of one grid run by 1, 2 and 3 `l2lab tune`
 * worker processes with the default flags (no `--population-size`; `--threads 1` each) sharing one
 * PostgreSQL study (a throwaway local cluster; SQLite when no PostgreSQL is installed). The grid is
 * about 2 minutes of one worker's work on a quiet machine. Each count runs BENCH_REPEATS (default 3)
 * times, the counts alternating, each on a fresh study; it prints every run, the ratios, and one JSON
 * line per worker count: `{"bench":"workers","workers":2,"speedup":…,"median_s":…,"trials_lost":0,"session_runs":…}`.
 * `session_runs`: each worker's engine passes (ONNX Runtime session runs, counted by bench/count-runs.ts;
 * each λ's refit trains inside its trial's population, so no refit pass follows them), which show the
 * claims' pass structure without timing: with the default claims, 1 worker makes two passes (half,
 * then the rest), 2 workers one each (24/24), and a third on the same grid stands by (it claimed
 * nothing in the round the first two split).
 * Targets (2 cores, quiet): 2 workers ≥ 1.7× one; 3 workers finish no later than 2 and lose no trial.
 * Each line also gives `paired_speedups`: one worker's time over this count's in the same alternation,
 * which a machine drifting over the bench's minutes moves less than the medians.
 * BENCH_QUICK=1: a small grid, once, as a smoke run (its times mean nothing). BENCH_EPOCHS overrides the
 * epochs, BENCH_COUNTS the worker counts (default 1,2,3; the first is the baseline of the ratios).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStorage } from '../src/study/index.js';
import { findPgBin, startCluster, type PgCluster } from '../test/study/pg-cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env.BENCH_QUICK === '1';
const REPEATS = Number(process.env.BENCH_REPEATS ?? (QUICK ? 1 : 3));
const TRIALS = QUICK ? 6 : 48;
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? (QUICK ? 10 : 2000));
const COUNTS = (process.env.BENCH_COUNTS ?? '1,2,3').split(',').map(Number);
const LAMBDAS = Array.from({ length: TRIALS }, (_, i) => (10 ** (-3 + (6 * i) / (TRIALS - 1))).toPrecision(3)).join(',');
const ARGS = ['tune', '--data', 'breast-cancer', '--model', 'mlp:32', '--lambdas', LAMBDAS, '--folds', '5', '--epochs', String(EPOCHS), '--batch-size', '16', '--threads', '1', '--json'];

/** One worker to its exit; returns its engine passes (session runs) and CPU seconds (see count-runs.ts); its stderr (progress lines) is shown only when it fails. */
function worker(storage: string, id: string): Promise<{ runs: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    // The compiled CLI, as a user runs it (`npm run build` first): a worker compiling TypeScript at start-up would skew the claim round.
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/count-runs.ts', 'bin/l2lab.js', ...ARGS, '--storage', storage, '--study', 'bench'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, L2LAB_WORKER_ID: id },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const read = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? NaN);
    child.on('close', (code) => (code === 0 ? resolve({ runs: read(/session runs: (\d+)/), cpu: read(/cpu seconds: ([\d.]+)/) }) : reject(new Error(`worker ${id} exited with ${code}:\n${stderr}`))));
  });
}

interface Run {
  seconds: number;
  /** Trials each worker finished. */
  split: number[];
  /** Engine passes (ONNX Runtime session runs) each worker made, the refit members' included: a pass's fixed cost is paid per run. */
  sessionRuns: number[];
  /** Trials not finished when every worker had exited. */
  lost: number;
  /** Trials run more than once. */
  rerun: number;
  /** CPU seconds (user + system) each worker used: against the wall time, how much of it the worker computed rather than waited for a core. */
  cpu: number[];
  /** Seconds from the start to each worker's first claim (null: claimed nothing): start-ups more than a claim round (5 s) apart split the grid unevenly. */
  firstClaims: (number | null)[];
}

/** `workers` processes on a fresh study, from the first start to the last exit. */
async function timed(workers: number, storage: string): Promise<Run> {
  const t0 = performance.now();
  const wall0 = Date.now();
  const done = await Promise.all(Array.from({ length: workers }, (_, i) => worker(storage, `bench-${i}`)));
  const seconds = (performance.now() - t0) / 1000;
  const store = await openStorage(storage);
  try {
    const trials = await store.listTrials((await store.getStudy('bench'))!.id);
    const finished = trials.filter((t) => t.state !== 'WAITING' && t.state !== 'RUNNING');
    const firstClaim = (id: string) => {
      const starts = finished.filter((t) => t.owner?.hostname === id && t.startedAt !== null).map((t) => t.startedAt!);
      return starts.length > 0 ? Number(((Math.min(...starts) - wall0) / 1000).toFixed(2)) : null;
    };
    return {
      firstClaims: Array.from({ length: workers }, (_, i) => firstClaim(`bench-${i}`)),
      seconds,
      split: Array.from({ length: workers }, (_, i) => finished.filter((t) => t.owner?.hostname === `bench-${i}`).length),
      sessionRuns: done.map((d) => d.runs),
      cpu: done.map((d) => d.cpu),
      lost: TRIALS - finished.length,
      rerun: trials.filter((t) => t.attempt > 1).length,
    };
  } finally {
    await store.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = (): number[] => os.loadavg().map((x) => Number(x.toFixed(2)));

const bin = await findPgBin();
let cluster: PgCluster | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-bench-workers-'));
let n = 0;
try {
  if (bin !== null) cluster = await startCluster(bin);
  const fresh = async (): Promise<string> => (cluster ? cluster.fresh() : path.join(dir, `s${++n}.db`));
  const runs = new Map<number, Run[]>(COUNTS.map((c) => [c, []]));
  for (let r = 0; r < REPEATS; r++) {
    for (const count of COUNTS) {
      const run = await timed(count, await fresh());
      runs.get(count)!.push(run);
      console.log(`run ${r + 1}, ${count} worker(s): ${run.seconds.toFixed(1)} s, trials per worker ${run.split.join('/')}, session runs ${run.sessionRuns.join('/')}, CPU ${run.cpu.map((c) => c.toFixed(1)).join('/')} s, first claims at ${run.firstClaims.map((c) => (c === null ? '–' : `${c} s`)).join('/')}, lost ${run.lost}, re-run ${run.rerun}, load ${os.loadavg()[0].toFixed(1)}`);
    }
  }
  const medians = new Map(COUNTS.map((c) => [c, median(runs.get(c)!.map((x) => x.seconds))]));
  const base = COUNTS[0];
  const one = medians.get(base)!;
  console.log(COUNTS.map((c) => `${c} worker(s): median ${medians.get(c)!.toFixed(1)} s, ${(one / medians.get(c)!).toFixed(2)}× ${base}`).join('; '));
  if (base === 1 && medians.has(2) && medians.has(3)) console.log(`targets: 2 workers ≥ 1.7× one (${(one / medians.get(2)!).toFixed(2)}×); 3 workers no later than 2 (${medians.get(3)!.toFixed(1)} s vs ${medians.get(2)!.toFixed(1)} s) and no trial lost`);
  for (const count of COUNTS) {
    const rs = runs.get(count)!;
    console.log(
      JSON.stringify({
        bench: 'workers',
        workers: count,
        baseline_workers: base,
        speedup: Number((one / medians.get(count)!).toFixed(3)),
        paired_speedups: rs.map((x, r) => Number((runs.get(base)![r].seconds / x.seconds).toFixed(3))),
        median_s: Number(medians.get(count)!.toFixed(2)),
        runs_s: rs.map((x) => Number(x.seconds.toFixed(2))),
        trials: TRIALS,
        trials_lost: Math.max(...rs.map((x) => x.lost)),
        trials_rerun: Math.max(...rs.map((x) => x.rerun)),
        split: rs.map((x) => x.split),
        session_runs: rs.map((x) => x.sessionRuns),
        first_claims_s: rs.map((x) => x.firstClaims),
        cpu_s: rs.map((x) => x.cpu),
        epochs: EPOCHS,
        quick: QUICK,
        storage: cluster ? 'postgresql' : 'sqlite',
        loadavg: load(),
      }),
    );
  }
} finally {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
