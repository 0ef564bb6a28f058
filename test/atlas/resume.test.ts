/** Kill and resume: an `l2lab atlas` process SIGKILLed in the middle of a cell, run again, completes with every cell exactly once. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { atlasStudyName, loadAtlasSpec } from '../../src/atlas/index.js';
import { openStorage } from '../../src/study/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Like the smoke spec, with a second cell big enough (7·10⁴ parameters, trained one λ after another)
 * that its grid search trains for a few seconds: the kill lands while its trials are RUNNING.
 */
const KILL_SPEC = {
  name: 'kill',
  datasets: [{ name: 'wine', testRows: 58 }],
  models: ['softmax', 'mlp:256,256'],
  m: [120],
  training: { epochs: 5, lr: 0.05, batchSize: 8 },
  validation: { folds: 5 },
  lambda: { lo: 0.01, hi: 100, n: 9, extend: false },
  strategies: ['grid', 'evidence', 'sh'],
};

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; once `killWhen()` resolves true (polled every 50 ms), SIGKILLs it. */
function atlas(args: string[], killWhen?: () => Promise<boolean>): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'atlas', ...args], { cwd: ROOT, env: { ...process.env, L2LAB_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal, stdout, stderr });
    });
    const poll = async (): Promise<void> => {
      while (killWhen && !done) {
        if (await killWhen().catch(() => false)) {
          child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    void poll();
  });
}

/** True once the second cell's grid study has trials RUNNING (claimed and training). */
async function secondGridRunning(db: string): Promise<boolean> {
  if (!fs.existsSync(db)) return false;
  const s = await openStorage(db);
  try {
    const grid2 = (await s.listStudies()).find((x) => x.name.startsWith('atlas:wine/mlp:256,256/') && x.name.includes(':grid#'));
    return grid2 !== undefined && grid2.trialCounts.RUNNING > 0;
  } finally {
    await s.close();
  }
}

// 19 s on a quiet 2-core machine, 59 s once under load 15: the limit only guards against a hang.
test('a SIGKILLed atlas, run again, completes with every cell exactly once', { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-atlas-kill-'));
  try {
    const db = path.join(dir, 'atlas.db');
    const out = path.join(dir, 'report');
    const specPath = path.join(dir, 'kill.json');
    fs.writeFileSync(specPath, JSON.stringify(KILL_SPEC));
    const args = [specPath, '--storage', db, '--out', out, '--threads', '1'];
    const spec = loadAtlasSpec(specPath);
    const pairs = 2 * spec.strategies.length;

    // Killed while the second cell's grid search trains (its trials RUNNING in the store).
    const killed = await atlas(args, () => secondGridRunning(db));
    assert.equal(killed.signal, 'SIGKILL', `the run ended before the kill: ${killed.stdout}${killed.stderr}`);
    assert.ok(!fs.existsSync(path.join(out, 'index.html')), 'no report from the killed run');
    let s = await openStorage(db);
    const atlasStudy = (await s.getStudy(atlasStudyName(spec)))!;
    const storedBefore = Object.keys(await s.getStudyAttrs(atlasStudy.id)).filter((k) => k.startsWith('cell:'));
    assert.equal(storedBefore.length, pairs / 2, 'only the first cell was finished');
    const grid2 = (await s.listStudies()).find((x) => x.name.startsWith('atlas:wine/mlp:256,256/') && x.name.includes(':grid#'));
    assert.ok(grid2 && grid2.trialCounts.RUNNING > 0, 'the kill left trials of the second cell RUNNING under a dead process');
    await s.close();

    const resumed = await atlas(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /\[1\/2\] wine\/softmax\/m=120\/seed=0 .*\(from the store\)/);
    assert.doesNotMatch(resumed.stderr, /\[1\/2\][^\n]*: grid…/, 'the finished cell is not recomputed');
    assert.match(resumed.stdout, /\[2\/2\] wine\/mlp:256,256\/m=120\/seed=0 .*grid λ=/);

    s = await openStorage(db);
    try {
      const attrs = await s.getStudyAttrs(atlasStudy.id);
      const cellKeys = Object.keys(attrs).filter((k) => k.startsWith('cell:'));
      assert.equal(cellKeys.length, pairs, 'one stored outcome per (cell, strategy)');
      const studies = await s.listStudies();
      const grids = studies.filter((x) => x.name.startsWith('atlas:') && x.name.includes(':grid#'));
      assert.equal(grids.length, 2, 'one grid study per cell');
      for (const g of grids) {
        const trials = await s.listTrials(g.id);
        assert.equal(trials.length, spec.datasets[0].lambda.n, `${g.name}: one trial per λ`);
        assert.equal(new Set(trials.map((t) => t.key)).size, trials.length);
        assert.ok(trials.every((t) => t.state === 'COMPLETE' || t.state === 'FAIL'), `${g.name}: every trial finished, none left RUNNING: ${trials.map((t) => t.state).join(',')}`);
        assert.ok(trials.some((t) => t.state === 'COMPLETE'));
      }
    } finally {
      await s.close();
    }
    const report = JSON.parse(fs.readFileSync(path.join(out, 'atlas.json'), 'utf8')) as { cells: { cell: { id: string }; results: Record<string, { status: string }> }[] };
    const ids = report.cells.flatMap((c) => Object.entries(c.results).map(([strategy, r]) => `${c.cell.id}|${strategy}|${r.status}`));
    assert.equal(ids.length, 2 * spec.strategies.length);
    assert.equal(new Set(ids.map((i) => i.split('|').slice(0, 2).join('|'))).size, ids.length, 'each (cell, strategy) once in the report');
    assert.equal(fs.readFileSync(path.join(out, 'cells.csv'), 'utf8').trim().split('\n').length, 1 + ids.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
