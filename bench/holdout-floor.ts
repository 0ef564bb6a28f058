/**
 * `node --import tsx bench/holdout-floor.ts`: the floor of issue 22's measure, the full hold-out grid
 * judged against itself. The same 25-point grid (bench:tune's references, `bench/cache`) is trained
 * again on the same split with another training seed (seed·1000 + 21: initialization and minibatch
 * order; the rows and the hold-out unchanged), its λ_min chosen as tune chooses (lowest hold-out loss,
 * ties to the larger λ) and refitted as tune refits (its trial's scored epochs) over the bench's refit
 * seeds; its regret is that mean test loss against the mean at the reference grid's λ, exactly as the
 * l2lab rows' regret. A tool cannot be asked to beat what the grid itself scores when its SGD draws
 * change: where this floor is above 0, "regret ≤ 0" is a draw. Also: how often the two grids pick the
 * same λ, and how far apart (decades). BENCH_ROWS=pytorch: the PyTorch rows' floor, the PyTorch
 * grid (test/ref/torch_lambda.py) trained again with that seed, its λ refitted by the PyTorch function
 * over the refit seeds (cached per λ in bench/cache, as bench:tune caches them) against its reference
 * grid's λ. Nothing timed; l2lab's side never cached.
 * BENCH_PROBLEMS, BENCH_SEEDS and BENCH_ROWS (l2lab,pytorch) as in bench:tune. A line per seed, a JSON line per problem and row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseLambda } from '../src/tune/choose-lambda.js';
import { scoreConfigs } from '../src/tune/scoring/score.js';
import { createSetup } from '../src/tune/setup.js';
import type { TuneOptions } from '../src/tune/strategy.js';
import { median, meanRegret } from './holdout-measure.js';
import { PROBLEMS } from './holdout-problems.js';
import { refitAt, runTorch, writeSplit, type Reference } from './holdout-reference.js';
import { l2labRefitLosses, reseeded, torchRefitLosses } from './holdout-refit-noise.js';

const names = (process.env.BENCH_PROBLEMS ?? PROBLEMS.map((p) => p.name).join(',')).split(',');
const seeds = (process.env.BENCH_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const kinds = (process.env.BENCH_ROWS ?? 'l2lab').split(',');
const round = (x: number) => Number(x.toPrecision(3));
/** The training seed of the grid trained again: not the run's, not a refit's (seed·1000 + 1 … 4). */
const againSeed = (seed: number) => seed * 1000 + 21;

/** One row's floor on one seed: the grid-again's λ, its regret, how far (decades) from the reference grid's λ. */
interface Floor {
  regret: number;
  decades: number;
  lambda: number;
  grid: number;
}

/** The lowest hold-out loss, ties (within chooseLambda's tolerance) to the larger λ. */
const lowest = <P extends { lambda: number; mean: number }>(points: P[]): P => chooseLambda(points.map((p) => ({ ...p, dropout: 0, se: NaN })))!.best;

/** l2lab's floor: its grid again on the same split with againSeed, refitted as tune refits. */
async function l2labFloor(o: Omit<TuneOptions, 'strategy'>, id: string, seed: number, ref: Reference): Promise<Floor> {
  const setup = createSetup(o, o);
  const scores = await scoreConfigs(reseeded(setup, againSeed(seed)), ref.grid.map((t) => ({ lambda: t.lambda, dropout: 0 })), setup.plan.epochs);
  const again = lowest(scores.map((s) => ({ lambda: s.config.lambda, mean: s.mean, scoredEpoch: s.folds[0].epoch })));
  const epochs = Math.max(1, Math.round(again.scoredEpoch));
  const atGrid = await refitAt(`${id}-floor`, o, ref.grid_lambda, 'grid');
  const grid = await l2labRefitLosses(o, atGrid, atGrid.test_loss);
  const regret = meanRegret(await l2labRefitLosses(o, { lambda: again.lambda, dropout: 0, epochs }), grid);
  console.log(`${id}: reference grid λ ${ref.grid_lambda.toPrecision(3)} (refit ${atGrid.epochs} epochs) | grid again λ ${again.lambda.toPrecision(3)} (refit ${epochs} epochs): regret ${(100 * regret).toFixed(1)}%`);
  return { regret, decades: Math.abs(Math.log10(again.lambda / ref.grid_lambda)), lambda: again.lambda, grid: ref.grid_lambda };
}

/** The PyTorch row's floor: the PyTorch grid again with againSeed, both λ refitted by the PyTorch function (the budget). */
function torchFloor(o: Omit<TuneOptions, 'strategy'>, id: string, seed: number, ref: Reference): Floor {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-floor-'));
  const lambdas = ref.torch.grid.map((t) => t.lambda);
  writeSplit(dir, { ...o, strategy: 'grid' }, { grid: lambdas, seed: againSeed(seed) });
  const values = runTorch<{ grid: { value: number }[] }>(dir, 'grid').grid;
  const again = lowest(values.map((t, i) => ({ lambda: lambdas[i], mean: t.value })));
  const gridLambda = lowest(ref.torch.grid.map((t) => ({ lambda: t.lambda, mean: t.value }))).lambda;
  const source = process.env.BENCH_REFERENCE_SOURCE ?? String(ref.key.source);
  const [grid, at] = torchRefitLosses(id, o, [gridLambda, again.lambda], ref, dir, source);
  const regret = meanRegret(at, grid);
  console.log(`${id} PyTorch: reference grid λ ${gridLambda.toPrecision(3)} | grid again λ ${again.lambda.toPrecision(3)}: regret ${(100 * regret).toFixed(1)}%`);
  return { regret, decades: Math.abs(Math.log10(again.lambda / gridLambda)), lambda: again.lambda, grid: gridLambda };
}

/** A row's JSON line. */
function summary(problem: string, rows: Floor[]): string {
  return JSON.stringify({ problem, seeds, grid_again_test_regret_median: round(median(rows.map((r) => r.regret))!), grid_again_test_regrets: rows.map((r) => round(r.regret)), same_lambda: rows.filter((r) => r.decades < 1e-9).length, decades_apart: rows.map((r) => round(r.decades)), grid_again_lambdas: rows.map((r) => round(r.lambda)), grid_lambdas: rows.map((r) => round(r.grid)) });
}

for (const p of PROBLEMS.filter((q) => names.includes(q.name))) {
  const data = p.data();
  const rows: Record<string, Floor[]> = { l2lab: [], pytorch: [] };
  for (const seed of seeds) {
    const o = { ...p.base, data, seed, storage: ':memory:' };
    const id = `${p.name}-s${seed}`;
    const ref = JSON.parse(fs.readFileSync(new URL(`./cache/holdout-${id}.json`, import.meta.url), 'utf8')) as Reference;
    if (kinds.includes('l2lab')) rows.l2lab.push(await l2labFloor(o, id, seed, ref));
    if (kinds.includes('pytorch')) rows.pytorch.push(torchFloor(o, id, seed, ref));
  }
  if (kinds.includes('l2lab')) console.log(summary(p.name, rows.l2lab));
  if (kinds.includes('pytorch')) console.log(summary(`${p.name} (PyTorch)`, rows.pytorch));
}
