/**
 * Successive halving (Jamieson & Talwalkar 2016) on epochs: every λ of a log range trains a few
 * epochs, the best 1/η go on to η× the budget (warm-started from where they stopped), until the
 * full budget. Each rung is one population pass. A rung judges only the λ that had time to act in
 * its budget (τ ≤ budget, promoteActed): the others go on unjudged, and of those that cannot act
 * within the full budget one goes on for all.
 */
import { DEFAULTS } from '../../options/defaults.js';
import { logSpace } from '../closed-form/ridge.js';
import { promote, promoteActed, rungSchedule } from '../pruners/successive-halving.js';
import { scoreConfigs, trialTimescale } from '../scoring/score.js';
import type { Config } from '../scoring/config-score.js';
import { trialPoint, trialKey, type TrialPoint } from '../trials/study-run.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';

export async function runSuccessiveHalving(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const eta = options.eta ?? DEFAULTS.eta;
  const r = options.logRange ?? { lo: 1e-3, hi: 1e2, n: 27 };
  const lambdas = options.lambdas ?? logSpace(r.lo, r.hi, r.n);
  const dropout = 0; // tune() refuses --dropout here: one λ axis only
  const budgets = rungSchedule(options.minEpochs ?? DEFAULTS.minEpochs, setup.plan.epochBudget, eta);
  let configs: Config[] = lambdas.map((lambda) => ({ lambda, dropout }));
  const warm = new Map<string, Float64Array[][]>();
  const points: (TrialPoint & { rung: number })[] = [];
  let last: TrialPoint[] = [];
  for (let rung = 0; rung < budgets.length && configs.length > 0; rung++) {
    const trials = await run.trials(configs, { rung });
    const finished = await run.run(trials, async (cs, _, signal) => {
      // Promoted configs continue from the previous rung's parameters (this process kept them);
      // after a resume they are gone, and the rung trains from scratch to its full budget.
      const starts = cs.map((c) => warm.get(trialKey(c)));
      const continuing = rung > 0 && starts.every((p) => p !== undefined);
      const epochs = continuing ? budgets[rung] - budgets[rung - 1] : budgets[rung];
      const scores = await scoreConfigs(setup, cs, epochs, continuing ? starts : undefined, ctx.cost, signal);
      scores.forEach((sc, i) => warm.set(trialKey(cs[i]), sc.params));
      return scores;
    });
    last = finished.map(trialPoint);
    points.push(...last.map((p) => ({ ...p, rung })));
    const results = finished.map((t, i) => ({ id: i, value: t.state === 'COMPLETE' ? t.value! : NaN, tau: trialTimescale(setup, configs[i].lambda) }));
    const ids = setup.plan.solver === 'exact' ? promote(results, eta) : promoteActed(results, budgets[rung], setup.plan.epochBudget, eta);
    configs = rung + 1 < budgets.length ? ids.map((i) => configs[i]) : [];
  }
  return { scheme: `${setup.scheme}, successive halving η=${eta}, budgets ${budgets.join('/')} epochs, each rung judging only the λ that acted (τ ≤ its budget)`, points, candidates: last, rangeExtended: false };
}
