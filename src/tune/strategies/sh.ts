/**
 * Successive halving (Jamieson & Talwalkar 2016) on epochs: every λ of a log range trains a few
 * epochs, the best 1/η go on to η× the budget (warm-started from where they stopped), until the
 * full budget. Each rung is one population pass. A rung judges only the λ that had time to act in
 * its budget (τ ≤ budget, promoteActed): the others go on unjudged, and of those that cannot act
 * within the full budget one goes on for all.
 */
import { DEFAULTS, defaultLogRange } from '../../options/defaults.js';
import { logSpace } from '../closed-form/ridge.js';
import { promote, promoteActed, rungSchedule, type TimedRungResult } from '../pruners/successive-halving.js';
import { scoreInRun, trialTimescale } from '../scoring/score.js';
import type { Config } from '../scoring/config-score.js';
import { trialPoint, trialKey, type TrialPoint } from '../trials/study-run.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';
import { pendingTrials, withRepeats, type Proposal, type ProposalInput } from '../propose.js';
import type { Trial } from '../../study/index.js';

/**
 * Which trials of a finished rung go on (indices into `results`): judged only once their λ acted
 * (promoteActed) when `timed`, by plain halving (promote) when λ has no timescale (the exact
 * solver; Adam with a coupled penalty, where τ is unknown before training).
 */
export function nextRung(results: readonly TimedRungResult[], budget: number, maxEpochs: number, eta: number, timed: boolean): number[] {
  return timed ? promoteActed(results, budget, maxEpochs, eta) : promote(results, eta);
}

export async function runSuccessiveHalving(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const eta = options.eta ?? DEFAULTS.eta;
  const r = options.logRange ?? defaultLogRange('sh');
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
      const scores = await scoreInRun(ctx, cs, epochs, { warm: continuing ? starts : undefined, signal });
      scores.forEach((sc, i) => warm.set(trialKey(cs[i]), sc.params));
      return scores;
    });
    last = finished.map(trialPoint);
    points.push(...last.map((p) => ({ ...p, rung })));
    const results = finished.map((t, i) => ({ id: i, value: t.state === 'COMPLETE' ? t.value! : NaN, tau: trialTimescale(setup, configs[i].lambda) }));
    const ids = nextRung(results, budgets[rung], setup.plan.epochBudget, eta, setup.plan.solver !== 'exact');
    configs = rung + 1 < budgets.length ? ids.map((i) => configs[i]) : [];
  }
  return { scheme: `${setup.scheme}, successive halving η=${eta}, budgets ${budgets.join('/')} epochs, each rung judging only the λ that acted (τ ≤ its budget)`, points, candidates: last, rangeExtended: false };
}

/**
 * Successive halving as a proposer (ask/tell): rung 0 is every value at the first budget; once a
 * rung has finished, the trials nextRung keeps form the next, at its budget (each trains from
 * scratch: an external loop keeps no warm start here), until the full budget. η and the first
 * budget are tune's defaults.
 */
export function proposeSh(input: ProposalInput): Proposal {
  const T = input.plan.epochBudget;
  const budgets = rungSchedule(DEFAULTS.minEpochs, T, DEFAULTS.eta);
  if (input.trials.length === 0) {
    const values = input.lambdas ?? logSpace(input.range.lo, input.range.hi, input.range.n);
    return { trials: withRepeats(values).map((t) => ({ ...t, epochs: budgets[0], rung: 0 })) };
  }
  const rungOf = (t: Trial): number => (typeof t.params.rung === 'number' ? t.params.rung : 0);
  const rung = Math.max(...input.trials.map(rungOf));
  const trials = input.trials.filter((t) => rungOf(t) === rung).sort((a, b) => a.number - b.number);
  const running = pendingTrials(trials).length;
  if (running > 0) return { wait: `rung ${rung} (${budgets[rung]} epochs): ${running} of its ${trials.length} trials are still running; the next rung is chosen once they finish` };
  if (rung + 1 >= budgets.length) return { done: `all ${budgets.length} rungs (${budgets.join('/')} epochs) were trained` };
  const results = trials.map((t, id) => ({ id, value: t.state === 'COMPLETE' ? t.value! : NaN, tau: input.plan.timescale(t.params.lambda) }));
  const timed = results.every((r) => !Number.isNaN(r.tau));
  const ids = nextRung(results, budgets[rung], T, DEFAULTS.eta, timed);
  if (ids.length === 0) return { done: `no trial of rung ${rung} completed, so none goes on` };
  return { trials: ids.map((i) => ({ lambda: trials[i].params.lambda, epochs: budgets[rung + 1], rung: rung + 1, ...(typeof trials[i].params.repeat === 'number' ? { repeat: trials[i].params.repeat } : {}) })) };
}
