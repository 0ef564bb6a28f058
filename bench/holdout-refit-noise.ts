/**
 * The refits that test regret compares (bench:tune's Optuna section), each over several training
 * seeds. One refit is one draw of SGD: retrained with another seed (initialization, minibatch order,
 * dropout; the split, the rows and λ unchanged) its test loss moves by ±3–24% on these problems, as
 * much as the regrets being compared. So every λ a row judges (the grid's, l2lab's, Optuna's) is
 * refitted with the run's own training seed and OTHER_SEEDS more, and regret compares the mean test
 * losses; the spread at the grid's λ is the row's `refit_noise`. By l2lab (as tune refits) for the
 * l2lab rows, by the PyTorch function (its refit mode) for the PyTorch rows. The PyTorch side is cached
 * in bench/cache/holdout-<id>-torch-refits.json per λ, keyed on the options, the seeds and the source
 * hash of the references (bench/holdout-reference.ts); l2lab's side never is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { refitHere } from '../src/tune/refit.js';
import { createSetup, type TuneSetup } from '../src/tune/setup.js';
import type { TuneOptions } from '../src/tune/strategy.js';
import { mean } from './holdout-measure.js';
import { runTorch, writeSplit, type Reference } from './holdout-reference.js';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)));

/** Training seeds beside the run's own. */
const OTHER_SEEDS = 4;

/** The training seeds every λ is refitted with: the run's own first, then seed·1000 + 1 … + OTHER_SEEDS. */
export const refitSeeds = (seed: number | undefined): number[] => [seed ?? 0, ...Array.from({ length: OTHER_SEEDS }, (_, i) => (seed ?? 0) * 1000 + i + 1)];

/** `setup` whose training (initialization, minibatch order, dropout masks; not the split) has another seed. */
export const reseeded = (setup: TuneSetup, seed: number): TuneSetup => ({ ...setup, seed, trainOptions: (arch) => ({ ...setup.trainOptions(arch), seed }) });

/** The PyTorch side's cache: each λ's refit test losses over refitSeeds, keyed by String(λ). */
interface TorchRefits {
  key: Record<string, unknown>;
  losses: Record<string, number[]>;
}

/** The relative spread of refit test losses: sample standard deviation over the mean. */
export function relativeSpread(losses: readonly number[]): number {
  const m = mean(losses);
  return Math.sqrt(losses.reduce((a, b) => a + (b - m) ** 2, 0) / (losses.length - 1)) / m;
}

/**
 * l2lab's refit at `c` as tune refits (every training row, the refit member, `c.epochs` when given)
 * with the run's own training seed and the others: the test losses, the own seed's first (`own`
 * when the caller holds it already: tune's own refit). Not cached: tune's refit rule is l2lab's code under test.
 */
export async function l2labRefitLosses(o: Omit<TuneOptions, 'strategy'>, c: { lambda: number; dropout: number; epochs?: number }, own?: number): Promise<number[]> {
  const setup = createSetup(o, o);
  const refit = async (seed?: number): Promise<number> => {
    // tune's own refit, on a setup whose training (not its split) has another seed.
    const seeded = seed === undefined ? setup : reseeded(setup, seed);
    return (await refitHere({ setup: seeded, cost: { sampleGrads: 0, passes: 0, seconds: 0 }, foldSolutions: new Map() }, c, c.epochs)).refit.test_loss;
  };
  const losses = [own ?? (await refit())];
  for (const seed of refitSeeds(o.seed).slice(1)) losses.push(await refit(seed));
  return losses;
}

/**
 * The PyTorch function's refit test losses at each λ over refitSeeds (one Python run per seed refits
 * every λ not yet cached): read from the cache where its key matches, computed and added otherwise.
 */
export function torchRefitLosses(id: string, o: Omit<TuneOptions, 'strategy'>, lambdas: readonly number[], ref: Reference, dir: string, source: string): number[][] {
  const file = path.join(here, 'cache', `holdout-${id}-torch-refits.json`);
  const key = { ...ref.key, seeds: refitSeeds(o.seed), source };
  let cache: TorchRefits = { key, losses: {} };
  if (process.env.BENCH_REFRESH !== '1' && fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as TorchRefits;
    if (JSON.stringify(cached.key) === JSON.stringify(key)) cache = cached;
  }
  const missing = [...new Set(lambdas.map(String))].filter((l) => cache.losses[l] === undefined);
  if (missing.length > 0) {
    const split = path.join(dir, `${id}-refits`);
    const bySeed = refitSeeds(o.seed).map((seed) => {
      // meta.seed seeds torch_lambda.py's initialization and minibatch order; the rows are l2lab's split.
      writeSplit(split, { ...o, strategy: 'grid' }, { refit: missing.map(Number), seed });
      return runTorch<{ refit: { test_loss: number }[] }>(split, 'refit').refit.map((r) => r.test_loss);
    });
    missing.forEach((l, i) => (cache.losses[l] = bySeed.map((losses) => losses[i])));
    fs.writeFileSync(file, `${JSON.stringify(cache, null, 1)}\n`);
  }
  return lambdas.map((l) => cache.losses[String(l)]);
}
