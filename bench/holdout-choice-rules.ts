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
 * BENCH_ROWS=repeats (l2lab rows): issue 22's other option, evidence instead of the luckiest draw. The
 * REPEAT_CANDIDATES finished trials lowest on the process's latent curve are each trained REPEATS
 * more times on the same split with other training seeds (seed·1000 + 11, …; the refits use + 1 … + 4),
 * and the λ with the lowest mean validation loss over its draws is chosen. Its refit trains the
 * draws' mean scored epoch (repeats also average where early stopping ended); the epochs share counts
 * bayes's trials and the repeats against the grid's. Applied on every seed (the JSON says where the
 * process read a wide noise span, where tune's choice leaves the lowest draw).
 * BENCH_ROWS=epochs (l2lab rows): tune's choice (`min`) and the grid's λ refitted for the same epochs,
 * the grid's refit's (its trial's scored epochs) and the whole budget, beside the bench's own regret
 * (each λ at its own trial's epochs): whether a regret under early stopping is the λ or the epochs.
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
import { scoreConfigs } from '../src/tune/scoring/score.js';
import { createSetup, type TuneSetup } from '../src/tune/setup.js';
import { trialPoint, type TrialPoint } from '../src/tune/trials/study-run.js';
import { median, meanRegret } from './holdout-measure.js';
import { PROBLEMS } from './holdout-problems.js';
import { refitAt, type Reference } from './holdout-reference.js';
import { l2labRefitLosses, reseeded, torchRefitLosses } from './holdout-refit-noise.js';

const RANGE = { lo: 0.01, hi: 1e4 };
const REPEAT_CANDIDATES = 3;
const REPEATS = 2;
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

/** What the repeats rule chose on one seed: its λ, its refit epochs, the epochs its repeats trained, and whether the process read a wide noise span. */
interface RepeatChoice {
  lambda: number;
  dropout: number;
  epochs: number | undefined;
  extraEpochs: number;
  wide: boolean;
  line: string;
}

/** The repeats rule (see the header) on a bayes study's points, in run order. */
async function repeatChoice(setup: TuneSetup, points: readonly TrialPoint[], seed: number): Promise<RepeatChoice> {
  const c = chooseWithInterval(points, { posterior: RANGE })!;
  const sampler = new BayesSampler({ lo: Math.log10(RANGE.lo), hi: Math.log10(RANGE.hi) });
  const observations = observationsOf(points.filter((p) => p.dropout === c.dropout && p.lambda > 0));
  const noise = sampler.noise(observations);
  const latent = (p: TrialPoint) => sampler.posteriorChoice(observations, [Math.log10(p.lambda)], BAND_Z).mean;
  const candidates = (c.curve as TrialPoint[]).filter((p) => p.lambda > 0).sort((a, b) => latent(a) - latent(b)).slice(0, REPEAT_CANDIDATES);
  let extraEpochs = 0;
  const draws = [];
  for (const t of candidates) {
    const values = [t.mean];
    const scored = [t.scoredEpoch ?? NaN];
    for (let r = 0; r < REPEATS; r++) {
      const [s] = await scoreConfigs(reseeded(setup, seed * 1000 + 11 + r), [{ lambda: t.lambda, dropout: t.dropout }], setup.plan.epochs);
      values.push(s.mean);
      scored.push(s.folds[0].epoch);
      extraEpochs += s.epochsTrained ?? 0;
    }
    draws.push({ t, mean: values.reduce((a, b) => a + b, 0) / values.length, values, scored });
  }
  const best = draws.reduce((a, b) => (b.mean < a.mean || (b.mean === a.mean && b.t.lambda > a.t.lambda) ? b : a));
  const epochs = setup.patience === undefined ? undefined : Math.max(1, Math.round(best.scored.reduce((a, b) => a + b, 0) / best.scored.length));
  const line = draws.map((d) => `λ ${d.t.lambda.toPrecision(3)} [${d.values.map((v) => v.toFixed(3)).join(' ')}] at epochs [${d.scored.join(' ')}]`).join('; ');
  return { lambda: best.t.lambda, dropout: best.t.dropout, epochs, extraEpochs, wide: 10 ** (noise.hi - noise.lo) >= NOISE_SPAN, line };
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

/** The grid's λ refitted as the l2lab rows refit it: its record, and its test losses over the refit seeds. */
async function gridRefits(id: string, o: Omit<TuneOptions, 'strategy'>, ref: Reference): Promise<{ epochs: number; losses: number[] }> {
  const atGrid = await refitAt(`${id}-rules`, o, ref.grid_lambda, 'grid');
  return { epochs: atGrid.epochs, losses: await l2labRefitLosses(o, atGrid, atGrid.test_loss) };
}

/** The l2lab row of one seed: each rule's λ refitted as tune refits it, its regret against the grid's. */
async function l2labRules(id: string, o: Omit<TuneOptions, 'strategy'>, ref: Reference): Promise<Record<Rule, number> & { line: string }> {
  const chosen = choices(await studyPoints(storage, `${id}-bayes`));
  const setup = createSetup(o, o);
  const grid = (await gridRefits(id, o, ref)).losses;
  const seen = new Map<number, number>();
  const regrets = {} as Record<Rule, number>;
  for (const rule of RULES) {
    const t = chosen[rule];
    if (!seen.has(t.lambda)) seen.set(t.lambda, meanRegret(await l2labRefitLosses(o, { lambda: t.lambda, dropout: t.dropout, epochs: refitEpochs(setup, t) }), grid));
    regrets[rule] = seen.get(t.lambda)!;
  }
  return { ...regrets, line: `grid λ ${ref.grid_lambda.toPrecision(3)} | ${RULES.map((r) => `${r} λ ${chosen[r].lambda.toPrecision(3)} ${(100 * regrets[r]).toFixed(1)}%`).join(' | ')}` };
}

/** Both rows' bands per rule on one seed, and whether each holds its grid's λ. */
async function intervalRow(id: string, o: Omit<TuneOptions, 'strategy'>, ref: Reference): Promise<{ covers: Record<Rule, boolean>; torchCovers: Record<Rule, boolean>; line: string }> {
  const points = await studyPoints(storage, `${id}-bayes`);
  const b = bands(points, choices(points));
  const m = createSetup(o, o).folds[0].train.length;
  const range = { lo: RANGE.lo / m, hi: RANGE.hi / m };
  const askPts = await askPoints(path.join(dir, 'ask.db'), `${id}-ask`);
  const tb = bands(askPts, choices(askPts, range), range);
  const torchGrid = ref.torch.grid.reduce((a, t) => (t.value < a.value ? t : a)).lambda / m;
  const inside = (x: number, [lo, hi]: [number, number]) => x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9);
  return {
    covers: Object.fromEntries(RULES.map((r) => [r, inside(ref.grid_lambda, b[r])])) as Record<Rule, boolean>,
    torchCovers: Object.fromEntries(RULES.map((r) => [r, inside(torchGrid, tb[r])])) as Record<Rule, boolean>,
    line: `bands: ${RULES.map((r) => `${r} ${b[r].map((x) => x.toPrecision(3)).join('–')}`).join(' | ')} (grid λ ${ref.grid_lambda.toPrecision(3)}); PyTorch (seed units): ${RULES.map((r) => `${r} ${tb[r].map((x) => (x * m).toPrecision(3)).join('–')}`).join(' | ')} (grid λ ${(torchGrid * m).toPrecision(3)})`,
  };
}

/** The repeats rule's row of one seed: its regret, and its epochs share (bayes's trials and the repeats) of the grid's. */
async function repeatsRow(id: string, o: Omit<TuneOptions, 'strategy'>, seed: number, ref: Reference): Promise<{ regret: number; share: number; wide: boolean; lambda: number; line: string }> {
  const points = await studyPoints(storage, `${id}-bayes`);
  const grid = (await gridRefits(id, o, ref)).losses;
  const r = await repeatChoice(createSetup(o, o), points, seed);
  const regret = meanRegret(await l2labRefitLosses(o, { lambda: r.lambda, dropout: r.dropout, epochs: r.epochs }), grid);
  const gridEpochs = ref.grid.reduce((a, t) => a + (t.epochs_trained ?? 0), 0);
  const share = (points.reduce((a, p) => a + (p.epochsTrained ?? 0), 0) + r.extraEpochs) / gridEpochs;
  const line = `grid λ ${ref.grid_lambda.toPrecision(3)} | repeats λ ${r.lambda.toPrecision(3)} refit ${r.epochs ?? 'budget'} epochs ${(100 * regret).toFixed(1)}% | epochs share ${(100 * share).toFixed(1)}% (+${r.extraEpochs}) | span ${r.wide ? 'wide' : 'narrow'} | ${r.line}`;
  return { regret, share, wide: r.wide, lambda: r.lambda, line };
}

/** Regrets of tune's choice (`min`) refitted for other epoch counts (see the header). */
interface EpochRegrets {
  own: number;
  gridEpochs: number;
  budget: number;
  band: number;
  near: number;
}

/** The epochs row of one seed: tune's λ at its own trial's epochs, the grid refit's, the budget (both λ), the band's and the neighbours' median scored epoch. */
async function epochsRow(id: string, o: Omit<TuneOptions, 'strategy'>, ref: Reference, budget: number): Promise<EpochRegrets & { line: string }> {
  const points = await studyPoints(storage, `${id}-bayes`);
  const t = choices(points).min;
  const own = refitEpochs(createSetup(o, o), t);
  // Candidate refit rules: the median scored epoch of the finished trials inside tune's interval, or within half a decade of λ_min (itself included).
  const interval = chooseWithInterval(points, { posterior: RANGE })!.interval;
  const finished = points.filter((p) => p.state === 'COMPLETE' && p.scoredEpoch !== undefined && p.dropout === t.dropout);
  const medianEpoch = (ps: TrialPoint[]) => Math.max(1, Math.round(median(ps.map((p) => p.scoredEpoch!))!));
  const bandEpochs = medianEpoch(finished.filter((p) => p.lambda >= interval.low * (1 - 1e-9) && p.lambda <= interval.high * (1 + 1e-9)));
  const nearEpochs = medianEpoch(finished.filter((p) => Math.abs(Math.log10(p.lambda / t.lambda)) <= 0.5 + 1e-9));
  const at = (lambda: number, dropout: number, epochs: number | undefined) => l2labRefitLosses(o, { lambda, dropout, epochs });
  const grid = await gridRefits(id, o, ref);
  // Each epoch count refitted once (the rules often agree).
  const byEpochs = new Map<number | undefined, number>();
  const regretAt = async (epochs: number | undefined) => byEpochs.get(epochs) ?? byEpochs.set(epochs, meanRegret(await at(t.lambda, t.dropout, epochs), grid.losses)).get(epochs)!;
  const r: EpochRegrets = {
    own: await regretAt(own),
    gridEpochs: await regretAt(grid.epochs),
    budget: meanRegret(await at(t.lambda, t.dropout, budget), await at(ref.grid_lambda, 0, budget)),
    band: await regretAt(bandEpochs),
    near: await regretAt(nearEpochs),
  };
  const pc = (x: number) => `${(100 * x).toFixed(1)}%`;
  return { ...r, line: `grid λ ${ref.grid_lambda.toPrecision(3)} (refit ${grid.epochs} epochs) | tune λ ${t.lambda.toPrecision(3)} (refit ${own ?? 'budget'} epochs): own epochs ${pc(r.own)} | both at ${grid.epochs} epochs ${pc(r.gridEpochs)} | both at ${budget} epochs ${pc(r.budget)} | band's median ${bandEpochs} epochs ${pc(r.band)} | neighbours' median ${nearEpochs} epochs ${pc(r.near)}` };
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: node --import tsx bench/holdout-choice-rules.ts DIR (the folder of a bench:tune run)');
const storage = path.join(dir, 'bench.db');
const names = (process.env.BENCH_PROBLEMS ?? PROBLEMS.map((p) => p.name).join(',')).split(',');
const seeds = (process.env.BENCH_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const kinds = (process.env.BENCH_ROWS ?? 'l2lab,pytorch').split(',');
const round = (x: number) => Number(x.toPrecision(3));
for (const p of PROBLEMS.filter((q) => names.includes(q.name))) {
  const data = p.data();
  const regrets: Record<Rule, number[]> = { min: [], 'half-sd': [], '1se': [] };
  const torchRegrets: Record<Rule, number[]> = { min: [], 'half-sd': [], '1se': [] };
  const covers: Record<Rule, number> = { min: 0, 'half-sd': 0, '1se': 0 };
  const torchCovers: Record<Rule, number> = { min: 0, 'half-sd': 0, '1se': 0 };
  const repeated: Awaited<ReturnType<typeof repeatsRow>>[] = [];
  const sameEpochs: EpochRegrets[] = [];
  for (const seed of seeds) {
    const o = { ...p.base, data, seed, storage };
    const id = `${p.name}-s${seed}`;
    const ref = JSON.parse(fs.readFileSync(new URL(`./cache/holdout-${id}.json`, import.meta.url), 'utf8')) as Reference;
    if (kinds.includes('intervals')) {
      const r = await intervalRow(id, o, ref);
      for (const rule of RULES) {
        covers[rule] += r.covers[rule] ? 1 : 0;
        torchCovers[rule] += r.torchCovers[rule] ? 1 : 0;
      }
      console.log(`${id} ${r.line}`);
    }
    if (kinds.includes('l2lab')) {
      const r = await l2labRules(id, o, ref);
      for (const rule of RULES) regrets[rule].push(r[rule]);
      console.log(`${id}: ${r.line}`);
    }
    if (kinds.includes('repeats')) {
      const r = await repeatsRow(id, o, seed, ref);
      repeated.push(r);
      console.log(`${id}: ${r.line}`);
    }
    if (kinds.includes('epochs')) {
      const r = await epochsRow(id, o, ref, p.base.epochs as number);
      sameEpochs.push(r);
      console.log(`${id}: ${r.line}`);
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
  if (kinds.includes('epochs')) {
    const of = (k: keyof EpochRegrets) => ({ [`${k}_test_regret_median`]: round(median(sameEpochs.map((r) => r[k]))!), [`${k}_test_regrets`]: sameEpochs.map((r) => round(r[k])) });
    console.log(JSON.stringify({ problem: p.name, seeds, rule: 'min', ...of('own'), ...of('gridEpochs'), ...of('budget'), ...of('band'), ...of('near') }));
  }
  if (kinds.includes('repeats')) {
    console.log(JSON.stringify({ problem: p.name, seeds, repeats_test_regret_median: round(median(repeated.map((r) => r.regret))!), repeats_epochs_share_median: round(median(repeated.map((r) => r.share))!), repeats_test_regrets: repeated.map((r) => round(r.regret)), repeats_epochs_shares: repeated.map((r) => round(r.share)), repeats_lambdas: repeated.map((r) => round(r.lambda)), wide_noise_span: repeated.map((r) => r.wide) }));
  }
}
