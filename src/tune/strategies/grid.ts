/** Grid search: every (λ, dropout) scored by k-fold CV or hold-out, extending a log range while λ_min sits on its edge. */
import { DEFAULTS, defaultLogRange } from '../../options/defaults.js';
import { chooseLambda } from '../choose-lambda.js';
import { describeEdge, edgeOf, extendLogRange } from '../samplers/range.js';
import { logSpace } from '../closed-form/ridge.js';
import { safeExtensionLimits } from '../../plan/penalty-limits.js';
import { scoreInRun } from '../scoring/score.js';
import { briefTrials } from '../setup.js';
import { refitsInPopulation } from '../scoring/refit-member.js';
import type { Config } from '../scoring/config-score.js';
import { trialPoint, type TrialPoint } from '../trials/study-run.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';
import { finishedTrials, pendingTrials, withRepeats, type Proposal, type ProposalInput } from '../propose.js';

export function initialLambdas(ctx: Pick<StrategyContext, 'options'>): { lambdas: number[]; log: boolean } {
  const o = ctx.options;
  if (o.lambdas) return { lambdas: o.lambdas, log: false };
  const r = o.logRange ?? defaultLogRange('grid');
  return { lambdas: logSpace(r.lo, r.hi, r.n), log: true };
}

export async function runGrid(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const dropouts = options.dropouts ?? DEFAULTS.dropouts;
  let { lambdas, log } = initialLambdas(ctx);
  const all: number[] = [...lambdas];
  let rangeExtended = false;
  let points: TrialPoint[] = [];
  const refits = refitsInPopulation(setup, options.keepModel ?? false);
  for (;;) {
    const configs: Config[] = dropouts.flatMap((dropout) => lambdas.map((lambda) => ({ lambda, dropout })));
    const trials = await run.trials(configs);
    const claims = { chunk: options.populationSize, brief: briefTrials(setup, trials.length) };
    // Every trial trains to its full epochs, so each can carry its config's refit, stored with its result (tune reads it there).
    await run.run(trials, (cs, _, signal) => scoreInRun(ctx, cs, setup.plan.epochs, { signal, refits }), (s) => (s.refit ? { refit: s.refit } : {}), claims);
    const allTrials = await run.trials(dropouts.flatMap((dropout) => all.map((lambda) => ({ lambda, dropout }))));
    points = allTrials.map((t) => trialPoint(t));
    const next = gridExtension(all, points, log && (options.extend ?? true), safeExtensionLimits(setup.plan.lambdaLimit));
    if ('more' in next) {
      rangeExtended = true;
      lambdas = next.more;
      all.push(...next.more);
      continue;
    }
    if (next.edgeWarning) return { scheme: setup.scheme, points, rangeExtended, edgeWarning: next.edgeWarning + (rangeExtended ? ' (the range was extended to its limit)' : '') };
    break;
  }
  return { scheme: setup.scheme, points, rangeExtended };
}

/**
 * After a pass of the grid: the λ to add past the edge its best λ sits on (`extend`: a log grid
 * whose extension is on), or, when none can be added, the edge warning (none when the best λ is
 * inside the grid or nothing completed).
 */
export function gridExtension(all: readonly number[], points: readonly TrialPoint[], extend: boolean, limits: readonly [number, number]): { more: number[] } | { edgeWarning?: string } {
  const choice = chooseLambda(points.filter((p) => p.state === 'COMPLETE'));
  if (!choice) return {};
  const edge = edgeOf(points.filter((p) => p.dropout === choice.dropout), choice.lambdaMin);
  if (!edge) return {};
  const more = extend ? extendLogRange(all, edge, { limits }) : [];
  return more.length > 0 ? { more } : { edgeWarning: describeEdge(edge, choice.lambdaMin, all) };
}

/**
 * The grid as a proposer (ask/tell): every value at once, then, once all finished, the extension
 * of a log range whose best λ sits on its edge (as tune extends it), until none is left.
 */
export function proposeGrid(input: ProposalInput): Proposal {
  const epochs = input.plan.epochBudget;
  const values = input.lambdas ?? logSpace(input.range.lo, input.range.hi, input.range.n);
  if (input.trials.length === 0) return { trials: withRepeats(values, input.repeats).map((t) => ({ ...t, epochs })) };
  const running = pendingTrials(input.trials).length;
  if (running > 0) return { wait: `${running} of the grid's ${input.trials.length} trials are still running; its range is extended, or the search ends, once they finish` };
  if (input.lambdas || input.repeats > 1) return { done: `every λ of the grid (${values.length}) was evaluated${input.repeats > 1 ? ` ${input.repeats} times` : ''}` };
  const all = [...new Set(input.trials.map((t) => t.params.lambda))];
  const next = gridExtension(all, finishedTrials(input.trials).map(trialPoint), true, safeExtensionLimits(input.plan.lambdaLimit));
  if ('more' in next) return { trials: next.more.map((lambda) => ({ lambda, epochs })) };
  return { done: `every λ of the grid (${all.length}) was evaluated${next.edgeWarning ? `; warning: ${next.edgeWarning}` : ''}` };
}
