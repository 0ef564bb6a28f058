/** Grid search: every (λ, dropout) scored by k-fold CV or hold-out, extending a log range while λ_min sits on its edge. */
import { DEFAULTS } from '../../options/defaults.js';
import { chooseLambda } from '../choose-lambda.js';
import { describeEdge, edgeOf, extendLogRange } from '../samplers/range.js';
import { logSpace } from '../closed-form/ridge.js';
import { safeExtensionLimits } from '../../plan/penalty-limits.js';
import { scoreConfigs } from '../scoring/score.js';
import type { Config } from '../scoring/config-score.js';
import { trialPoint, type TrialPoint } from '../trials/study-run.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';

export function initialLambdas(ctx: Pick<StrategyContext, 'options'>): { lambdas: number[]; log: boolean } {
  const o = ctx.options;
  if (o.lambdas) return { lambdas: o.lambdas, log: false };
  const r = o.logRange ?? DEFAULTS.logRange;
  return { lambdas: logSpace(r.lo, r.hi, r.n), log: true };
}

export async function runGrid(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const dropouts = options.dropouts ?? DEFAULTS.dropouts;
  let { lambdas, log } = initialLambdas(ctx);
  const all: number[] = [...lambdas];
  let rangeExtended = false;
  let points: TrialPoint[] = [];
  for (;;) {
    const configs: Config[] = dropouts.flatMap((dropout) => lambdas.map((lambda) => ({ lambda, dropout })));
    const trials = await run.trials(configs);
    await run.run(trials, (cs, _, signal) => scoreConfigs(setup, cs, setup.plan.epochs, undefined, ctx.cost, signal), undefined, options.populationSize);
    const allTrials = await run.trials(dropouts.flatMap((dropout) => all.map((lambda) => ({ lambda, dropout }))));
    points = allTrials.map((t) => trialPoint(t));
    const choice = chooseLambda(points.filter((p) => p.state === 'COMPLETE'));
    if (!choice) break;
    const { lambdaMin } = choice;
    const edge = edgeOf(points.filter((p) => p.dropout === choice.dropout), lambdaMin);
    if (!edge) break;
    const more = log && (options.extend ?? true) ? extendLogRange(all, edge, { limits: safeExtensionLimits(setup.plan.lambdaLimit) }) : [];
    if (more.length === 0) {
      return { scheme: setup.scheme, points, rangeExtended, edgeWarning: describeEdge(edge, lambdaMin, all) + (rangeExtended ? ' (the range was extended to its limit)' : '') };
    }
    rangeExtended = true;
    lambdas = more;
    all.push(...more);
  }
  return { scheme: setup.scheme, points, rangeExtended };
}
