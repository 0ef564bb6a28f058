/**
 * The noise of test regret's yardstick (bench:tune's Optuna section). Regret compares one refit at a
 * tool's λ with one refit at the grid's λ; each refit is one draw of SGD. Here the refit at the grid's
 * λ is retrained with other training seeds (initialization and minibatch order; the split, the rows
 * and λ unchanged) and scored on the test split: the spread of those test losses is how far a regret
 * can move with no change of λ at all. By l2lab (as tune refits) and by the PyTorch function (its
 * refit mode), each at its own grid's λ.
 * Cached in bench/cache/holdout-<id>-refit-noise.json, keyed on the options, the λ and the source
 * hash of the references (bench/holdout-reference.ts), computed when missing or stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateParams } from '../src/train/fit.js';
import { train } from '../src/train/trainer.js';
import { createSetup } from '../src/tune/setup.js';
import type { TuneOptions } from '../src/tune/strategy.js';
import { runTorch, writeSplit, type Reference } from './holdout-reference.js';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)));

/** Training seeds beside the run's own: seed·1000 + 1 … + OTHER_SEEDS. */
const OTHER_SEEDS = 4;

/** Test losses of the refit at each grid's λ: the run's own seed first (the reference's refit), then the other training seeds. */
export interface RefitNoise {
  key: Record<string, unknown>;
  l2lab: number[];
  torch: number[];
}

/** The relative spread of refit test losses: sample standard deviation over the mean. */
export function relativeSpread(losses: readonly number[]): number {
  const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
  const sd = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1));
  return sd / mean;
}

/** l2lab's refit at λ (every training row, the penalty for their m, the run plan's epochs) with the training seed `seed`: its test loss. */
async function l2labRefit(o: Omit<TuneOptions, 'strategy'>, lambda: number, seed: number): Promise<number> {
  const setup = createSetup(o, o);
  const arch = setup.architecture(0);
  const r = await train(setup.train, undefined, { ...setup.trainOptions(arch), seed, members: [{ penalty: setup.plan.coefficients(lambda, setup.train.n), lr: setup.plan.lr }] });
  return (await evaluateParams(arch, r.members[0].params, setup.test, setup.threads)).loss;
}

/** The refit noise of one (problem, seed): read from the cache when its key matches, computed otherwise. */
export async function refitNoise(id: string, o: Omit<TuneOptions, 'strategy'>, ref: Reference, dir: string, source: string): Promise<RefitNoise> {
  const file = path.join(here, 'cache', `holdout-${id}-refit-noise.json`);
  const torchLambda = ref.torch.grid.reduce((a, t) => (t.value < a.value ? t : a)).lambda;
  const key = { ...ref.key, l2lab_lambda: ref.grid_lambda, torch_lambda: torchLambda, other_seeds: OTHER_SEEDS, source };
  if (process.env.BENCH_REFRESH !== '1' && fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as RefitNoise;
    if (JSON.stringify(cached.key) === JSON.stringify(key)) return cached;
  }
  const seeds = Array.from({ length: OTHER_SEEDS }, (_, i) => (o.seed ?? 0) * 1000 + i + 1);
  const l2lab = [ref.refit_test_loss.l2lab.grid];
  for (const s of seeds) l2lab.push(await l2labRefit(o, ref.grid_lambda, s));
  const split = path.join(dir, `${id}-refit-noise`);
  const torch = [ref.refit_test_loss.torch.grid];
  for (const s of seeds) {
    // meta.seed seeds torch_lambda.py's initialization and minibatch order; the rows are l2lab's split.
    writeSplit(split, { ...o, strategy: 'grid' }, { refit: [torchLambda], seed: s });
    torch.push(runTorch<{ refit: { test_loss: number }[] }>(split, 'refit').refit[0].test_loss);
  }
  const noise = { key, l2lab, torch };
  fs.writeFileSync(file, `${JSON.stringify(noise, null, 1)}\n`);
  return noise;
}
