/**
 * The ask/tell protocol with a real framework, through each door: PyTorch (Debian's python3-torch)
 * tunes `weight_decay` of an MLP on 4,000 Fashion-MNIST rows with the one `train_one` of
 * examples/pytorch_weight_decay.py, driven by (1) the Python client over `l2lab serve`'s HTTP API,
 * (2) a shell loop over `l2lab ask/report/tell` (examples/shell_weight_decay.sh), (3) TypeScript
 * spawning a child PyTorch process per trial (examples/typescript-driver.ts). Then: every pruned
 * trial was pruned only once its λ had acted (epoch ≥ τ), the three studies read back identical
 * through `l2lab show --json` (the same deterministic training, the same decisions), and the chosen
 * λ's test loss is within the seed-to-seed noise of a PyTorch grid over the same range.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { fashionMnistAvailable } from '../../src/data/fashion-mnist.js';
import { lambdaTimescaleEpochs } from '../../src/plan/timescale.js';
import { l2lab, ROOT } from '../cli/helpers.js';
import { startServeChild, type ServeChild } from '../support/serve-child.js';
import { missingPython, PYTHON, runPython } from '../support/python.js';

const skip =
  missingPython(['torch']) ??
  (fashionMnistAvailable() ? undefined : 'Fashion-MNIST is not installed: apt-get install -y dataset-fashion-mnist') ??
  (spawnSync('jq', ['--version']).status === 0 ? undefined : 'jq is not installed (the shell example parses JSON with it): apt-get install -y jq');

/** The loop's settings, as examples/pytorch_weight_decay.py (SETTINGS), examples/shell_weight_decay.sh and examples/typescript-driver.ts give them. */
const M = 4000;
const BATCH = 128;
const LR = 0.05;
const MOMENTUM = 0.9;
const EPOCHS = 4;
const RANGE = { lo: 1e-4, hi: 1e-1, n: 4 };
const TRIALS = 5;
const GRID = Array.from({ length: RANGE.n }, (_, i) => RANGE.lo * (RANGE.hi / RANGE.lo) ** (i / (RANGE.n - 1)));
const SEEDS = [0, 1, 2];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-doors-'));
const env = { ...process.env, L2LAB_THREADS: '1', TSX_TSCONFIG_PATH: path.join(ROOT, 'test/support/tsconfig.examples.json') };
const store = (door: string): string => path.join(dir, `${door}.db`);

/** Runs a program to its end (rejecting on a non-zero exit, with its output): stdout. The 10-minute bound is for a machine loaded many times over (the shell door alone took 4 minutes at a load of 20 on 2 cores; about 1 when idle). */
function run(file: string, args: string[], extra: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 600_000, maxBuffer: 16 << 20 }, (error, stdout) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed (exit ${String(error.code)}, signal ${String(error.signal)}): ${error.message}\nits output:\n${stdout}`));
      else resolve(stdout);
    });
  });
}

/** `l2lab serve` over `storage` with the token in `tokenFile`, which it must not print. */
async function serve(storage: string, tokenFile: string): Promise<ServeChild> {
  const server = await startServeChild(storage, tokenFile, [], env);
  assert.doesNotMatch(server.banner, new RegExp(fs.readFileSync(tokenFile, 'utf8').trim()), 'a token read from --token-file is not printed');
  return server;
}

interface ShownTrial {
  number: number;
  params: { lambda: number };
  state: string;
  value: number | null;
  reason: string | null;
  intermediate: { step: number; value: number; extra: unknown }[];
}

async function show(storage: string, study: string): Promise<{ trials: ShownTrial[]; best_lambda: number | null }> {
  const r = await l2lab('show', study, '--storage', storage, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** What must be equal across doors: each trial's λ, state, value, reason and every reported epoch. */
function comparable(trials: ShownTrial[]): unknown {
  return trials.map((t) => ({ number: t.number, lambda: t.params.lambda, state: t.state, value: t.value, reason: t.reason, reports: t.intermediate.map((v) => [v.step, v.value, v.extra]) }));
}

type Door = 'http' | 'shell' | 'typescript';

/** The Python client over `l2lab serve`, started as a user would, with --token-file: what the example printed. */
async function overHttp(): Promise<string> {
  const tokenFile = path.join(dir, 'token.txt');
  fs.writeFileSync(tokenFile, 'doors-test-token-0123456789\n');
  const server = await serve(store('http'), tokenFile);
  try {
    return await run(PYTHON, ['examples/pytorch_weight_decay.py', '--url', server.url, '--token-file', tokenFile, '--study', 'wd', '--epochs', String(EPOCHS), '--log-range', `${RANGE.lo}:${RANGE.hi}:${RANGE.n}`, '--trials', String(TRIALS)]);
  } finally {
    assert.equal(await server.stop(), 0, 'serve stops cleanly on SIGTERM');
  }
}

const DOORS: Record<Door, () => Promise<string>> = {
  http: overHttp,
  shell: () => run('bash', ['examples/shell_weight_decay.sh'], { STUDY: 'wd', STORAGE: store('shell'), EPOCHS: String(EPOCHS), TRIALS: String(TRIALS), L2LAB: `${process.execPath} --import tsx ${path.join(ROOT, 'src/cli/main.ts')}` }),
  typescript: () => run(process.execPath, ['--import', 'tsx', 'examples/typescript-driver.ts', store('typescript'), 'wd']),
};

describe('tuning PyTorch weight_decay through every door', { skip }, () => {
  // The three doors run side by side (separate stores); each test below waits for its own.
  const printed = {} as Record<Door, Promise<string>>;
  before(() => {
    for (const door of Object.keys(DOORS) as Door[]) {
      printed[door] = DOORS[door]();
      printed[door].catch(() => undefined); // reported by the door's own test
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const BEST = /^best weight_decay [\d.e-]+ \(λ = [\d.e+-]+\), val loss \d\.\d+$/m;
  it('Python client over HTTP (l2lab serve --token-file)', async () => assert.match(await printed.http, BEST));
  it('a shell loop over l2lab ask / report / tell', async () => assert.match(await printed.shell, BEST));
  it('TypeScript driving a child PyTorch process per trial', async () => assert.match(await printed.typescript, BEST));

  describe('the three studies', () => {
    const shown = {} as Record<Door, Awaited<ReturnType<typeof show>>>;
    before(async () => {
      for (const door of Object.keys(DOORS) as Door[]) {
        await printed[door];
        shown[door] = await show(store(door), 'wd');
      }
    });

    it('read back identical through l2lab show --json', () => {
      assert.equal(shown.http.trials.length, TRIALS);
      assert.ok(shown.http.trials.every((t) => t.state === 'COMPLETE' || t.state === 'PRUNED'), JSON.stringify(shown.http.trials.map((t) => t.state)));
      assert.deepEqual(comparable(shown.shell.trials), comparable(shown.http.trials));
      assert.deepEqual(comparable(shown.typescript.trials), comparable(shown.http.trials));
      assert.equal(shown.shell.best_lambda, shown.http.best_lambda);
    });

    it('pruned trials only once their λ had acted (epoch ≥ τ), and pruned some', () => {
      const pruned = shown.http.trials.filter((x) => x.state === 'PRUNED');
      assert.ok(pruned.length > 0, 'no trial was pruned: the check below would be empty');
      for (const t of pruned) {
        // A pytorch study stores λ in its own units: params.lambda is the weight_decay.
        const tau = lambdaTimescaleEpochs({ optimizer: { name: 'momentum', momentum: MOMENTUM }, lr: LR, coupled: t.params.lambda, decoupled: 0 }, Math.ceil(M / BATCH));
        const last = t.intermediate.at(-1)!.step;
        assert.ok(tau <= EPOCHS && last >= Math.ceil(tau), `trial ${t.number} (weight_decay ${t.params.lambda}) pruned at epoch ${last} with τ = ${tau}`);
        assert.match(t.reason ?? '', /τ = /);
      }
    });

    it("chose a λ whose test loss is within the seed-to-seed noise of a PyTorch grid over the range", (t) => {
      const chosen = shown.http.best_lambda!;
      const grid = JSON.parse(runPython('torch_weight_decay_grid.py', ['--values', [...GRID, chosen].join(','), '--seeds', SEEDS.join(','), '--epochs', String(EPOCHS)])) as { test_loss: number[][] };
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
      const losses = grid.test_loss.slice(0, GRID.length);
      // The noise: the typical seed-to-seed standard deviation of the test loss at one value.
      const noise = mean(losses.map(sd));
      const bestOfGrid = Math.min(...losses.map(mean));
      const ours = mean(grid.test_loss[GRID.length]);
      const summary = `chosen weight_decay ${chosen.toPrecision(3)}: test loss ${ours.toFixed(4)} (mean of ${SEEDS.length} seeds); grid ${GRID.map((v) => v.toPrecision(2)).join(', ')}: best ${bestOfGrid.toFixed(4)}; noise (seed sd) ${noise.toFixed(4)}`;
      assert.ok(ours <= bestOfGrid + 2 * noise, summary);
      t.diagnostic(summary);
    });
  });
});
