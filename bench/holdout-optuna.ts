/**
 * bench:tune's Optuna section (issue 22's measure, issue 21's PyTorch rows). Per problem and seed
 * (the seed moves the split, the initialization and the samplers), two comparisons on the same rows:
 * - l2lab row: `tune --strategy bayes` (l2lab's own training) against Optuna (TPE + MedianPruner on
 *   the PyTorch function); each λ refitted by l2lab and scored on the test split, against l2lab's
 *   refit at its own 25-point hold-out grid's λ;
 * - PyTorch row: the same PyTorch function (test/ref/torch_lambda.py) driven by l2lab's ask/report/tell
 *   (the Python client against `l2lab serve`) and by Optuna; each λ refitted by that function, against
 *   its refit at the PyTorch grid's λ.
 * Each refit is one draw of SGD, so every λ is refitted with the run's own training seed and 4 others
 * and regret compares the mean test losses (bench/holdout-refit-noise.ts); the spread at the grid's λ
 * is `refit_noise` (relative SD), and the regret of the run's own refits alone stays as a secondary
 * figure (`*_test_regret_single_median`).
 * Compute: epochs over the training split in all, as a share of the grid's epochs (each tool against
 * the grid of its own training code); also epochs until the best-so-far hold-out loss is within the
 * noise bar, and (secondary) within 1%, of the grid's best.
 * BENCH_PROBLEMS (comma list of PROBLEMS' names), BENCH_SEEDS (default 1,2,3,4,5) and BENCH_TRIALS
 * (l2lab's; Optuna gets twice as many) and BENCH_ROWS (l2lab, pytorch or both, the default) choose what runs. The reference side is cached
 * (bench/holdout-reference.ts); BENCH_REFERENCE_ONLY=1 only fills the cache. l2lab's side never is.
 * BENCH_REFERENCE_SOURCE=HASH reads references computed by other code (see referenceSource).
 */
import fs from 'node:fs';
import path from 'node:path';
import { openStorage } from '../src/study/index.js';
import { logSpace } from '../src/tune/closed-form/ridge.js';
import { createSetup, usePopulation } from '../src/tune/setup.js';
import type { TuneOptions, TuneResult } from '../src/tune/strategy.js';
import { bayesDesign, decadeFirst } from '../src/tune/strategies/bayes.js';
import { tune } from '../src/tune/tune.js';
import { epochsToWithin, meanRegret, noiseBar, testRegret, type LambdaInterval, type Run } from './holdout-measure.js';
import { PROBLEMS } from './holdout-problems.js';
import { startServeChild, type ServeChild } from '../test/support/serve-child.js';
import { reference, refitAt, runTorch, sourceHash, writeSplit, type Reference, type TorchTrial } from './holdout-reference.js';
import { l2labRefitLosses, relativeSpread, torchRefitLosses } from './holdout-refit-noise.js';
import { markdownTable, seedLine, summarize, type SeedRow, type ToolRow } from './holdout-table.js';

const RANGE = { lo: 0.01, hi: 1e4, n: 25 };

/** The sizes of bayes's opening populations in the order they trained, given its first trial (decadeFirst splits the points around the guess by it). */
function openingBlocks(batches: number[][], first: { cv_mean: number | null; train_mean: number | null }): number[] {
  const [head, ...around] = batches;
  const point = { mean: first.cv_mean ?? NaN, trainMean: first.train_mean ?? NaN };
  return [head.length, ...around.flatMap((b) => decadeFirst(b, head[0], point).map((x) => x.length))];
}

/** A tune result's trials (sorted by λ) in the order they ran: the study's trial numbers. */
async function inRunOrder<T extends { lambda: number }>(storage: string, study: string, trials: readonly T[]): Promise<T[]> {
  const s = await openStorage(storage);
  try {
    const st = await s.getStudy(study);
    const stored = await s.listTrials(st!.id);
    return stored.sort((a, b) => a.number - b.number).map((t) => trials.find((r) => r.lambda === t.params.lambda)!);
  } finally {
    await s.close();
  }
}


/** A tool's figures from its run against a grid: its λ, its regret (refit test losses over seeds at its λ against at the grid's, the run's own seed first), epochs in all, to the noise bar and to 1%. */
function toolRow(run: Run, lambda: number, losses: readonly number[], gridLosses: readonly number[], gridBest: number, bar: number): ToolRow {
  return { lambda, test_regret: meanRegret(losses, gridLosses), test_regret_single: testRegret(losses[0], gridLosses[0]), epochs: run.epochs.reduce((a, e) => a + e, 0), epochs_to_noise: epochsToWithin(run, gridBest, bar), epochs_to_1pct: epochsToWithin(run, gridBest), trials: run.value.length, pruned: run.value.filter((v) => v === null).length };
}

const torchRun = (trials: readonly TorchTrial[]): Run => ({ value: trials.map((t) => (t.state === 'COMPLETE' ? t.value : null)), epochs: trials.map((t) => t.epochs), blocks: [] });

/** The l2lab row of one seed: bayes through tune against Optuna, both refitted by l2lab. */
async function l2labRow(id: string, seed: number, o: Omit<TuneOptions, 'strategy'>, ref: Reference, trials: number, storage: string): Promise<SeedRow> {
  const gridBest = Math.min(...ref.grid.map((t) => t.cv_mean ?? Infinity));
  const b = await tune({ ...o, strategy: 'bayes', logRange: RANGE, trials, study: `${id}-bayes` });
  const setup = createSetup(o, o);
  const ran = await inRunOrder(storage, `${id}-bayes`, b.trials);
  const run: Run = {
    value: ran.map((t) => (t.state === 'COMPLETE' ? t.cv_mean : null)),
    epochs: ran.map((t) => t.epochs_trained ?? 0),
    blocks: usePopulation(setup.architecture(0)) ? openingBlocks(bayesDesign(setup, RANGE, trials).batches, ran[0]) : [],
  };
  const torchBest = Math.min(...ref.torch.grid.map((t) => t.value));
  const [atGrid, atOptuna] = [await refitAt(id, o, ref.grid_lambda, 'grid'), await refitAt(id, o, ref.torch.best_lambda, 'optuna')];
  const grid = await l2labRefitLosses(o, atGrid, atGrid.test_loss);
  const optuna = await l2labRefitLosses(o, atOptuna, atOptuna.test_loss);
  return {
    seed,
    grid_lambda: ref.grid_lambda,
    grid_epochs: ref.grid.reduce((a, t) => a + (t.epochs_trained ?? 0), 0),
    optuna_grid_epochs: ref.torch.grid.reduce((a, t) => a + t.epochs, 0),
    bayes: toolRow(run, b.best_lambda, await l2labRefitLosses(o, b.refit, b.refit.test_loss), grid, gridBest, noiseBar(ref.neighbours.l2lab, gridBest)),
    optuna: toolRow(torchRun(ref.torch.trials), ref.torch.best_lambda, optuna, grid, torchBest, noiseBar(ref.neighbours.torch, torchBest)),
    interval: b.lambda_interval,
    refit_noise: relativeSpread(grid),
  };
}

/** The PyTorch grid's λ: its trial with the lowest hold-out loss. */
const torchGridLambda = (ref: Reference): number => ref.torch.grid.reduce((a, t) => (t.value < a.value ? t : a)).lambda;

/** The PyTorch row of one seed: the PyTorch function driven by l2lab's ask/report/tell (Python client over HTTP) against Optuna, both refitted by that function. */
function torchRow(id: string, seed: number, o: Omit<TuneOptions, 'strategy'>, ref: Reference, trials: number, server: Server, dir: string, source: string): SeedRow {
  const split = path.join(dir, `${id}-ask`);
  writeSplit(split, { ...o, strategy: 'grid' }, { grid: logSpace(RANGE.lo, RANGE.hi, RANGE.n), l2lab_trials: trials });
  const ask = runTorch<{ trials: TorchTrial[]; best_lambda: number; best: { lambda_interval?: LambdaInterval } }>(split, 'l2lab', server.url, server.tokenFile, `${id}-ask`);
  const gridLambda = torchGridLambda(ref);
  const [grid, optuna, atAsk] = torchRefitLosses(id, o, [gridLambda, ref.torch.best_lambda, ask.best_lambda], ref, dir, source);
  const best = Math.min(...ref.torch.grid.map((t) => t.value));
  const bar = noiseBar(ref.neighbours.torch, best);
  const gridEpochs = ref.torch.grid.reduce((a, t) => a + t.epochs, 0);
  return {
    seed,
    grid_lambda: gridLambda,
    grid_epochs: gridEpochs,
    optuna_grid_epochs: gridEpochs,
    bayes: toolRow(torchRun(ask.trials), ask.best_lambda, atAsk, grid, best, bar),
    optuna: toolRow(torchRun(ref.torch.trials), ref.torch.best_lambda, optuna, grid, best, bar),
    interval: ask.best.lambda_interval,
    refit_noise: relativeSpread(grid),
  };
}

interface Server extends ServeChild {
  tokenFile: string;
}

/** `l2lab serve` on a free port with a token file, for the ask side; resolves once it listens. */
async function serve(dir: string): Promise<Server> {
  const tokenFile = path.join(dir, 'token.txt');
  fs.writeFileSync(tokenFile, `bench-${process.pid}-${Date.now()}-token`);
  return { ...(await startServeChild(path.join(dir, 'ask.db'), tokenFile, ['--heartbeat-timeout', '86400'])), tokenFile };
}

/**
 * The source hash the cached references must carry: this code's, or BENCH_REFERENCE_SOURCE's when
 * it names another (references computed by a commit whose training code differs from this one only
 * where the choice of the cache's SOURCES is too coarse, e.g. a refactor). Said aloud, and both hashes
 * go into every JSON line, so a table never passes off another code's references silently.
 */
function referenceSource(): string {
  const own = sourceHash();
  const accepted = process.env.BENCH_REFERENCE_SOURCE;
  if (accepted === undefined || accepted === own) return own;
  console.log(`BENCH_REFERENCE_SOURCE=${accepted}: reading references computed by other code (this code hashes to ${own})`);
  return accepted;
}

/** Runs every problem × seed; prints a line per seed and row, then a JSON line per problem and row, and the markdown table; returns the summaries. */
export async function benchHoldoutOptuna(dir: string, storage: string): Promise<Record<string, unknown>[]> {
  const names = (process.env.BENCH_PROBLEMS ?? PROBLEMS.map((p) => p.name).join(',')).split(',');
  const seeds = (process.env.BENCH_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
  const trials = Number(process.env.BENCH_TRIALS ?? 15);
  const referenceOnly = process.env.BENCH_REFERENCE_ONLY === '1';
  const kinds = (process.env.BENCH_ROWS ?? 'l2lab,pytorch').split(',');
  const source = referenceSource();
  const server = referenceOnly ? undefined : await serve(dir);
  const summaries: Record<string, unknown>[] = [];
  try {
    for (const p of PROBLEMS.filter((q) => names.includes(q.name))) {
      const data = p.data();
      const rows: { l2lab: SeedRow[]; pytorch: SeedRow[] } = { l2lab: [], pytorch: [] };
      for (const seed of seeds) {
        const o = { ...p.base, data, seed, storage };
        const id = `${p.name}-s${seed}`;
        const ref = await reference(id, o, logSpace(RANGE.lo, RANGE.hi, RANGE.n), 2 * trials, dir, source);
        const [torchGrid] = torchRefitLosses(id, o, [torchGridLambda(ref), ref.torch.best_lambda], ref, dir, source);
        console.log(`${id}: reference ready (source ${source}, computed at ${ref.commit}, ${ref.computed_at}); PyTorch refit test losses at its grid's λ over training seeds: ${torchGrid.map((v) => v.toFixed(4)).join(', ')}`);
        if (server === undefined) continue;
        if (kinds.includes('l2lab')) {
          rows.l2lab.push(await l2labRow(id, seed, o, ref, trials, storage));
          console.log(seedLine(`${id} l2lab`, rows.l2lab.at(-1)!));
        }
        if (kinds.includes('pytorch')) {
          rows.pytorch.push(torchRow(id, seed, o, ref, trials, server, dir, source));
          console.log(seedLine(`${id} pytorch`, rows.pytorch.at(-1)!));
        }
      }
      if (server === undefined) continue;
      for (const [kind, r] of Object.entries(rows).filter(([, r]) => r.length > 0)) {
        const s = { ...summarize(kind === 'l2lab' ? p.name : `${p.name} (PyTorch)`, r), reference_source: source, code_source: sourceHash() };
        console.log(JSON.stringify(s));
        summaries.push(s);
      }
    }
  } finally {
    await server?.stop();
  }
  if (summaries.length > 0) console.log(markdownTable(summaries));
  return summaries;
}
