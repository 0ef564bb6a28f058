/** `tune()`: choose λ by a strategy, keep every trial in a study, refit at the chosen λ and score it on the test split. */
import { DEFAULTS } from '../options/defaults.js';
import { createHash } from 'node:crypto';
import { InvalidOptionError } from '../errors.js';
import { checkOptions } from '../options/check.js';
import { DEFAULT_STORAGE } from '../study/index.js';
import { chooseWithInterval, posteriorRange, unvalidatedInterval } from './lambda-interval.js';
import { conversionsOf, headlineConventions } from './conversions.js';
import { describeEdge, edgeOf } from './samplers/range.js';
import type { Config } from './scoring/config-score.js';
import { createSetup, withThreads, type TuneSetup } from './setup.js';
import { planWorkers, startLocalWorkers } from './local-workers.js';
import { STRATEGIES, STRATEGY_REGISTRY } from './strategies.js';
import type { StrategyContext, StrategyOutcome, TuneOptions, TuneResult } from './strategy.js';
import { StudyRun } from './trials/study-run.js';
import { refitAndTest } from './refit.js';
import { initialLambdas } from './strategies/grid.js';
import { noTimeToAct } from './lambda-acted.js';
import { stoppedLongerWarning } from './patience-warning.js';
import { assertSafeGrid } from '../plan/penalty-limits.js';
import { runPlanJson } from '../plan/run-plan.js';
import { thinClassesWarning } from '../data/fold-checks.js';

export { STRATEGIES } from './strategies.js';
export type { TuneOptions, TuneResult, TrialSummary, StrategyOutcome, StrategyContext } from './strategy.js';

function defaultStudyName(o: TuneOptions, config: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
  const data = typeof o.data === 'string' ? o.data.replace(/^.*\//, '') : o.data.name;
  return `${o.strategy}-${data}-${o.model.replace(/^.*\//, '')}-${hash}`;
}

/**
 * Chooses λ — what `l2lab tune` runs: evaluates λ by the `strategy` (grid + k-fold CV, hold-out, successive
 * halving, Bayesian optimization, ridge LOO, warm path, evidence), picks λ_min and λ_1se by the one λ rule
 * (chooseLambda), refits at the selected λ and scores it on the test split.
 *
 * Every trial is kept in a study in `storage` (default `./l2lab.db`; `':memory:'` keeps nothing, a
 * `postgres://` URL shares the study between machines), so a second call with the same options resumes
 * instead of retraining. Defaults: `folds` 5, `select` 'min', λ in the seed convention, a log range extended
 * while its best λ sits on an edge (`extend`); each option's default and range is declared in
 * src/options/registry.ts and checked before any training.
 *
 * @returns the λ table (`trials`), `best_lambda`, `lambda_1se`, the `refit`'s test metrics and the cost in
 *   sample gradients, engine passes and seconds.
 * @example
 * import { tune } from 'l2lab';
 * const r = await tune({ strategy: 'grid', data: 'wine', model: 'softmax', logRange: { lo: 0.001, hi: 1000, n: 13 }, storage: ':memory:' });
 * console.log(r.best_lambda, r.lambda_1se, r.refit);
 */
export async function tune(o: TuneOptions): Promise<TuneResult> {
  const t0 = performance.now();
  if (!STRATEGIES.includes(o.strategy)) throw new InvalidOptionError(`Unknown --strategy '${o.strategy}'. Use one of: ${STRATEGIES.join(', ')}.`);
  checkOptions('tune', { ...o }, { strategy: o.strategy, model: o.model });
  const created = createSetup(o, o);
  const workers = planWorkers(o, created);
  const setup = workers.processes > 1 ? withThreads(created, workers.threads) : created;
  const classWarning = STRATEGY_REGISTRY[o.strategy].usesValidation ? thinClassesWarning(setup.train, setup.folds, o.holdout !== undefined ? { holdout: o.holdout } : { folds: setup.folds.length }) : undefined;
  assertSafeStart(o, setup);
  const config = studyConfig(o, setup);
  const name = o.study ?? defaultStudyName(o, config);
  const run = await StudyRun.open(o.storage ?? DEFAULT_STORAGE, name, config, { heartbeatTimeout: o.heartbeatTimeout, onWait: o.onWait, onReplace: o.onReplace, onProgress: o.onProgress, team: workers.team });
  const ctx: StrategyContext = { setup, run, options: o, cost: { sampleGrads: 0, passes: 0, seconds: 0 }, foldSolutions: new Map() };
  const helpers = workers.processes > 1 ? startLocalWorkers(workers.processes - 1, o, name, workers.threads) : undefined;
  if (helpers) o.onWorkers?.(workers.processes, workers.threads);
  let finished = false;
  try {
    const outcome = await STRATEGY_REGISTRY[o.strategy].run(ctx);
    // bayes chooses by its process's curve, which reads every finished trial in run order; the rest by the one λ rule.
    const choice = chooseWithInterval(outcome.candidates ?? outcome.points, { posterior: posteriorRange(o.strategy, o.logRange) });
    if (!choice) throw new InvalidOptionError(`Every trial of study '${name}' failed (${outcome.points.map((p) => p.reason).filter(Boolean)[0] ?? 'no trial completed'}). ${setup.plan.solver === 'exact' ? 'Narrow the λ range (--lambdas or --log-range)' : 'Lower --lr or narrow the λ range (--lambdas or --log-range)'}.`);
    const select = o.select ?? DEFAULTS.select;
    const chosen: Config = { lambda: select === '1se' ? choice.lambda1se : choice.lambdaMin, dropout: choice.dropout };
    // Strategies with their own refit (ridge, evidence) report its metrics; a model, when asked for, is refitted here.
    const refitted = outcome.refit && !o.keepModel ? { refit: outcome.refit } : await refitAndTest(ctx, chosen, o.keepModel ?? false, outcome.points);
    const refit = outcome.refit ?? refitted.refit;
    // Strategies that do not extend their range still say when the best λ sits on its edge.
    const edge = o.strategy === 'evidence' ? undefined : edgeOf(outcome.points.filter((p) => p.dropout === choice.dropout), choice.lambdaMin);
    const edgeWarning = outcome.edgeWarning ?? (edge ? describeEdge(edge, choice.lambdaMin, outcome.points.map((p) => p.lambda)) : undefined);
    finished = true;
    const m = setup.train.n;
    const idle = noTimeToAct(
      outcome.points.filter((p) => p.rung === undefined && p.lambdaTimescaleEpochs !== undefined && p.epochsTrained !== undefined).map((p) => ({ lambda: p.lambda, lambdaTimescaleEpochs: p.lambdaTimescaleEpochs!, epochsTrained: p.epochsTrained! })),
      setup.plan.convention,
    );
    const patienceWarning = setup.patience === undefined ? undefined : stoppedLongerWarning(outcome.points, choice.best, setup.patience, setup.plan.epochBudget);
    const arch = setup.architecture(choice.dropout);
    const units = { m, batchSize: setup.plan.batchSize, lr: setup.plan.lr, ...(setup.plan.solver === 'sgd' ? { optimizer: setup.plan.optimizer.name } : {}) };
    const validated = STRATEGY_REGISTRY[o.strategy].usesValidation;
    // Without validation data (LOO, the evidence) there is no scatter to read a range from.
    const interval = validated ? choice.interval : unvalidatedInterval(choice.lambdaMin, o.strategy);
    return {
      strategy: o.strategy,
      study: name,
      scheme: outcome.scheme,
      best_lambda: choice.lambdaMin,
      lambda_1se: choice.lambda1se,
      best_dropout: choice.dropout,
      select,
      convention: setup.plan.convention,
      m,
      batch_size: setup.plan.batchSize,
      plan: runPlanJson(setup.plan),
      conversions: conversionsOf(choice.lambdaMin, setup.plan.convention, units),
      ...(validated ? { conversions_1se: conversionsOf(choice.lambda1se, setup.plan.convention, units) } : {}),
      lambda_interval: interval,
      conversions_interval: { low: conversionsOf(interval.low, setup.plan.convention, units), high: conversionsOf(interval.high, setup.plan.convention, units) },
      user_conventions: headlineConventions(arch),
      trials: sortedByLambda(outcome.points).map(trialRow),
      refit,
      cost: { sample_grads: Math.round(ctx.cost.sampleGrads), epochs: ctx.cost.sampleGrads / m, seconds: (performance.now() - t0) / 1000, passes: ctx.cost.passes },
      range_extended: outcome.rangeExtended,
      trials_from_store: run.counts.fromStore,
      trials_trained: run.counts.trained,
      trials_by_others: run.counts.total - run.counts.fromStore - run.counts.trained,
      ...(edgeWarning ? { edge_warning: edgeWarning } : {}),
      ...(classWarning ? { class_warning: classWarning } : {}),
      ...(outcome.noise ? { noise: outcome.noise } : {}),
      ...(patienceWarning ? { patience_warning: patienceWarning } : {}),
      ...(idle ? { acted_warning: idle.message, no_time_to_act: { threshold: idle.threshold, side: idle.side, epochs: idle.epochs } } : {}),
      ...(outcome.evidence ? { evidence: outcome.evidence } : {}),
      ...('model' in refitted && refitted.model ? { model: refitted.model } : {}),
      curve: choice.curve.map((p) => ({ lambda: p.lambda, valMean: p.mean, valSe: Number.isFinite(p.se) ? p.se : 0, ...(Number.isFinite(p.trainMean) ? { trainMean: p.trainMean } : {}) })),
    };
  } finally {
    await helpers?.stop(!finished);
    await run.close();
  }
}

/** Refuses λ whose penalty step alone is unstable before any trial exists, so none is recorded as diverged. */
function assertSafeStart(o: TuneOptions, setup: TuneSetup): void {
  if (o.strategy === 'ridge' || o.strategy === 'evidence') return;
  // A log range without points (bayes samples between its ends) is judged by its ends.
  const lambdas = o.logRange && !o.lambdas && o.logRange.n < 1 ? [o.logRange.lo, o.logRange.hi] : initialLambdas({ options: o }).lambdas;
  assertSafeGrid(lambdas, setup.plan.lambdaLimit, setup.plan.convention, o.lambdas ? '--lambdas' : '--log-range');
}

/** The study's config: the strategy's settings, the data's identity, the model and the convention (a study resumes only under the same). */
function studyConfig(o: TuneOptions, setup: TuneSetup) {
  const strategyConfig = {
    kind: o.strategy,
    lambdas: o.lambdas ?? null,
    logRange: o.logRange ?? null,
    dropouts: o.dropouts ?? DEFAULTS.dropouts,
    extend: o.extend ?? true,
    eta: o.eta ?? null,
    minEpochs: o.minEpochs ?? null,
    trials: o.trials ?? null,
    pathEpochs: o.pathEpochs ?? null,
  };
  return { strategy: strategyConfig, data: setup.identity, model: o.model, convention: setup.plan.convention };
}

/** One trial as the result lists it. */
function trialRow(p: StrategyOutcome['points'][number]) {
  return {
    lambda: p.lambda,
    dropout: p.dropout,
    cv_mean: Number.isFinite(p.mean) ? p.mean : null,
    cv_se: Number.isFinite(p.se) ? p.se : null,
    train_mean: Number.isFinite(p.trainMean) ? p.trainMean : null,
    state: p.state,
    ...(p.rung !== undefined ? { rung: p.rung } : {}),
    ...(p.reason ? { reason: p.reason } : {}),
    ...(p.prunedValue !== undefined && Number.isFinite(p.prunedValue) ? { pruned_value: p.prunedValue } : {}),
    ...(p.lambdaTimescaleEpochs !== undefined ? { lambda_timescale_epochs: p.lambdaTimescaleEpochs, converged: p.converged ?? false, epochs_trained: p.epochsTrained } : {}),
  };
}

/** Trials in table order: by rung, dropout and λ (a range extension appends its λ last). */
function sortedByLambda<P extends { lambda: number; dropout: number; rung?: number }>(points: readonly P[]): P[] {
  return [...points].sort((a, b) => (a.rung ?? -1) - (b.rung ?? -1) || a.dropout - b.dropout || a.lambda - b.lambda);
}
