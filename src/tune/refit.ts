/** The refit at the chosen configuration: trained on the whole training part, scored on the test split, done once per study. */
import { L2labError } from '../errors.js';
import { describeSolve } from '../solvers/solve.js';
import { metricsOf, problemOf, thetaOf } from '../solvers/model-rows.js';
import { fitExact } from '../train/fit-exact.js';
import { solverReport } from '../train/solver-option.js';
import { runOnce } from '../study/index.js';
import { evaluateParams } from '../train/fit.js';
import { train } from '../train/trainer.js';
import type { TrainedModel } from '../models/trained-model.js';
import type { Config } from './scoring/config-score.js';
import type { StrategyContext } from './strategy.js';
import { configKey } from './scoring/score.js';
import { refitMember, refitRecord } from './scoring/refit-member.js';
import type { TrialPoint } from './trials/study-run.js';
import type { TuneSetup } from './setup.js';
import type { Refit } from './trials/trial-result.js';

/** What a refit reads of the strategy's context: the setup, the cost counter, and the exact solver's fold solutions. */
export type RefitContext = Pick<StrategyContext, 'setup' | 'cost' | 'foldSolutions'>;

/** The mean over folds of their solutions (θ vectors), the refit's warm start; undefined without any. */
function meanSolution(folds: Float64Array[][] | undefined): Float64Array | undefined {
  if (!folds?.length) return undefined;
  const thetas = folds.map(thetaOf);
  const mean = new Float64Array(thetas[0].length);
  for (const t of thetas) for (let j = 0; j < t.length; j++) mean[j] += t[j] / thetas.length;
  return mean;
}

/** The exact solve of the refit in the training loop's result shape; a solve that does not converge is an error. */
async function refitExact(ctx: RefitContext, c: Config) {
  const { setup } = ctx;
  const pen = setup.plan.coefficients(c.lambda, setup.train.n);
  const arch = setup.architecture(c.dropout);
  const f = await fitExact(arch, setup.train, undefined, pen.coupled + pen.decoupled, meanSolution(ctx.foldSolutions.get(configKey(c))));
  if (!f.solve.converged) throw new L2labError('NOT_CONVERGED', `The refit at λ = ${c.lambda}: ${describeSolve(f.solve)}. Choose λ from the trials that completed, or narrow the range.`);
  const test = metricsOf(arch, problemOf(arch, setup.test, undefined, 0), f.solve.theta);
  return { members: [{ params: f.params }], sampleGrads: f.solve.passes * setup.train.n, passes: 0, report: solverReport(f.solve), test };
}

/**
 * The refit at the chosen configuration, done once per study: one worker stores its test metrics as a
 * study attribute (see runOnce); the others, and later runs, read them. A grid trial whose population
 * carried the refit (see refitsInPopulation) holds it in its result, found among `points`: then nothing
 * is trained here, and the attribute is still written, where the dashboard and the other workers read
 * it. Without one (a trial stored before refit members, a strategy or setup without them) the refit
 * trains here. A model, when asked for, is refitted here: the store keeps the metrics, not the parameters.
 */
export async function refitAndTest(ctx: StrategyContext, c: Config, keepModel: boolean, points: readonly TrialPoint[]): Promise<{ refit: Refit; model?: TrainedModel }> {
  const { run } = ctx;
  const key = `refit:${c.lambda}:${c.dropout}`;
  const point = points.find((p) => p.lambda === c.lambda && p.dropout === c.dropout);
  const epochs = refitEpochs(ctx.setup, point);
  if (keepModel) {
    const here = await refitHere(ctx, c, epochs);
    await run.storage.setStudyAttr(run.study.id, key, here.refit as never);
    return { refit: here.refit, model: ctx.setup.modelOf(ctx.setup.architecture(c.dropout), here.params, c.lambda) };
  }
  const trained = point?.refit;
  const name = `the refit at λ=${c.lambda}${c.dropout ? `, dropout ${c.dropout}` : ''}`;
  const { value } = await runOnce(run.storage, run.study.id, key, async () => (trained ?? (await refitHere(ctx, c, epochs)).refit) as never, { name, onWait: ctx.options.onWait });
  return { refit: value as unknown as Refit };
}

/**
 * The epochs the refit trains under early stopping (`--patience`): the chosen trial's scored epoch
 * (its folds' best, averaged), at least 1. Its λ was chosen by the validation loss at that epoch, so
 * the refit trains as long: trained to the budget instead, a small λ whose trials stopped early
 * overfits in the refit (Goodfellow, Bengio & Courville, Deep Learning, §7.8, retraining on all the
 * data for the epochs early stopping found). Undefined without early stopping: the run plan's epochs.
 */
export function refitEpochs(setup: TuneSetup, point: TrialPoint | undefined): number | undefined {
  if (setup.patience === undefined || point?.scoredEpoch === undefined) return undefined;
  return Math.max(1, Math.round(point.scoredEpoch));
}

/** Trains on the whole training part at `c` (the member refitMember describes; for `epochs` when given) and scores the test split. */
export async function refitHere(ctx: RefitContext, c: Config, epochs?: number): Promise<{ refit: Refit; params: Float64Array[] }> {
  const { setup } = ctx;
  const arch = setup.architecture(c.dropout);
  const exact = setup.plan.solver === 'exact' ? await refitExact(ctx, c) : undefined;
  const r = exact ?? await train(setup.train, undefined, { ...setup.trainOptions(arch), ...(epochs !== undefined ? { epochs } : {}), members: [refitMember(setup, c)] });
  ctx.cost.sampleGrads += r.sampleGrads;
  ctx.cost.passes += r.passes;
  // The exact fit is scored in float64 as it was solved, without starting the engine.
  const m = exact ? exact.test : await evaluateParams(arch, r.members[0].params, setup.test, setup.threads);
  const trained = 'history' in r.members[0] ? r.members[0].history[r.members[0].history.length - 1].epoch : 0;
  return { refit: refitRecord(c, trained, m, exact?.report), params: r.members[0].params };
}
