/**
 * Bayesian optimization of the CV (or hold-out) loss over log10 λ: a Gaussian process with expected
 * improvement (Snoek, Larochelle & Adams 2012), from a first guess by the constant-timescale rule
 * (samplers/first-guess.ts; trained alone, since a search that should cost a trial or two must start near λ*),
 * then the decade its hold-out/training gap points to, alone (decadeFirst), then the rest of ×/÷ 3 and
 * ×/÷ 10 of it, until `trials` or until the improvement expected is below the noise the trials show
 * (stopBar). Multi-fidelity: trials report their validation loss every epoch and
 * the median rule (pruners/median.ts) stops losers once their λ had time to act; the process models pruned
 * trials by the best loss they showed. The points around the guess train as one population where
 * the model is small enough to stack. Proposals are a deterministic function of the finished
 * trials, so a resumed study replays them and reuses what is stored.
 */
import { DEFAULTS, defaultLogRange } from '../../options/defaults.js';
import { firstGuessLambda, type FirstGuess } from '../../plan/first-guess.js';
import { BayesSampler, type NoiseReading } from '../samplers/bayes-sampler.js';
import { NOISE_SPAN, observationsOf } from '../lambda-interval.js';
import { timescaleFirstGuess } from '../samplers/first-guess.js';
import { bestSoFar, medianPruneReason, valueAt } from '../pruners/median.js';
import { scoreInRun, trialTimescale, type ConfigPruner } from '../scoring/score.js';
import type { Config } from '../scoring/config-score.js';
import { trialPoint, type TrialPoint } from '../trials/study-run.js';
import { readTrialResult } from '../trials/trial-result.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';
import type { Trial } from '../../study/index.js';
import type { TuneSetup } from '../setup.js';
import { finishedTrials, pendingTrials, type Proposal, type ProposalInput } from '../propose.js';

/** A log-loss difference as a percentage of the loss, for messages. */
const pct = (v: number): string => `${(100 * v).toPrecision(2)}%`;

/** λ values as stored: 10 significant digits, so keys are stable across processes and x moves by < 1e-9. */
const tidy = (x: number): number => Number((10 ** x).toPrecision(10));

/** Space-filling points before the process proposes, where there is no first guess. */
const INITIAL_POINTS = 4;

/** bayes's opening, in log10 λ: the batches it trains before the process proposes (a batch after the first is split by decadeFirst; each part one population where the model stacks), and where the first came from. */
export interface BayesDesign {
  batches: number[][];
  /** The first guess's origin, for the scheme (empty without one). */
  note: string;
}

/**
 * Where the opening probes around the first guess, in log10 λ: ×/÷ 3 and ×/÷ 10. Measured against
 * the guess followed by space-filling points over the whole range (bench/RESULTS.md, "Choosing λ
 * beside Optuna", 3 problems × 3 seeds): the same on mnist-10k, where the guess itself came within
 * 1%; a lower median share on breast-cancer (23% vs 25%), one fashion-4k seed within 1% instead of
 * none and a smaller median final gap there (1.6% vs 5.0%), at more epochs in all on fashion-4k
 * (the points near λ* survive the pruner). Differences of the size of the SGD noise. With the noise
 * stop (stopBar), dropping the ×/÷ 3 point away from the gap's side cut mnist-10k's share from 32% to
 * 29% (breast-cancer 27% → 24%) but its PyTorch row chose λ 2–3× too small on 2 more seeds (median
 * regret +0.3% → +3.7%); dropping both ×/÷ 3 did the same (+2.0%): fewer points near the guess, a
 * noisier reading of the curve's bottom. Kept.
 */
const AROUND_GUESS = [-1, -Math.log10(3), Math.log10(3), 1];

/**
 * The first trials: the constant-timescale λ alone (timescaleFirstGuess), then ×/÷ 3 and ×/÷ 10
 * of it (clipped to the range, duplicates dropped; runBayes trains them in decadeFirst's order,
 * populations where the model stacks); the process then proposes over the whole range. Without a
 * first guess (exact solver, Adam with a coupled penalty) INITIAL_POINTS space-filling points.
 */
export function bayesDesign(setup: TuneSetup, range: { lo: number; hi: number }, maxTrials: number): BayesDesign {
  return openingDesign(timescaleFirstGuess(setup, range), range, maxTrials);
}

/** {@link bayesDesign} from a first guess already made (ask/tell reads τ from the user's context, not from a setup). */
export function openingDesign(guess: FirstGuess, range: { lo: number; hi: number }, maxTrials: number): BayesDesign {
  const lo = Math.log10(range.lo);
  const hi = Math.log10(range.hi);
  if (guess.lambda === undefined) {
    return { batches: [new BayesSampler({ lo, hi }).initialPoints(Math.min(INITIAL_POINTS, maxTrials))], note: `no first guess: ${guess.reason}` };
  }
  const x0 = Math.log10(guess.lambda);
  const around = [...new Set(AROUND_GUESS.map((d) => Math.min(hi, Math.max(lo, x0 + d))))].filter((x) => Math.abs(x - x0) > 1e-6).slice(0, maxTrials - 1);
  if (around.length === 0) return { batches: [[x0]], note: guess.source };
  return { batches: [[x0], around], note: `${guess.source}, then ×/÷ 10 of it on the side its hold-out/training gap points to, then the rest of ×/÷ 3 and ×/÷ 10` };
}

/**
 * The bias–variance diagnosis at the first guess: hold-out loss above this multiple of the training
 * loss (at the epoch early stopping kept) reads as overfitting, so more λ is tried first; below it,
 * less. On the atlases, read at the grid point nearest the guess: on the converged atlas's
 * 36 MLP cells whose λ* is not that point it names λ*'s side in 75% (as often as "always larger",
 * the base rate there, 72%), on the fixed-budget atlas's 93 in 73% (base rate 75%), on the CNN
 * atlas's 6 in 6 (base rate 4); 1.5 was the best threshold on the converged and CNN atlases. On the
 * Optuna bench's early-stopped problems it named the side in 9 runs of 9, whose ratios allow any
 * threshold from 1.16 to 1.52 (bench/RESULTS.md).
 */
const OVERFIT_RATIO = 1.5;

/**
 * The opening's points around the guess x0, in the order they train: the farthest on the side the
 * first trial's hold-out/training gap points to (OVERFIT_RATIO: larger λ when it overfits, smaller
 * otherwise, and smaller when it failed), alone; then the rest as one population. The same points
 * as training them all together (only the median pruner sees the probe's curve sooner), so the
 * search can only come within reach of λ* sooner: a decade on the right side is often already
 * near it (breast-cancer, bench/RESULTS.md), and when the diagnosis is wrong the rest follow at once.
 */
export function decadeFirst(around: readonly number[], x0: number, first: Pick<TrialPoint, 'mean' | 'trainMean'>): number[][] {
  const side = first.mean > OVERFIT_RATIO * first.trainMean ? 1 : -1;
  const probe = around.reduce<number | undefined>((best, x) => ((x - x0) * side > 0 && (best === undefined || (x - x0) * side > (best - x0) * side) ? x : best), undefined);
  if (probe === undefined) return [[...around]];
  const rest = around.filter((x) => x !== probe);
  return rest.length > 0 ? [[probe], rest] : [[probe]];
}

/**
 * The process models log(loss), so an improvement is a ratio, and the search stops once the expected
 * improvement is below the noise the trials show: the process's learned noise SD (a relative scatter
 * of the validation loss), read no lower than STOP_NOISE_FLOOR and no higher than STOP_NOISE_CAP. A
 * gain smaller than one noise SD could not be told from a lucky draw, so a trial spent on it buys no
 * evidence. The clamp because from 5–10 points the process reads the noise anywhere from 0.001% to
 * 14% (bench:tune's problems, the same trials read a step apart): the floor is half the 1% that the
 * bench's noise bar never goes below, the cap the SD beyond which EI's first far-range probes would be
 * skipped. Against the previous rule, an EI below 0.01% of the loss, which trained on inside the
 * noise (up to 6 trials refining λ within 25% of the answer on breast-cancer), on bench:tune (seeds
 * 1–5, median epochs as a share of the 25-point grid's, l2lab / PyTorch row): breast-cancer 43% / 43%
 * → 27% / 22%, mnist-10k 40% / 39% → 32% / 28%, fashion-4k 45% / 52% → 24% / 23%, the CNN 41% / 56%
 * → 28% / 34%; median test regrets within the seed-to-seed noise (mnist-10k −0.6% → −0.8%, its
 * PyTorch row +0.3% both; fashion-4k +5.8% → +7.2%, its PyTorch row +5.6% → +3.3%). Fixed thresholds
 * of 0.3–1%, or the clamp at [1%, 2–3%], moved the shares by 1–2 points: the 5-trial opening is most
 * of what is left.
 */
export const STOP_NOISE_FLOOR = 0.005;
export const STOP_NOISE_CAP = 0.02;

/** Finished trials before the noise can stop the search: from fewer the process's noise reading is a guess (from the 3-trial opening it read ±2% or more and stopped breast-cancer seed 4 at ×2 the grid's λ). */
export const STOP_MIN_TRIALS = 5;

/** The noise bar the stopping rule compares the expected improvement with: the learned noise SD, clamped to [STOP_NOISE_FLOOR, STOP_NOISE_CAP]. */
export function stopBar(noiseStd: number): number {
  return Math.min(STOP_NOISE_CAP, Math.max(STOP_NOISE_FLOOR, Number.isFinite(noiseStd) ? noiseStd : STOP_NOISE_CAP));
}

/** A finished trial's best-so-far validation loss per epoch, from its stored fold curves (mean over folds, a stopped fold's last value carried on). */
function storedBestSoFar(t: Trial): number[] {
  const folds = readTrialResult(t.result, `trial ${t.number}`)?.folds ?? [];
  const len = Math.max(0, ...folds.map((f) => f.curve.length));
  const mean: (number | null)[] = [];
  for (let e = 0; e < len; e++) {
    const vs = folds.map((f) => f.curve[Math.min(e, f.curve.length - 1)]);
    mean.push(vs.every((v) => v !== null && v !== undefined) ? (vs as number[]).reduce((a, b) => a + b, 0) / vs.length : null);
  }
  return bestSoFar(mean);
}

/**
 * The median pruner for one scoring call: each config is judged against the finished trials'
 * best-so-far curves (`finished`) and the other configs of the same call that were not pruned,
 * at its λ's timescale (trialTimescale).
 */
function callPruner(setup: TuneSetup, configs: Config[], finished: readonly number[][]): ConfigPruner {
  const seen = new Map<number, number[]>();
  const pruned = new Set<number>();
  const tau = configs.map((c) => trialTimescale(setup, c.lambda));
  return (epoch, running) => {
    for (const { config, valLoss } of running) {
      const b = seen.get(config) ?? [];
      const before = epoch > 0 && b.length > 0 ? valueAt(b, epoch - 1) : Infinity;
      b[epoch] = Math.min(before, Number.isFinite(valLoss) ? valLoss : Infinity);
      seen.set(config, b);
    }
    return running.map(({ config }) => {
      const others = [...finished.map((c) => valueAt(c, epoch)), ...[...seen].filter(([i]) => i !== config && !pruned.has(i)).map(([, c]) => valueAt(c, epoch))];
      const reason = medianPruneReason(epoch, valueAt(seen.get(config)!, epoch), tau[config], others);
      if (reason !== undefined) pruned.add(config);
      return reason;
    });
  };
}


/** The process's noise reading as the result reports it (λ in the user's convention), with a warning when the span is wide. */
export function noiseReport(r: NoiseReading): NonNullable<StrategyOutcome['noise']> {
  const [lo, hi] = [10 ** r.lo, 10 ** r.hi];
  const out = { relative_std: r.std, lambda: 10 ** r.x, lambda_lo: lo, lambda_hi: hi };
  if (hi / lo < NOISE_SPAN) return out;
  const warning = `the validation losses scatter by about ±${(100 * r.std).toPrecision(2)}% from run to run (the Gaussian process's noise estimate), and every λ from ${lo.toPrecision(3)} to ${hi.toPrecision(3)} is predicted within that of the best: these validation rows cannot tell them apart, so λ_min is the trial where the process's curve is lowest, not the lowest draw, and any λ in that range is as good a choice. More validation rows (--holdout, --folds k) or less SGD noise (a smaller --lr, a larger --batch-size) narrow it.`;
  return { ...out, warning };
}

/** bayes's noise reading from its finished trials, in run order, over its search range: what `tune` reports and `show` repeats. */
export function bayesNoise(points: readonly TrialPoint[], range: { lo: number; hi: number }): NonNullable<StrategyOutcome['noise']> {
  return noiseReport(new BayesSampler({ lo: Math.log10(range.lo), hi: Math.log10(range.hi) }).noise(observationsOf(points)));
}

/** Where a bayes search stands: its opening, its finished trials in run order, and the log10 λ of those still running (ask/tell only; tune runs none alongside). */
export interface BayesState {
  design: BayesDesign;
  done: readonly TrialPoint[];
  pending: readonly number[];
  maxTrials: number;
  sampler: BayesSampler;
}

/** Within this, in log10 λ, a point counts as tried: stored λ keep 10 significant digits (tidy). */
const SAME_POINT = 1e-6;

/**
 * bayes's next batch, a deterministic function of where the search stands (tune's runner and the
 * ask/tell service both follow it): the opening's first batch; then the rest of the opening in
 * decadeFirst's order (all of it at once while the first trial is still running: no gap to read
 * yet); then one point of expected improvement at a time, until `maxTrials` or until the
 * improvement expected is below the trials' noise (stopBar). `stop` says why none, `waiting` when running trials may change it.
 */
export function nextBayesBatch(s: BayesState): { xs: number[] } | { stop: string; waiting: boolean } {
  const tried = [...s.done.map((p) => Math.log10(p.lambda)), ...s.pending];
  const untried = (xs: readonly number[]) => xs.filter((x) => !tried.some((t) => Math.abs(t - x) < SAME_POINT));
  const [first, ...rest] = s.design.batches;
  if (untried(first).length > 0) return { xs: untried(first) };
  for (const batch of rest) {
    const left = untried(batch);
    if (left.length === 0) continue;
    if (left.length < batch.length) return { xs: left };
    const p0 = s.done.find((p) => Math.abs(Math.log10(p.lambda) - first[0]) < SAME_POINT);
    return { xs: p0 ? decadeFirst(batch, first[0], p0)[0] : [...batch] };
  }
  const waiting = s.pending.length > 0;
  if (s.done.length + s.pending.length >= s.maxTrials) return { stop: `the cap of ${s.maxTrials} trials`, waiting };
  if (s.done.length === 0) return { stop: 'the opening trials, still running', waiting };
  const observations = observationsOf(s.done);
  // Constant liar (Ginsbourger, Le Riche & Carraro, "Kriging is well-suited to parallelize
  // optimization", 2010): a running λ counts as the worst loss seen, so a parallel ask looks elsewhere.
  const worst = Math.max(...observations.map((o) => o.y));
  const next = s.sampler.propose([...observations, ...s.pending.map((x) => ({ x, y: worst }))]);
  const noise = s.sampler.noise(observations).std;
  const bar = stopBar(noise);
  if (s.done.length >= STOP_MIN_TRIALS && next.expectedImprovement < bar) {
    const read = bar === noise ? '' : ` (the process reads ±${pct(noise)}, taken as ${bar === STOP_NOISE_FLOOR ? 'at least' : 'at most'} ±${pct(bar)})`;
    return { stop: `expected improvement below the noise: ${pct(next.expectedImprovement)} of the loss at λ = ${tidy(next.x).toPrecision(3)}, under the trials' scatter of ±${pct(bar)}${read}`, waiting };
  }
  return { xs: [next.x] };
}

/** bayes as a proposer (ask/tell): {@link nextBayesBatch} over the study's trials, the first guess from the user's optimizer and epochs. */
export function proposeBayes(input: ProposalInput): Proposal {
  const { range, maxTrials } = input;
  const design = openingDesign(firstGuessLambda(input.plan, range), range, maxTrials);
  const done = finishedTrials(input.trials).map(trialPoint);
  const pending = pendingTrials(input.trials).map((t) => Math.log10(t.params.lambda));
  const next = nextBayesBatch({ design, done, pending, maxTrials, sampler: new BayesSampler({ lo: Math.log10(range.lo), hi: Math.log10(range.hi) }) });
  if ('xs' in next) return { trials: next.xs.map((x) => ({ lambda: tidy(x), epochs: input.plan.epochBudget })) };
  return next.waiting ? { wait: `${pending.length} trial(s) still running decide what comes next (bayes stops at ${next.stop} otherwise)` } : { done: `bayes stopped by ${next.stop} after ${done.length} trials` };
}

export async function runBayes(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const r = options.logRange ?? defaultLogRange('bayes');
  const maxTrials = options.trials ?? DEFAULTS.trials;
  const prune = (options.pruner ?? DEFAULTS.pruner) === 'median' && setup.plan.solver !== 'exact';
  const dropout = 0; // tune() refuses --dropout here: one λ axis only
  const sampler = new BayesSampler({ lo: Math.log10(r.lo), hi: Math.log10(r.hi) });
  const points: TrialPoint[] = [];
  const finished: number[][] = [];
  const evaluate = async (xs: number[]): Promise<void> => {
    const trials = await run.trials(xs.map((x) => ({ lambda: tidy(x), dropout })));
    const done = await run.run(trials, (cs, _, signal) => scoreInRun(ctx, cs, setup.plan.epochs, { signal, prune: prune ? callPruner(setup, cs, finished) : undefined }));
    for (const t of done) {
      points.push(trialPoint(t));
      if (t.state === 'COMPLETE') finished.push(storedBestSoFar(t));
    }
  };
  const design = bayesDesign(setup, r, maxTrials);
  let stop: string;
  for (;;) {
    const next = nextBayesBatch({ design, done: points, pending: [], maxTrials, sampler });
    if ('stop' in next) {
      stop = next.stop;
      break;
    }
    await evaluate(next.xs);
  }
  const prunedCount = points.filter((p) => p.state === 'PRUNED').length;
  return {
    noise: bayesNoise(points, r),
    scheme: `${setup.scheme}, Gaussian-process expected improvement over log10 λ in [${Math.log10(r.lo)}, ${Math.log10(r.hi)}], ${design.note}, ${points.length} trials${prune ? ` (${prunedCount} pruned by the median rule once λ acted)` : ''}; stopped by ${stop}`,
    points,
    rangeExtended: false,
  };
}
