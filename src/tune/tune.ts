/** `tune()`: choose λ by a strategy, keep every trial in a study, refit at the chosen λ and score it on the test split. */
import { createHash } from 'node:crypto';
import { InvalidOptionError } from '../errors.js';
import type { StudyStorage, WaitEvent } from '../study/index.js';
import { DEFAULT_STORAGE } from '../study/index.js';
import { evaluateParams } from '../train/fit.js';
import { train } from '../train/trainer.js';
import { oneStandardError } from './one-se.js';
import { describeEdge, edgeOf } from './range.js';
import type { Config } from './score.js';
import { createSetup, type TuneDataOptions, type TuneSetup, type TuneTrainOptions } from './setup.js';
import { StudyRun, type TrialPoint } from './study-run.js';
import { runGrid } from './strategy-grid.js';
import { runSuccessiveHalving } from './strategy-sh.js';
import { runBayes } from './strategy-bayes.js';
import { runPath } from './strategy-path.js';
import { runRidge } from './strategy-ridge.js';
import { runEvidence, type EvidenceReport } from './strategy-evidence.js';

export type StrategyName = 'grid' | 'sh' | 'bayes' | 'ridge' | 'path' | 'evidence';
export const STRATEGIES: readonly StrategyName[] = ['grid', 'sh', 'bayes', 'ridge', 'path', 'evidence'];

export interface TuneOptions extends TuneDataOptions, TuneTrainOptions {
  strategy: StrategyName;
  /** λ values to try (grid): e.g. parseLambdas('0.01:0.4:0.01'). */
  lambdas?: number[];
  /** Log-spaced λ range [lo, hi] with n points (grid, sh, bayes bounds, path, ridge). */
  logRange?: { lo: number; hi: number; n: number };
  /** Dropout values to tune with λ (grid). Default [0]. */
  dropouts?: number[];
  /** Which λ the refit uses: the CV minimum or the largest within one SE of it. Default 'min'. */
  select?: 'min' | '1se';
  /** Extend a log range while the best λ sits on its edge. Default true. */
  extend?: boolean;
  /** sh: reduction factor η. Default 3. */
  eta?: number;
  /** sh: epochs of the first rung. Default 1. */
  minEpochs?: number;
  /** bayes: maximum trials. Default 15. */
  trials?: number;
  /** path: epochs per λ on the warm-started path. Default 5. */
  pathEpochs?: number;
  /** Configurations per engine pass (each trains with all its folds as one population); finished passes are saved. Default: all. */
  populationSize?: number;
  /** Study storage: a SQLite path or a postgres:// URL, or an open storage. Default ./l2lab.db. */
  storage?: string | StudyStorage;
  /** Study name. Default: strategy, data and model with a hash of the whole configuration. */
  study?: string;
  /** Seconds without a heartbeat after which another worker's RUNNING trial is run here instead (with a `storage` path or URL). Default 60. */
  heartbeatTimeout?: number;
  /** Called when this worker waits on trials other workers run on the same study. */
  onWait?: (e: WaitEvent) => void;
}

export interface TrialSummary {
  lambda: number;
  dropout: number;
  cv_mean: number | null;
  cv_se: number | null;
  train_mean: number | null;
  state: string;
  rung?: number;
  reason?: string;
}

export interface TuneResult {
  strategy: StrategyName;
  study: string;
  scheme: string;
  best_lambda: number;
  lambda_1se: number;
  best_dropout: number;
  select: 'min' | '1se';
  convention: string;
  trials: TrialSummary[];
  refit: { lambda: number; dropout: number; epochs: number; test_loss: number; test_accuracy?: number; test_rmse?: number };
  cost: { sample_grads: number; epochs: number; seconds: number; passes: number };
  range_extended: boolean;
  /** Set when the chosen λ lies on the edge of the range tried. */
  edge_warning?: string;
  /** Points of the validation curve at the best dropout (for plots). */
  curve: { lambda: number; valMean: number; valSe: number; trainMean?: number }[];
  /** The evidence strategy's γ, log evidence curve and online re-estimates. */
  evidence?: EvidenceReport;
}

/** What a strategy hands back to tune(). */
export interface StrategyOutcome {
  scheme: string;
  points: (TrialPoint & { rung?: number })[];
  /** Points the choice is made on (e.g. the last rung of SH); default all COMPLETE points. */
  candidates?: TrialPoint[];
  rangeExtended: boolean;
  edgeWarning?: string;
  /** Strategies with their own refit (ridge, evidence) give the test metrics directly. */
  refit?: TuneResult['refit'];
  evidence?: EvidenceReport;
}

export interface StrategyContext {
  setup: TuneSetup;
  run: StudyRun;
  options: TuneOptions;
  cost: { sampleGrads: number; passes: number; seconds: number };
}

function defaultStudyName(o: TuneOptions, config: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
  const data = typeof o.data === 'string' ? o.data.replace(/^.*\//, '') : o.data.name;
  return `${o.strategy}-${data}-${o.model}-${hash}`;
}

export async function tune(o: TuneOptions): Promise<TuneResult> {
  const t0 = performance.now();
  if (!STRATEGIES.includes(o.strategy)) throw new InvalidOptionError(`Unknown --strategy '${o.strategy}'. Use one of: ${STRATEGIES.join(', ')}.`);
  if (o.select !== undefined && o.select !== 'min' && o.select !== '1se') throw new InvalidOptionError(`--select must be min or 1se. Got '${o.select}' instead.`);
  const setup = createSetup(o, o);
  const strategyConfig = {
    kind: o.strategy,
    lambdas: o.lambdas ?? null,
    logRange: o.logRange ?? null,
    dropouts: o.dropouts ?? [0],
    extend: o.extend ?? true,
    eta: o.eta ?? null,
    minEpochs: o.minEpochs ?? null,
    trials: o.trials ?? null,
    pathEpochs: o.pathEpochs ?? null,
  };
  const config = { strategy: strategyConfig, data: setup.identity, model: o.model, convention: setup.convention };
  const name = o.study ?? defaultStudyName(o, config);
  const run = await StudyRun.open(o.storage ?? DEFAULT_STORAGE, name, config, { heartbeatTimeout: o.heartbeatTimeout, onWait: o.onWait });
  const ctx: StrategyContext = { setup, run, options: o, cost: { sampleGrads: 0, passes: 0, seconds: 0 } };
  try {
    const outcome = await { grid: runGrid, sh: runSuccessiveHalving, bayes: runBayes, ridge: runRidge, path: runPath, evidence: runEvidence }[o.strategy](ctx);
    const candidates = (outcome.candidates ?? outcome.points).filter((p) => p.state === 'COMPLETE');
    if (candidates.length === 0) throw new InvalidOptionError(`Every trial of study '${name}' failed (${outcome.points.map((p) => p.reason).filter(Boolean)[0] ?? 'no trial completed'}). Lower --lr or narrow the λ range.`);
    const best = candidates.reduce((a, b) => (b.mean < a.mean ? b : a));
    const sameDropout = candidates.filter((p) => p.dropout === best.dropout);
    const choice = oneStandardError(sameDropout.map((p) => ({ lambda: p.lambda, mean: p.mean, se: p.se })));
    const select = o.select ?? 'min';
    const chosen: Config = { lambda: select === '1se' ? choice.lambda1se : choice.lambdaMin, dropout: best.dropout };
    const refit = outcome.refit ?? (await refitAndTest(ctx, chosen));
    // Strategies that do not extend their range still say when the best λ sits on its edge.
    const edge = o.strategy === 'evidence' ? undefined : edgeOf(outcome.points.filter((p) => p.dropout === best.dropout), choice.lambdaMin);
    const edgeWarning = outcome.edgeWarning ?? (edge ? describeEdge(edge, choice.lambdaMin, outcome.points.map((p) => p.lambda)) : undefined);
    const m = setup.train.n;
    return {
      strategy: o.strategy,
      study: name,
      scheme: outcome.scheme,
      best_lambda: choice.lambdaMin,
      lambda_1se: choice.lambda1se,
      best_dropout: best.dropout,
      select,
      convention: setup.convention,
      trials: outcome.points.map((p) => ({
        lambda: p.lambda,
        dropout: p.dropout,
        cv_mean: Number.isFinite(p.mean) ? p.mean : null,
        cv_se: Number.isFinite(p.se) ? p.se : null,
        train_mean: Number.isFinite(p.trainMean) ? p.trainMean : null,
        state: p.state,
        ...(p.rung !== undefined ? { rung: p.rung } : {}),
        ...(p.reason ? { reason: p.reason } : {}),
      })),
      refit,
      cost: { sample_grads: Math.round(ctx.cost.sampleGrads), epochs: ctx.cost.sampleGrads / m, seconds: (performance.now() - t0) / 1000, passes: ctx.cost.passes },
      range_extended: outcome.rangeExtended,
      ...(edgeWarning ? { edge_warning: edgeWarning } : {}),
      ...(outcome.evidence ? { evidence: outcome.evidence } : {}),
      curve: sameDropout
        .sort((a, b) => a.lambda - b.lambda)
        .map((p) => ({ lambda: p.lambda, valMean: p.mean, valSe: Number.isFinite(p.se) ? p.se : 0, ...(Number.isFinite(p.trainMean) ? { trainMean: p.trainMean } : {}) })),
    };
  } finally {
    await run.close();
  }
}

/** Trains on the whole training part at the chosen configuration and scores the test split (stored as a study attribute). */
async function refitAndTest(ctx: StrategyContext, c: Config): Promise<TuneResult['refit']> {
  const { setup, run } = ctx;
  const key = `refit:${c.lambda}:${c.dropout}`;
  const attrs = await run.storage.getStudyAttrs(run.study.id);
  if (attrs[key]) return attrs[key] as unknown as TuneResult['refit'];
  const arch = setup.architecture(c.dropout);
  const r = await train(setup.train, undefined, { ...setup.trainOptions(arch), members: [{ penalty: setup.coefficients(c.lambda, setup.train.n), lr: setup.lr }] });
  ctx.cost.sampleGrads += r.sampleGrads;
  ctx.cost.passes += r.passes;
  const m = await evaluateParams(arch, r.members[0].params, setup.test, setup.threads);
  const refit: TuneResult['refit'] = { lambda: c.lambda, dropout: c.dropout, epochs: setup.epochs, test_loss: m.loss };
  if (m.accuracy !== undefined) refit.test_accuracy = m.accuracy;
  if (m.rmse !== undefined) refit.test_rmse = m.rmse;
  await run.storage.setStudyAttr(run.study.id, key, refit as never);
  return refit;
}
