/** Spawning `l2lab` from source for end-to-end tests, plus scratch directories and dataset writers. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/run.js';
import type { Dataset } from '../../src/data/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx src/cli/main.ts ...args` in the repository root (async, so cases can run side by side). */
export function l2lab(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      // One ORT thread: the suite runs CLI cases side by side on few cores.
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 16 << 20, env: { ...process.env, L2LAB_THREADS: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs `l2lab ...args` in this process through the CLI's dispatcher, capturing what it writes: fast
 * for many cases that fail early. Run one at a time. A thrown error (what node prints as a stack
 * trace from the real binary) comes back as exit code null with the stack on stderr.
 */
export async function l2labHere(...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  // console.log is the commands' only way to stdout; process.stdout itself stays the test runner's.
  const saved = { log: console.log, error: console.error, warn: console.warn, stderr: process.stderr.write };
  const line = (to: string[]) => (...parts: unknown[]) => void to.push(`${format(...parts)}\n`);
  console.log = line(out);
  console.error = line(err);
  console.warn = line(err);
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } catch (e) {
    return { code: null, stdout: out.join(''), stderr: `${err.join('')}${(e as Error).stack}` };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn });
    process.stderr.write = saved.stderr;
  }
}

/** A fresh directory under the OS temp dir, removed when the process exits. */
export function scratch(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `l2lab-${prefix}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The rows `rows` of a dataset as a CSV with a header and a 'target' column (class names for classification). */
export function datasetCsv(data: Dataset, rows: ArrayLike<number>): string {
  const lines = [[...data.featureNames.map((f) => (f.includes(',') ? `"${f}"` : f)), 'target'].join(',')];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const x = Array.from(data.x.subarray(r * data.d, (r + 1) * data.d), String);
    lines.push([...x, data.task === 'classification' ? data.classes[data.y[r]] : String(data.y[r])].join(','));
  }
  return `${lines.join('\n')}\n`;
}
