/** best(): the study's λ_min (and λ_1se where a λ was evaluated more than once) in both units with the range the data cannot separate from it, bayes's noise reading, the weight-norm check and the early-stopping check. */
import { L2labError } from '../errors.js';
import type { Trial } from '../study/index.js';
import { chooseWithInterval, posteriorRange, type LambdaInterval } from '../tune/lambda-interval.js';
import { meanAndSe } from '../tune/one-se.js';
import { longerTrainingWarning } from '../tune/patience-warning.js';
import { median } from '../util/median.js';
import { trialPoint, type TrialPoint } from '../tune/trials/study-run.js';
import { toSeed, type ResolvedContext } from './context.js';
import { wasReplaced } from './lease.js';
import { studyNormWarning } from './norm-check.js';
import type { BestAnswer } from './protocol.js';

/** Fewer finished trials than this give no noise reading: the process has nothing to tell noise from curve with. */
const NOISE_MIN_TRIALS = 3;

/** A λ's COMPLETE evaluations (of one rung) as one point: their mean, its standard error (NaN for one), how many. */
interface LambdaPoint {
  lambda: number;
  dropout: number;
  rung: number | null;
  mean: number;
  se: number;
  n: number;
}

function lambdaPoints(trials: readonly Trial[]): LambdaPoint[] {
  const groups = new Map<string, { lambda: number; rung: number | null; values: number[] }>();
  for (const t of trials.filter((x) => x.state === 'COMPLETE' && x.value !== null)) {
    const rung = typeof t.params.rung === 'number' ? t.params.rung : null;
    const key = `${t.params.lambda}|${rung}`;
    const g = groups.get(key) ?? { lambda: t.params.lambda, rung, values: [] };
    g.values.push(t.value!);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ lambda: g.lambda, dropout: 0, rung: g.rung, n: g.values.length, ...meanAndSe(g.values) }));
}

/** The finished trials the noise reading is read from, in run order: all (bayes, grid), or the highest rung that has some (sh: lower rungs trained fewer epochs). */
function noisePoints(trials: readonly Trial[]): TrialPoint[] {
  const finished = trials.filter((t) => t.state === 'COMPLETE' || t.state === 'PRUNED').sort((a, b) => a.number - b.number);
  const rungOf = (t: Trial) => (typeof t.params.rung === 'number' ? t.params.rung : 0);
  const top = Math.max(-1, ...finished.map(rungOf));
  return finished.filter((t) => rungOf(t) === top).map(trialPoint);
}

/** bayes's noise reading (its Gaussian process over log λ) in both units, or null with too few trials. */
async function noiseOf(c: ResolvedContext, trials: readonly Trial[]): Promise<BestAnswer['noise']> {
  const points = noisePoints(trials);
  if (points.length < NOISE_MIN_TRIALS) return null;
  const { bayesNoise } = await import('../tune/strategies/bayes.js');
  const n = bayesNoise(points, c.range);
  const [a, b] = [toSeed(c, n.lambda_lo), toSeed(c, n.lambda_hi)];
  return { relative_std: n.relative_std, lambda_lo: Math.min(a, b), lambda_hi: Math.max(a, b), value_lo: n.lambda_lo, value_hi: n.lambda_hi, ...(n.warning ? { warning: n.warning } : {}) };
}

/**
 * The early-stopping warning over the user's loop's trials (see longerTrainingWarning): each λ's
 * epochs trained are the last epoch its COMPLETE trials reported (the median over repeats), in the
 * seed convention; silent without reports.
 */
function stoppedLongerOf(c: ResolvedContext, trials: readonly Trial[], lambdaMin: number): string | undefined {
  const byLambda = new Map<number, number[]>();
  for (const t of trials.filter((x) => x.state === 'COMPLETE' && x.intermediate.length > 0 && typeof x.params.rung !== 'number')) {
    byLambda.set(t.params.lambda, [...(byLambda.get(t.params.lambda) ?? []), Math.max(...t.intermediate.map((v) => v.step))]);
  }
  const points = [...byLambda].map(([value, epochs]) => ({ value, lambda: toSeed(c, value), epochsTrained: median(epochs) }));
  const best = points.find((p) => p.value === lambdaMin);
  return best && longerTrainingWarning(points, best, undefined, c.plan.epochBudget);
}

/** The interval in the seed convention (ends ordered: a C = 1/λ convention flips them) and in the study's. */
function intervalAnswer(c: ResolvedContext, i: LambdaInterval): Pick<BestAnswer, 'lambda_interval' | 'value_interval'> {
  const [a, b] = [toSeed(c, i.low), toSeed(c, i.high)];
  return { lambda_interval: { low: Math.min(a, b), high: Math.max(a, b), basis: i.basis }, value_interval: { low: i.low, high: i.high } };
}

/**
 * The answer of best() from the study's trials (lapsed ones that were handed out again left out).
 *
 * @throws L2labError (code `NOT_FITTED`) while no trial has completed.
 */
export async function bestAnswer(name: string, c: ResolvedContext, all: readonly Trial[]): Promise<BestAnswer> {
  const trials = all.filter((t) => !wasReplaced(t));
  const count = (...states: Trial['state'][]) => trials.filter((t) => states.includes(t.state)).length;
  const counts = { complete: count('COMPLETE'), pruned: count('PRUNED'), failed: count('FAIL'), running: count('RUNNING', 'WAITING') };
  // bayes chooses as tune does: by its process's curve, which also reads the pruned trials.
  const pruned = trials.filter((t) => t.state === 'PRUNED' && t.value !== null).map((t) => ({ lambda: t.params.lambda, dropout: 0, rung: null, mean: NaN, se: NaN, n: 0, state: 'PRUNED', prunedValue: t.value! }));
  const choice = chooseWithInterval([...lambdaPoints(trials), ...pruned], { posterior: posteriorRange(c.strategy, c.range) });
  if (!choice) {
    throw new L2labError('NOT_FITTED', `No trial of study '${name}' has completed yet (${counts.running} running or waiting, ${counts.pruned} pruned, ${counts.failed} failed): tell a final val_loss first (l2lab tell --study ${name} --trial N --val-loss V).`);
  }
  const repeated = choice.best.n >= 2;
  const warnings = [studyNormWarning(c, trials), stoppedLongerOf(c, trials, choice.lambdaMin)].filter((w): w is string => w !== undefined);
  return {
    study: name,
    best_lambda: toSeed(c, choice.lambdaMin),
    lambda_1se: repeated ? toSeed(c, choice.lambda1se) : null,
    value: choice.lambdaMin,
    value_1se: repeated ? choice.lambda1se : null,
    convention: c.plan.convention,
    val_loss: choice.best.mean,
    ...intervalAnswer(c, choice.interval),
    noise: await noiseOf(c, trials),
    trials: counts,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
