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
 * The PyTorch rows likewise: each rule on the ask study's trials (the server's choice is tune's), its
 * λ refitted by the PyTorch function over the same training seeds (cached per λ in bench/cache).
 * BENCH_ROWS=intervals: no refits, each rule's posterior band (the interval tune would report with
 * it) and whether it holds the grid's λ, both rows.
 * BENCH_PROBLEMS, BENCH_SEEDS and BENCH_ROWS as in bench:tune. Prints a line per seed and a JSON line per problem and row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStorage } from '../src/study/index.js';
import { BAND_Z, NOISE_SPAN, chooseWithInterval, observationsOf, type IntervalPoint } from '../src/tune/lambda-interval.js';
import type { TuneOptions } from '../src/tune/strategy.js';
import { BayesSampler } from '../src/tune/samplers/bayes-sampler.js';
import { refitEpochs } from '../src/tune/refit.js';
import { createSetup } from '../src/tune/setup.js';
import { trialPoint, type TrialPoint } from '../src/tune/trials/study-run.js';
import { median, meanRegret } from './holdout-measure.js';
import { PROBLEMS } from './holdout-problems.js';
import { refitAt, type Reference } from './holdout-reference.js';
import { l2labRefitLosses, torchRefitLosses } from './holdout-refit-noise.js';

const RANGE = { lo: 0.01, hi: 1e4 };
const RULES = ['min', 'half-sd', '1se'] as const;
type Rule = (typeof RULES)[number];

/** Each rule's trial among a bayes study's points (in run order), searched over `range`. */
function choices<P extends IntervalPoint>(points: readonly P[], range = RANGE): Record<Rule, P> {
  const c = chooseWithInterval(points, { posterior: range })!;
  const finished = c.curve.filter((p) => p.lambda > 0);
  const sampler = new BayesSampler({ lo: Math.log10(range.lo), hi: Math.log10(range.hi) });
  const observations = observationsOf(points.filter((p) => p.dropout === c.dropout && p.lambda > 0));
  const noise = sampler.noise(observations);
  if (10 ** (noise.hi - noise.lo) < NOISE_SPAN) return { min: c.best, 'half-sd': c.best, '1se': c.best };
  const latent = (p: P) => sampler.posteriorChoice(observations, [Math.log10(p.lambda)], BAND_Z).mean;
  const lowest = latent(c.best);
  const halfSd = finished.filter((p) => latent(p) <= lowest + noise.std / 2).reduce((a, b) => (b.lambda > a.lambda ? b : a), c.best);
  return { min: c.best, 'half-sd': halfSd, '1se': c.oneSe };
}

/** The posterior band (z = 1.5) around each rule's choice, as tune would report it with that choice: [low, high] in the study's λ units. */
function bands<P extends IntervalPoint>(points: readonly P[], chosen: Record<Rule, P>, range = RANGE): Record<Rule, [number, number]> {
  const sampler = new BayesSampler({ lo: Math.log10(range.lo), hi: Math.log10(range.hi) });
  const observations = observationsOf(points.filter((p) => p.dropout === chosen.min.dropout && p.lambda > 0));
  const band = (p: P): [number, number] => {
    const b = sampler.posteriorBand(observations, Math.log10(p.lambda), BAND_Z);
    return [Math.min(p.lambda, 10 ** b.lo), Math.max(p.lambda, 10 ** b.hi)];
  };
  return Object.fromEntries(RULES.map((r) => [r, band(chosen[r])])) as Record<Rule, [number, number]>;
}

/** An ask study's points as best() reads them (src/ask/best.ts): each COMPLETE trial by its value, each PRUNED one by the best it showed; λ in the study's units (PyTorch's weight decay here). */
async function askPoints(storage: string, study: string): Promise<IntervalPoint[]> {
  const s = await openStorage(storage);
  try {
    const trials = (await s.listTrials((await s.getStudy(study))!.id)).sort((a, b) => a.number - b.number);
    const complete = trials.filter((t) => t.state === 'COMPLETE' && t.value !== null).map((t) => ({ lambda: t.params.lambda, dropout: 0, rung: null, mean: t.value!, se: NaN }));
    const pruned = trials.filter((t) => t.state === 'PRUNED' && t.value !== null).map((t) => ({ lambda: t.params.lambda, dropout: 0, rung: null, mean: NaN, se: NaN, state: 'PRUNED', prunedValue: t.value! }));
    return [...complete, ...pruned];
  } finally {
    await s.close();
  }
}

/** The PyTorch row of one seed: each rule on the ask study's trials, refitted by the PyTorch function over the training seeds (cached per λ, as bench:tune caches them). */
async function torchRules(id: string, o: Omit<TuneOptions, 'strategy'>, ref: Reference, dir: string): Promise<Record<Rule, number> & { line: string }> {
  const m = createSetup(o, o).folds[0].train.length;
  const chosen = choices(await askPoints(path.join(dir, 'ask.db'), `${id}-ask`), { lo: RANGE.lo / m, hi: RANGE.hi / m });
  const lambdas = RULES.map((r) => chosen[r].lambda * m);
  const gridLambda = ref.torch.grid.reduce((a, t) => (t.value < a.value ? t : a)).lambda;
  const source = process.env.BENCH_REFERENCE_SOURCE ?? String(ref.key.source);
  const [grid, ...at] = torchRefitLosses(id, o, [gridLambda, ...lambdas], ref, fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-rules-')), source);
  const regrets = Object.fromEntries(RULES.map((r, i) => [r, meanRegret(at[i], grid)])) as Record<Rule, number>;
  return { ...regrets, line: `PyTorch grid λ ${gridLambda.toPrecision(3)} | ${RULES.map((r, i) => `${r} λ ${lambdas[i].toPrecision(3)} ${(100 * regrets[r]).toFixed(1)}%`).join(' | ')}` };
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
const kinds = (process.env.BENCH_ROWS ?? 'l2lab,pytorch').split(',');
for (const p of PROBLEMS.filter((q) => names.includes(q.name))) {
  const data = p.data();
  const regrets: Record<Rule, number[]> = { min: [], 'half-sd': [], '1se': [] };
  const torchRegrets: Record<Rule, number[]> = { min: [], 'half-sd': [], '1se': [] };
  const covers: Record<Rule, number> = { min: 0, 'half-sd': 0, '1se': 0 };
  const torchCovers: Record<Rule, number> = { min: 0, 'half-sd': 0, '1se': 0 };
  for (const seed of seeds) {
    const o = { ...p.base, data, seed, storage };
    const id = `${p.name}-s${seed}`;
    const ref = JSON.parse(fs.readFileSync(new URL(`./cache/holdout-${id}.json`, import.meta.url), 'utf8')) as Reference;
    if (kinds.includes('intervals')) {
      const points = await studyPoints(storage, `${id}-bayes`);
      const b = bands(points, choices(points));
      const m = createSetup(o, o).folds[0].train.length;
      const range = { lo: RANGE.lo / m, hi: RANGE.hi / m };
      const askPts = await askPoints(path.join(dir, 'ask.db'), `${id}-ask`);
      const tb = bands(askPts, choices(askPts, range), range);
      const torchGrid = ref.torch.grid.reduce((a, t) => (t.value < a.value ? t : a)).lambda / m;
      const inside = (x: number, [lo, hi]: [number, number]) => x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9);
      for (const r of RULES) {
        covers[r] += inside(ref.grid_lambda, b[r]) ? 1 : 0;
        torchCovers[r] += inside(torchGrid, tb[r]) ? 1 : 0;
      }
      console.log(`${id} bands: ${RULES.map((r) => `${r} ${b[r].map((x) => x.toPrecision(3)).join('–')}`).join(' | ')} (grid λ ${ref.grid_lambda.toPrecision(3)}); PyTorch (seed units): ${RULES.map((r) => `${r} ${tb[r].map((x) => (x * m).toPrecision(3)).join('–')}`).join(' | ')} (grid λ ${(torchGrid * m).toPrecision(3)})`);
    }
    if (kinds.includes('l2lab')) {
      const chosen = choices(await studyPoints(storage, `${id}-bayes`));
      const setup = createSetup(o, o);
      const gridLambda = ref.grid_lambda;
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
    if (kinds.includes('pytorch')) {
      const t = await torchRules(id, o, ref, dir);
      for (const r of RULES) torchRegrets[r].push(t[r]);
      console.log(`${id} ${t.line}`);
    }
  }
  const summary = (problem: string, rs: Record<Rule, number[]>) => ({ problem, seeds, ...Object.fromEntries(RULES.map((r) => [`${r}_test_regret_median`, Number(median(rs[r])!.toPrecision(4))])), ...Object.fromEntries(RULES.map((r) => [`${r}_test_regrets`, rs[r].map((x) => Number(x.toPrecision(3)))])) });
  if (kinds.includes('intervals')) console.log(JSON.stringify({ problem: p.name, seeds, band_covers_grid: covers, pytorch_band_covers_grid: torchCovers }));
  if (kinds.includes('l2lab')) console.log(JSON.stringify(summary(p.name, regrets)));
  if (kinds.includes('pytorch')) console.log(JSON.stringify(summary(`${p.name} (PyTorch)`, torchRegrets)));
}
