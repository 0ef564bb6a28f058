/**
 * Worker processes on this machine that train a grid's trials beside this one (`--workers`), one
 * ONNX Runtime thread each. A model that trains one member at a time (too large to stack, or a CNN)
 * runs small GEMMs and convolutions that a second intra-op thread barely speeds up (it spins), so on
 * a multi-core machine several trainings at once finish a grid sooner than one training on every core.
 * The workers join the study as any worker does (src/study/run-trials.ts: claims sized to the workers
 * alive, a trial never trained twice, the refit done once and read by the others).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '../errors.js';
import { DEFAULTS } from '../options/defaults.js';
import { DEFAULT_STORAGE } from '../study/index.js';
import type { TuneSetup } from './setup.js';
import { initialLambdas } from './strategies/grid.js';
import type { TuneOptions } from './strategy.js';

/** The environment variable that carries a worker's options (JSON) to local-worker-main. */
export const WORKER_OPTIONS_ENV = 'L2LAB_LOCAL_WORKER';

/** How the run shares this machine: processes in all (this one included), ONNX Runtime threads each, and the team its first claims split among. */
export interface WorkerPlan {
  processes: number;
  threads: number | undefined;
  /** Workers that start on the study together: `processes` for a run and the workers it starts, and for each of those workers. */
  team: number;
}

const storageName = (o: TuneOptions): string | undefined => (typeof o.storage === 'object' ? undefined : (o.storage ?? DEFAULT_STORAGE));

/**
 * `--workers`, resolved once the model is known. 'auto' (the default) starts one process per core
 * where it pays and is possible: a grid, a model that does not stack (setup.stacks), trained by
 * SGD, no --threads given, a study file or URL the processes can share, data named by a string, and
 * more than one λ configuration; otherwise one process, as before. A number is taken as asked.
 */
export function planWorkers(o: TuneOptions, setup: TuneSetup): WorkerPlan {
  const cores = os.availableParallelism();
  const storage = storageName(o);
  const shareable = storage !== undefined && storage !== ':memory:' && typeof o.data === 'string';
  const asked = o.workers ?? 'auto';
  if (asked !== 'auto') {
    if (asked > 1 && !shareable) throw new InvalidOptionError(`--workers ${asked} needs a study store the processes share and data they can load by name: pass --storage PATH (a SQLite file) or a postgres:// URL, and --data as a name or file. Or use --workers 1.`);
    return { processes: asked, threads: o.threads ?? (asked > 1 ? Math.max(1, Math.floor(cores / asked)) : undefined), team: o.team ?? asked };
  }
  if (o.strategy !== 'grid' || setup.stacks || setup.plan.solver !== 'sgd' || o.threads !== undefined || !shareable) return { processes: 1, threads: o.threads, team: 1 };
  const configs = initialLambdas({ options: o }).lambdas.length * (o.dropouts ?? DEFAULTS.dropouts).length;
  const processes = Math.min(cores, configs);
  return { processes, threads: processes > 1 ? 1 : o.threads, team: processes };
}

/** The worker processes this run started; `stop` ends them. */
export interface LocalWorkers {
  /**
   * After a finished run: waits for each worker to exit (they read the refit and end). After a
   * failed one: ends them at once. Either way none is left running.
   */
  stop(failed: boolean): Promise<void>;
}

/** How long a worker may take to exit after the run it helped has finished (it reads the refit and ends). */
const EXIT_GRACE_MS = 30_000;

/**
 * Starts `count` worker processes on study `study`, each running tune() with `o` (its callbacks and
 * model request dropped) and one process's share of the threads. A worker ends when its tune() does,
 * or when this process goes (its IPC channel closes). One that fails leaves its trials to the others
 * (they return to the pool at once on this host: its pid is gone), and `o.onWorkerFailed` says why.
 */
export function startLocalWorkers(count: number, o: TuneOptions, study: string, threads: number | undefined): LocalWorkers {
  // JSON leaves the callbacks behind.
  const options: TuneOptions = { ...o, study, workers: 1, team: count + 1, threads, keepModel: false };
  const self = fileURLToPath(import.meta.url);
  // Under tsx (tests) this module is the .ts source: start the worker's source the same way.
  const main = self.replace(/local-workers\.(ts|js)$/, 'local-worker-main.$1');
  const children: ChildProcess[] = Array.from({ length: count }, () =>
    spawn(process.execPath, [...process.execArgv, main], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: { ...process.env, [WORKER_OPTIONS_ENV]: JSON.stringify(options) },
    }),
  );
  let stopping = false;
  children.forEach((c, i) => reportFailure(c, `worker process ${i + 2} of ${count + 1}`, () => stopping, o.onWorkerFailed));
  const exited = children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve()))));
  return {
    async stop(failed) {
      if (!failed) await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, EXIT_GRACE_MS).unref())]);
      stopping = true;
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await Promise.all(exited);
    },
  };
}

/**
 * Calls `onFailed` once if worker `c` fails: with the message its tune() threw (sent over IPC by
 * local-worker-main), or its exit code or signal when it died without one (out of memory, killed),
 * unless this run was stopping it.
 */
function reportFailure(c: ChildProcess, name: string, stopping: () => boolean, onFailed: ((message: string) => void) | undefined): void {
  if (!onFailed) return;
  let reported = false;
  const report = (why: string) => {
    if (reported) return;
    reported = true;
    onFailed(`${name} failed (${why}); the others train its trials`);
  };
  c.on('message', (m: { failed?: unknown }) => {
    if (typeof m?.failed === 'string') report(m.failed);
  });
  // 'close' follows the last IPC message, so a sent failure is reported with its message.
  c.once('close', (code, signal) => {
    if (stopping()) return;
    if (code !== null && code !== 0) report(`exit code ${code}`);
    else if (signal !== null) report(`killed by ${signal}`);
  });
}
