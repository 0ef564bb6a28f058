/** λ_min with the range the validation data cannot separate from it: the one-SE band where λ has a standard error, the Gaussian process's posterior band otherwise, and bayes's choice by the process's curve. */
import { BayesSampler, type Observation } from './samplers/bayes-sampler.js';
import { chooseLambda, type LambdaChoice, type ScoredPoint } from './choose-lambda.js';
import { defaultLogRange } from '../options/defaults.js';

/** The λ range (in the units of the λ it was read from) that the data cannot tell apart from λ_min, and the rule that drew it. */
export interface LambdaInterval {
  low: number;
  high: number;
  basis: string;
}

/**
 * How many standard deviations the posterior band allows: 1.5. One-sided, so under a calibrated
 * process the band holds the true minimizer with probability at least Φ(1.5) ≈ 93% (at z = 1, Φ(1) ≈
 * 84%, 85–90% on noisy synthetic bowls, test/tune/lambda-interval.test.ts). The process is not
 * calibrated on SGD curves: it reads its noise from 5–10 trials. On bench:tune's hold-out problems
 * (seeds 1–5, bayes stopping at the noise, stopBar), the band held the 25-point hold-out grid's λ
 * (itself a noisy pick: it moves two decades across seeds on fashion-4k) at z = 1 on 5/5
 * breast-cancer, 4/5 mnist-10k, 4/5 fashion-4k and 3/5 on the CNN; at z = 1.5 on 5/5, 5/5, 5/5 and
 * 4/5, for median widths of 0.52, 0.35, 2.96 and 2.75 decades (z = 1: 0.52, 0.27, 2.67, 2.47; on the
 * noisy curves the data cannot tell most of the range apart). The PyTorch rows through ask/tell held
 * it on 3/5, 3/5, 5/5, 5/5 at either z: the misses are choices 2–3× or more from the grid's λ. z = 2
 * added one more there at 2.5–2.8 decades, most of the range.
 */
export const BAND_Z = 1.5;

/**
 * λ spans at least this factor where the process predicts the validation loss within its noise of
 * the best, and the result warns that the choice inside it is a draw. On bench:tune's hold-out
 * problems (bench/RESULTS.md) the span was ×1.2–1.6 on breast-cancer, ×1.8–2.4 on mnist-10k (noise
 * ±1.2–1.6%) and ×10–710 on fashion-4k (±2.6–6.6%), where λ 1–5% from the grid's best retrained
 * 3–19% worse. From few points the process can take noise for curve (it read ±0.00% on a 9-point
 * hold-out grid of breast-cancer whose idle λ spread by 160%), so the reading is a lower bound: its
 * warning means more than its silence, and it is given for bayes only, where the bench measured it.
 * The same span switches bayes's choice from the lowest draw to the process's curve (chooseWithInterval):
 * on the bench it did so on fashion-4k's three seeds only, and the process's curve chose a λ that tested
 * better there on two seeds and the same on one (test loss against the grid's λ: +0.37% → −3.05%,
 * +16.9% → +7.2%, +7.6% unchanged); always on, it would have moved mnist-10k seed 1 (±1.2%, span ×1.8)
 * from the lowest draw's −0.56% to +2.09%, so a narrow span keeps the lowest draw.
 */
export const NOISE_SPAN = 10;

export const ONE_SE_BASIS = 'within one SE of λ_min: every λ whose mean validation loss is at most mean(λ_min) + SE(λ_min)';
export const GP_BASIS = `GP posterior band: every λ over the range tried whose loss the Gaussian process (noise learned from the trials) cannot tell above λ_min's at z = ${BAND_Z} (covers the true minimizer ≥ 93% of the time when the process is calibrated)`;
const ALONE_BASIS = 'λ_min alone: too few positive λ with a finite loss to read a spread from';

/** A point the choice reads: COMPLETE trials by their mean, PRUNED ones by the best loss they showed (bayes models them). */
export interface IntervalPoint extends ScoredPoint {
  state?: string;
  prunedValue?: number;
}

/**
 * The `posterior` option of {@link chooseWithInterval} for a study run by `strategy` over `range`:
 * bayes's search range (its default when none was given), undefined for every other strategy, whose
 * choice is the lowest mean. The one place that says which strategy's choice reads its process.
 */
export function posteriorRange(strategy: string | undefined, range?: { lo: number; hi: number } | null): { lo: number; hi: number } | undefined {
  return strategy === 'bayes' ? (range ?? defaultLogRange('bayes')) : undefined;
}

/** A choice with its interval; for bayes λ_min and λ_1se come from the process's curve, not the lowest draw. */
export type ChoiceWithInterval<P extends ScoredPoint> = LambdaChoice<P> & { interval: LambdaInterval };

/**
 * The one λ rule ({@link chooseLambda}) with its interval: the one-SE band when λ_min has a standard
 * error (k folds, repeats), else the Gaussian process's posterior band around λ_min (one hold-out
 * split). With `posterior` (bayes: its λ search range), the choice survives noise: when the process
 * reads the noise as large against the curve's depth (its curve within one noise SD of its minimum
 * over a factor of {@link NOISE_SPAN} in λ), λ_min is the trial where the process's latent curve is
 * lowest, not the lowest draw, and λ_1se the largest finished λ inside the band around it.
 * `points` in run order (bayes reads a failed trial as the worst loss before it).
 */
export function chooseWithInterval<P extends IntervalPoint>(points: readonly P[], options: { posterior?: { lo: number; hi: number } } = {}): ChoiceWithInterval<P> | null {
  const choice = chooseLambda(points.filter((p) => p.state === undefined || p.state === 'COMPLETE'));
  if (!choice) return null;
  const r = options.posterior;
  if (!r && Number.isFinite(choice.best.se)) return { ...choice, interval: oneSeInterval(choice.curve, choice.best) };
  const atDropout = points.filter((p) => p.dropout === choice.dropout && (choice.rung === null || p.rung === choice.rung) && p.lambda > 0);
  const observations = observationsOf(atDropout);
  const xs = observations.map((o) => o.x);
  // The process models log(loss) over log λ: a loss ≤ 0 (a negated maximized objective) or λ_min = 0 has no place on it.
  if (new Set(xs).size < 3 || choice.lambdaMin <= 0 || atDropout.some((p) => p.mean <= 0)) {
    return { ...choice, interval: { low: choice.lambdaMin, high: choice.lambdaMin, basis: ALONE_BASIS } };
  }
  const sampler = new BayesSampler(r ? { lo: Math.log10(r.lo), hi: Math.log10(r.hi) } : { lo: Math.min(...xs), hi: Math.max(...xs) });
  const noise = r ? sampler.noise(observations) : undefined;
  if (!noise || 10 ** (noise.hi - noise.lo) < NOISE_SPAN) {
    // No process choice asked for, or a curve deep against its noise: the lowest draw is its minimum, to the noise.
    return { ...choice, interval: bandInterval(sampler.posteriorBand(observations, Math.log10(choice.lambdaMin), BAND_Z), choice.lambdaMin) };
  }
  const finished = choice.curve.filter((p) => p.lambda > 0);
  const pc = sampler.posteriorChoice(observations, finished.map((p) => Math.log10(p.lambda)), BAND_Z);
  const best = finished.find((p) => Math.log10(p.lambda) === pc.x)!;
  const oneSe = finished.filter((p) => Math.log10(p.lambda) <= pc.hi && Math.log10(p.lambda) >= pc.lo).reduce((a, b) => (b.lambda > a.lambda ? b : a), best);
  return { ...choice, lambdaMin: best.lambda, lambda1se: oneSe.lambda, best, oneSe, interval: bandInterval(pc, best.lambda) };
}

/** λ_min alone, for a strategy that scores no validation data (LOO, the evidence): no scatter to read a range from. */
export function unvalidatedInterval(lambdaMin: number, strategy: string): LambdaInterval {
  return { low: lambdaMin, high: lambdaMin, basis: `λ_min alone: ${strategy} scores no validation data, so no range is read` };
}

/** The one-SE band: the lowest and highest λ of the curve whose mean is at most mean(λ_min) + SE(λ_min). */
export function oneSeInterval(curve: readonly ScoredPoint[], best: ScoredPoint): LambdaInterval {
  const inside = curve.filter((p) => Number.isFinite(p.mean) && p.mean <= best.mean + best.se).map((p) => p.lambda);
  return { low: Math.min(best.lambda, ...inside), high: Math.max(best.lambda, ...inside), basis: ONE_SE_BASIS };
}

/** A band in log10 λ as an interval in λ, λ_min always inside (the band's ends are candidates, not stored λ). */
function bandInterval(band: { lo: number; hi: number }, lambdaMin: number): LambdaInterval {
  return { low: Math.min(lambdaMin, 10 ** band.lo), high: Math.max(lambdaMin, 10 ** band.hi), basis: GP_BASIS };
}

/**
 * Points as the process sees them, x = log10 λ and y = log(loss): a COMPLETE one by its mean, a
 * PRUNED one by the best loss it showed, a failed one as the worst y before it (log 1e6 when none),
 * so a failure counts as bad without an infinite value.
 */
export function observationsOf(points: readonly IntervalPoint[]): Observation[] {
  const out: Observation[] = [];
  for (const p of points) {
    const y = Math.log(p.state === undefined || p.state === 'COMPLETE' ? p.mean : (p.prunedValue ?? NaN));
    const worst = out.reduce((a, o) => Math.max(a, o.y), -Infinity);
    out.push({ x: Math.log10(p.lambda), y: Number.isFinite(y) ? y : Number.isFinite(worst) ? worst : Math.log(1e6) });
  }
  return out;
}
