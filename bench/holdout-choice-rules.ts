/**
 * `node --import tsx bench/holdout-choice-rules.ts DIR`: issue 22's "choice that survives noise",
 * rules measured on the searches a `BENCH_ONLY=optuna npm run bench:tune` run left in DIR (its
 * temporary folder, printed nowhere: the newest /tmp/l2lab-bench-tune-*). bayes's search does not
 * depend on the final rule (its proposals and its stop read the trials, not the choice), so each rule
 * applied to the same finished trials is what tune would have answered with it. Each rule's λ is
 * refitted as tune refits (the chosen trial's early-stopped epochs) with the run's own training seed
 * and 4 others, and its regret is the mean test loss against the mean at the hold-out grid's λ, as in
 * the bench's l2lab rows. Rules, in log10 λ over the finished trials, when the process reads a wide
 * noise span (otherwise every rule keeps the lowest draw, as tune does):
 * - `min`: the trial where the process's latent curve is lowest (tune's λ_min today);
 * - `half-sd`: the largest λ whose latent mean is within half the learned noise SD of that lowest;
 * - `1se`: the largest λ inside the posterior band at z = 1.5 (tune's λ_1se).
 * BENCH_PROBLEMS and BENCH_SEEDS as in bench:tune. Prints a line per seed and a JSON line per problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openStorage } from '../src/study/index.js';
import { BAND_Z, NOISE_SPAN, chooseWithInterval, observationsOf, posteriorRange } from '../src/tune/lambda-interval.js';
import { BayesSampler } from '../src/tune/samplers/bayes-sampler.js';
import { refitEpochs } from '../src/tune/refit.js';
import { createSetup } from '../src/tune/setup.js';
import { trialPoint, type TrialPoint } from '../src/tune/trials/study-run.js';
import { median, meanRegret } from './holdout-measure.js';
import { PROBLEMS } from './holdout-problems.js';
import { refitAt, type Reference } from './holdout-reference.js';
import { l2labRefitLosses } from './holdout-refit-noise.js';

const RANGE = { lo: 0.01, hi: 1e4 };
const RULES = ['min', 'half-sd', '1se'] as const;
type Rule = (typeof RULES)[number];

/** Each rule's trial among a bayes study's points (in run order). */
function choices(points: readonly TrialPoint[]): Record<Rule, TrialPoint> {
  const c = chooseWithInterval(points, { posterior: posteriorRange('bayes', RANGE) })!;
  const finished = c.curve.filter((p) => p.lambda > 0);
  const sampler = new BayesSampler({ lo: Math.log10(RANGE.lo), hi: Math.log10(RANGE.hi) });
  const observations = observationsOf(points.filter((p) => p.dropout === c.dropout && p.lambda > 0));
  const noise = sampler.noise(observations);
  if (10 ** (noise.hi - noise.lo) < NOISE_SPAN) return { min: c.best, 'half-sd': c.best, '1se': c.best };
  const latent = (p: TrialPoint) => sampler.posteriorChoice(observations, [Math.log10(p.lambda)], BAND_Z).mean;
  const lowest = latent(c.best);
  const halfSd = finished.filter((p) => latent(p) <= lowest + noise.std / 2).reduce((a, b) => (b.lambda > a.lambda ? b : a), c.best);
  return { min: c.best, 'half-sd': halfSd, '1se': c.oneSe as TrialPoint };
}

async function studyPoints(storage: string, study: string): Promise<TrialPoint[]> {
  const s = await openStorage(storage);
  try {
    const st = await s.getStudy(study);
    if (!st) throw new Error(`no study ${study} in ${storage}: run BENCH_ONLY=optuna npm run bench:tune first and pass its folder`);
    return (await s.listTrials(st.id)).sort((a, b) => a.number - b.number).map(trialPoint);
  } finally {
    await s.close();
  }
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: node --import tsx bench/holdout-choice-rules.ts DIR (the folder of a bench:tune run)');
const storage = path.join(dir, 'bench.db');
const names = (process.env.BENCH_PROBLEMS ?? PROBLEMS.map((p) => p.name).join(',')).split(',');
const seeds = (process.env.BENCH_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
for (const p of PROBLEMS.filter((q) => names.includes(q.name))) {
  const data = p.data();
  const regrets: Record<Rule, number[]> = { min: [], 'half-sd': [], '1se': [] };
  for (const seed of seeds) {
    const o = { ...p.base, data, seed, storage };
    const id = `${p.name}-s${seed}`;
    const chosen = choices(await studyPoints(storage, `${id}-bayes`));
    const setup = createSetup(o, o);
    const gridLambda = (JSON.parse(fs.readFileSync(new URL(`./cache/holdout-${id}.json`, import.meta.url), 'utf8')) as Reference).grid_lambda;
    const atGrid = await refitAt(`${id}-rules`, o, gridLambda, 'grid');
    const grid = await l2labRefitLosses(o, atGrid, atGrid.test_loss);
    const seen = new Map<number, number>();
    const line: string[] = [];
    for (const rule of RULES) {
      const t = chosen[rule];
      if (!seen.has(t.lambda)) seen.set(t.lambda, meanRegret(await l2labRefitLosses(o, { lambda: t.lambda, dropout: t.dropout, epochs: refitEpochs(setup, t) }), grid));
      regrets[rule].push(seen.get(t.lambda)!);
      line.push(`${rule} λ ${t.lambda.toPrecision(3)} ${(100 * seen.get(t.lambda)!).toFixed(1)}%`);
    }
    console.log(`${id}: grid λ ${gridLambda.toPrecision(3)} | ${line.join(' | ')}`);
  }
  console.log(JSON.stringify({ problem: p.name, seeds, ...Object.fromEntries(RULES.map((r) => [`${r}_test_regret_median`, Number(median(regrets[r])!.toPrecision(4))])), ...Object.fromEntries(RULES.map((r) => [`${r}_test_regrets`, regrets[r].map((x) => Number(x.toPrecision(3)))])) }));
}
