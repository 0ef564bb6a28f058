/**
 * Several workers on one PostgreSQL study: three `l2lab tune` (then `l2lab atlas`) processes acting as
 * three hosts share one grid (one atlas); one is SIGKILLed mid-trial. Every trial runs once (twice for
 * the killed one), the dead worker's trial is re-run within the heartbeat timeout, the answer is one
 * worker's, and the atlas report is written once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStorage, type StudyStorage, type Trial } from '../../src/study/index.js';
import { startWorker as start, type Worker } from './cli-worker.js';
import { findPgBin, PG_MISSING, startCluster, type PgCluster } from './pg-cluster.js';

const TIMEOUT_S = 3;
const bin = await findPgBin();
const external = (process.env.L2LAB_TEST_POSTGRES_URL ?? '') !== '';

/** Every trial of every study, by study name. */
async function allTrials(s: StudyStorage): Promise<Map<string, Trial[]>> {
  const out = new Map<string, Trial[]>();
  for (const st of await s.listStudies()) out.set(st.name, await s.listTrials(st.id));
  return out;
}

/**
 * Waits until some worker holds a RUNNING trial (after `minDone` trials finished), SIGKILLs that worker and
 * returns it, the kill time, and the trials it held then (study name + trial id).
 */
async function killOneMidTrial(url: string, workers: Worker[], minDone: number): Promise<{ victim: Worker; killedAt: number; held: Set<string> }> {
  const s = await openStorage(url);
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const trials = await allTrials(s).catch(() => new Map<string, Trial[]>());
      const flat = [...trials.entries()].flatMap(([name, ts]) => ts.map((t) => ({ name, t })));
      const finished = flat.filter(({ t }) => t.state === 'COMPLETE' || t.state === 'FAIL').length;
      const running = flat.find(({ t }) => t.state === 'RUNNING' && workers.some((w) => w.id === t.owner?.hostname));
      if (running && finished >= minDone) {
        const victim = workers.find((w) => w.id === running.t.owner!.hostname)!;
        victim.child.kill('SIGKILL');
        const killedAt = Date.now();
        await victim.done;
        // Read after the kill: what the dead worker holds now stays held until a survivor takes it over.
        const after = [...(await allTrials(s)).entries()].flatMap(([name, ts]) => ts.map((t) => ({ name, t })));
        const held = new Set(after.filter(({ t }) => t.state === 'RUNNING' && t.owner?.hostname === victim.id).map(({ name, t }) => `${name}#${t.id}`));
        return { victim, killedAt, held };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no worker ever held a RUNNING trial');
  } finally {
    await s.close();
  }
}

/** Checks attempts (2 for what the victim held when killed, 1 otherwise) and that each re-run began within the timeout. */
async function checkAttempts(url: string, kill: { killedAt: number; held: Set<string> }): Promise<number> {
  const s = await openStorage(url);
  try {
    let trials = 0;
    for (const [name, ts] of await allTrials(s)) {
      for (const t of ts) {
        trials++;
        assert.ok(t.state === 'COMPLETE' || t.state === 'FAIL', `${name} #${t.number} finished (${t.state})`);
        const wasHeld = kill.held.has(`${name}#${t.id}`);
        assert.equal(t.attempt, wasHeld ? 2 : 1, `${name} #${t.number} (${JSON.stringify(t.params)}): ran ${wasHeld ? 'twice (killed once)' : 'once'}`);
        if (wasHeld) {
          const delay = (t.startedAt! - kill.killedAt) / 1000;
          assert.ok(delay <= TIMEOUT_S + 3, `${name} #${t.number}: re-run ${delay.toFixed(1)} s after the kill (timeout ${TIMEOUT_S} s)`);
        }
      }
    }
    return trials;
  } finally {
    await s.close();
  }
}

if (bin === null && !external) {
  it('several workers on PostgreSQL', { skip: PG_MISSING }, () => undefined);
} else {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startCluster(bin);
  });
  after(async () => {
    await cluster?.stop();
  });

  describe('three workers on one PostgreSQL store, one SIGKILLed mid-trial', { timeout: 240_000 }, () => {
    const tuneArgs = (url: string): string[] => [
      'tune', '--data', 'wine', '--model', 'mlp:16', '--lambdas', '0.001,0.01,0.1,1,10,100', '--folds', '3', '--epochs', '25', '--batch-size', '8',
      '--population-size', '1', '--threads', '1', '--storage', url, '--study', 'grid', '--heartbeat-timeout', String(TIMEOUT_S), '--json',
    ];

    it('tune: every trial once (the killed one twice, re-run within the timeout), and the answer of one worker', async () => {
      const alone = await start('solo', tuneArgs(await cluster!.fresh())).done;
      assert.equal(alone.code, 0, alone.stderr);
      const reference = JSON.parse(alone.stdout) as { best_lambda: number; trials: { lambda: number; cv_mean: number }[] };

      const url = await cluster!.fresh();
      const workers = ['w1', 'w2', 'w3'].map((id) => start(id, tuneArgs(url)));
      // Killed once 4 of the 6 trials finished: the third worker then has nothing left to claim and says
      // what it waits for however fast the machine (after only one, on a slow machine the survivors were
      // still training when the dead worker's heartbeat lapsed, and took its trial over without a wait).
      const kill = await killOneMidTrial(url, workers, 4);
      const outs = await Promise.all(workers.map((w) => w.done));
      const survivors = workers.map((w, i) => ({ w, out: outs[i] })).filter(({ w }) => w !== kill.victim);
      assert.equal(outs[workers.indexOf(kill.victim)].signal, 'SIGKILL');
      for (const { w, out } of survivors) {
        assert.equal(out.code, 0, `${w.id}: ${out.stderr}`);
        const r = JSON.parse(out.stdout) as typeof reference;
        assert.equal(r.best_lambda, reference.best_lambda, `${w.id} chose the λ of one worker alone`);
        r.trials.forEach((t, i) => assert.ok(Math.abs(t.cv_mean - reference.trials[i].cv_mean) < 1e-9, `${w.id} λ ${t.lambda}: ${t.cv_mean} vs ${reference.trials[i].cv_mean}`));
      }
      assert.ok(kill.held.size >= 1);
      assert.equal(await checkAttempts(url, kill), 6);
      const named = workers.map((w) => `${w.id} pid ${w.child.pid}`).join('|');
      assert.ok(
        survivors.some(({ out }) => new RegExp(`waiting for another worker: trial #\\d+ \\(λ=[^)]*\\) on (${named}) \\(heartbeat [\\d.]+ s ago\\).*; run here if silent for ${TIMEOUT_S} s`).test(out.stderr)),
        `a worker with nothing left to claim said what it waited for:\n${survivors.map(({ out }) => out.stderr).join('\n')}`,
      );
    });

    it('atlas: every cell and trial once (the killed ones twice), the values of one worker, one report', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-workers-'));
      try {
        const spec = {
          name: 'workers',
          datasets: [{ name: 'wine', testRows: 50 }],
          // Two cells for three workers: one waits from the start, and takes the killed worker's cell over.
          models: ['softmax', 'mlp:16'],
          m: [100],
          training: { epochs: 20, lr: 0.1, batchSize: 8 },
          validation: { folds: 3 },
          lambda: { lo: 0.01, hi: 100, n: 5, extend: false },
          strategies: ['grid'],
        };
        const specPath = path.join(dir, 'spec.json');
        fs.writeFileSync(specPath, JSON.stringify(spec));
        const atlasArgs = (url: string, out: string): string[] => ['atlas', specPath, '--storage', url, '--out', out, '--threads', '1', '--heartbeat-timeout', String(TIMEOUT_S)];

        const alone = await start('solo', atlasArgs(await cluster!.fresh(), path.join(dir, 'solo'))).done;
        assert.equal(alone.code, 0, alone.stderr);
        const url = await cluster!.fresh();
        const workers = ['w1', 'w2', 'w3'].map((id) => start(id, atlasArgs(url, path.join(dir, id))));
        const kill = await killOneMidTrial(url, workers, 0);
        const outs = await Promise.all(workers.map((w) => w.done));
        const survivors = workers.filter((w) => w !== kill.victim);
        for (const w of survivors) assert.equal(outs[workers.indexOf(w)].code, 0, `${w.id}: ${outs[workers.indexOf(w)].stderr}`);
        await checkAttempts(url, kill);
        assert.ok(
          survivors.some((w) => new RegExp(`waiting for another worker: .*wine/[^ ]+ grid on ${kill.victim.id} pid ${kill.victim.child.pid}`).test(outs[workers.indexOf(w)].stderr)),
          `the idle worker said it waited on the killed worker's cell:\n${survivors.map((w) => outs[workers.indexOf(w)].stderr).join('\n')}`,
        );

        const written = survivors.filter((w) => fs.existsSync(path.join(dir, w.id, 'index.html')));
        assert.equal(written.length, 1, 'exactly one worker wrote the report');
        assert.ok(!fs.existsSync(path.join(dir, kill.victim.id, 'index.html')));
        const other = survivors.find((w) => w !== written[0])!;
        assert.match(outs[workers.indexOf(other)].stdout, new RegExp(`report: written by the worker ${written[0].id} pid ${written[0].child.pid}`));

        type Report = { cells: { cell: { id: string }; results: { grid: { status: string; best_lambda: number; test_loss: number; curve: { val_mean: number }[] } } }[] };
        const solo = JSON.parse(fs.readFileSync(path.join(dir, 'solo', 'atlas.json'), 'utf8')) as Report;
        const shared = JSON.parse(fs.readFileSync(path.join(dir, written[0].id, 'atlas.json'), 'utf8')) as Report;
        assert.equal(shared.cells.length, 2);
        shared.cells.forEach((c, i) => {
          const ref = solo.cells[i].results.grid;
          assert.equal(c.cell.id, solo.cells[i].cell.id);
          assert.equal(c.results.grid.status, 'done');
          assert.equal(c.results.grid.best_lambda, ref.best_lambda, c.cell.id);
          assert.ok(Math.abs(c.results.grid.test_loss - ref.test_loss) < 1e-9, `${c.cell.id}: test loss ${c.results.grid.test_loss} vs ${ref.test_loss}`);
          c.results.grid.curve.forEach((p, j) => assert.ok(Math.abs(p.val_mean - ref.curve[j].val_mean) < 1e-9));
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
