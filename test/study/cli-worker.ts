/** A `l2lab` CLI process started as one worker (its own `L2LAB_WORKER_ID`, one engine thread), with its output collected. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Worker {
  id: string;
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** What it has written to stderr so far (its progress and wait lines). */
  stderrSoFar: () => string;
}

/** Starts `l2lab ARGS` as worker `id` (a host of its own for the store). */
export function startWorker(id: string, args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, L2LAB_THREADS: '1', L2LAB_WORKER_ID: id } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Awaited<Worker['done']>>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { id, child, done, stderrSoFar: () => stderr };
}
