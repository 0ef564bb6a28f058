/**
 * The noise of test regret's yardstick (bench:tune's Optuna section). Regret compares one refit at a
 * tool's λ with one refit at the grid's λ; each refit is one draw of SGD. Here the refit at the grid's
 * λ is retrained with other training seeds (initialization and minibatch order; the split, the rows
 * and λ unchanged) and scored on the test split: the spread of those test losses is how far a regret
 * can move with no change of λ at all. By l2lab (as tune refits) and by the PyTorch function (its
 * refit mode), each at its own grid's λ. The PyTorch side is cached in
 * bench/cache/holdout-<id>-refit-noise.json, keyed on the options, the λ and the source hash of the
 * references (bench/holdout-reference.ts); l2lab's side never is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Architecture } from '../src/models/architecture.js';
import { refitHere } from '../src/tune/refit.js';
import { createSetup } from '../src/tune/setup.js';
import type { Refit } from '../src/tune/trials/trial-result.js';
import type { TuneOptions } from '../src/tune/strategy.js';
import { runTorch, writeSplit, type Reference } from './holdout-reference.js';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)));

/** Training seeds beside the run's own. */
const OTHER_SEEDS = 4;

/** The PyTorch side's cache entry: test losses of the refit at its grid's λ, the run's own seed first (the reference's refit), then the other training seeds. */
interface TorchRefitNoise {
  key: Record<string, unknown>;
  torch: number[];
}

/** The relative spread of refit test losses: sample standard deviation over the mean. */
export function relativeSpread(losses: readonly number[]): number {
  const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
  const sd = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1));
  return sd / mean;
}

/** The other training seeds of a run: seed·1000 + 1 … + OTHER_SEEDS. */
const otherSeeds = (seed: number | undefined): number[] => Array.from({ length: OTHER_SEEDS }, (_, i) => (seed ?? 0) * 1000 + i + 1);

/**
 * l2lab's refit `at` (tune's, on the run's own seed) retrained with the other training seeds, as tune
 * refits (every training row, the refit member, the epochs `at` trained): the test losses, `at`'s first.
 * Not cached: tune's refit rule is l2lab's code under test.
 */
export async function l2labRefitNoise(o: Omit<TuneOptions, 'strategy'>, at: Refit): Promise<number[]> {
  const setup = createSetup(o, o);
  const losses = [at.test_loss];
  for (const seed of otherSeeds(o.seed)) {
    // tune's own refit, on a setup whose training (not its split) has another seed.
    const seeded = { ...setup, trainOptions: (arch: Architecture) => ({ ...setup.trainOptions(arch), seed }) };
    const { refit } = await refitHere({ setup: seeded, cost: { sampleGrads: 0, passes: 0, seconds: 0 }, foldSolutions: new Map() }, { lambda: at.lambda, dropout: at.dropout }, at.epochs);
    losses.push(refit.test_loss);
  }
  return losses;
}

/** The PyTorch function's refit at its grid's λ over training seeds (its own seed's first): read from the cache when its key matches, computed otherwise. */
export async function torchRefitNoise(id: string, o: Omit<TuneOptions, 'strategy'>, ref: Reference, dir: string, source: string): Promise<number[]> {
  const file = path.join(here, 'cache', `holdout-${id}-refit-noise.json`);
  const torchLambda = ref.torch.grid.reduce((a, t) => (t.value < a.value ? t : a)).lambda;
  const key = { ...ref.key, l2lab_lambda: ref.grid_lambda, torch_lambda: torchLambda, other_seeds: OTHER_SEEDS, source };
  if (process.env.BENCH_REFRESH !== '1' && fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as TorchRefitNoise;
    if (JSON.stringify(cached.key) === JSON.stringify(key)) return cached.torch;
  }
  const split = path.join(dir, `${id}-refit-noise`);
  const torch = [ref.refit_test_loss.torch.grid];
  for (const seed of otherSeeds(o.seed)) {
    // meta.seed seeds torch_lambda.py's initialization and minibatch order; the rows are l2lab's split.
    writeSplit(split, { ...o, strategy: 'grid' }, { refit: [torchLambda], seed });
    torch.push(runTorch<{ refit: { test_loss: number }[] }>(split, 'refit').refit[0].test_loss);
  }
  fs.writeFileSync(file, `${JSON.stringify({ key, torch } satisfies TorchRefitNoise, null, 1)}\n`);
  return torch;
}
