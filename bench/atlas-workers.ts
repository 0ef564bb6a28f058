/**
 * `node --import tsx bench/atlas-workers.ts SPEC.json [--workers N] [--cells REGEX] [--out DIR]`:
 * N `l2lab atlas` worker processes (one engine thread each, niced, distinct L2LAB_WORKER_ID) on one
 * throwaway PostgreSQL store, the way several machines split an atlas. Prints, as Markdown, each
 * worker's wall time and the cells it took (from the atlas study's tasks: owner, start, finish).
 * The workers append what they finish to the spec's results file, like any atlas run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { atlasStudyName, loadAtlasSpec } from '../src/atlas/index.js';
import { openStorage, type Trial } from '../src/study/index.js';
import { findPgBin, startCluster } from '../test/study/pg-cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { workers: { type: 'string' }, cells: { type: 'string' }, out: { type: 'string' } } });
if (positionals.length !== 1) throw new Error('usage: bench/atlas-workers.ts SPEC.json [--workers N] [--cells REGEX] [--out DIR]');
const specPath = positionals[0];
const workers = Number(values.workers ?? 2);
const extra = [...(values.cells ? ['--cells', values.cells] : []), '--out', values.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-atlas-workers-'))];

/** One worker: its wall seconds from spawn to exit. */
function worker(url: string, id: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const args = ['-n', '19', process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'atlas', specPath, '--storage', url, '--threads', '1', '--quiet', ...extra];
    const child = spawn('nice', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, L2LAB_WORKER_ID: id } });
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`worker ${id} exited with ${code}`))));
  });
}

/** The atlas study's finished cell tasks (not the report task), oldest first. */
async function cellTasks(url: string, study: string): Promise<Trial[]> {
  const s = await openStorage(url);
  try {
    const trials = await s.listTrials((await s.getStudy(study))!.id);
    return trials.filter((t) => t.key.startsWith('cell:') && t.finishedAt !== null).sort((a, b) => a.startedAt! - b.startedAt!);
  } finally {
    await s.close();
  }
}

const spec = loadAtlasSpec(specPath);
const cluster = await startCluster(await findPgBin());
try {
  const url = await cluster.fresh();
  const t0 = Date.now();
  const ids = Array.from({ length: workers }, (_, i) => `worker-${i + 1}`);
  const walls = await Promise.all(ids.map((id) => worker(url, id)));
  const tasks = await cellTasks(url, atlasStudyName(spec));
  const minutes = (ms: number) => (ms / 60_000).toFixed(1);
  console.log(`\n${workers} workers, ${tasks.length} cells, wall ${minutes(Date.now() - t0)} min\n`);
  console.log('| worker | wall (min) | cells it took (start → finish, min from the start) |\n|---|---|---|');
  ids.forEach((id, i) => {
    const own = tasks.filter((t) => t.owner?.hostname === id);
    const cells = own.map((t) => `${String(t.params.task).replace(/ grid$/, '')} (${minutes(t.startedAt! - t0)} → ${minutes(t.finishedAt! - t0)})`);
    console.log(`| ${id} | ${(walls[i] / 60).toFixed(1)} | ${cells.join('; ') || '–'} |`);
  });
} finally {
  await cluster.stop();
}
