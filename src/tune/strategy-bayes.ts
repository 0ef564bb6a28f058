/**
 * Bayesian optimization of the CV (or hold-out) loss over log10 λ: a Gaussian process with expected
 * improvement (Snoek, Larochelle & Adams 2012), from a few space-filling points, until `trials` or
 * until the improvement expected is negligible. Proposals are a deterministic function of the
 * finished trials, so a resumed study replays them and reuses what is stored.
 */
import { BayesSampler } from './bayes-sampler.js';
import { scoreConfigs } from './score.js';
import { trialPoint, type TrialPoint } from './study-run.js';
import type { StrategyContext, StrategyOutcome } from './strategy.js';

/** λ values as stored: 10 significant digits, so keys are stable across processes and x moves by < 1e-9. */
const tidy = (x: number): number => Number((10 ** x).toPrecision(10));

export async function runBayes(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const r = options.logRange ?? { lo: 1e-3, hi: 1e2, n: 0 };
  const maxTrials = options.trials ?? 15;
  const dropout = 0; // tune() refuses --dropout here: one λ axis only
  const sampler = new BayesSampler({ lo: Math.log10(r.lo), hi: Math.log10(r.hi) });
  const points: TrialPoint[] = [];
  const observations: { x: number; y: number }[] = [];
  const evaluate = async (x: number): Promise<void> => {
    const lambda = tidy(x);
    const [trial] = await run.trials([{ lambda, dropout }]);
    const [done] = await run.run([trial], (cs, _, signal) => scoreConfigs(setup, cs, setup.trainEpochs, undefined, ctx.cost, signal));
    const p = trialPoint(done);
    points.push(p);
    // A diverged λ counts as the worst value seen, so the sampler steers away from it.
    const worst = observations.reduce((a, o) => Math.max(a, o.y), -Infinity);
    observations.push({ x: Math.log10(lambda), y: Number.isFinite(p.mean) ? p.mean : Number.isFinite(worst) ? worst : 1e6 });
  };
  for (const x of sampler.initialPoints(Math.min(4, maxTrials))) await evaluate(x);
  while (points.length < maxTrials) {
    const next = sampler.propose(observations);
    if (sampler.shouldStop(observations, next.expectedImprovement)) break;
    await evaluate(next.x);
  }
  return { scheme: `${setup.scheme}, Gaussian-process expected improvement over log10 λ in [${Math.log10(r.lo)}, ${Math.log10(r.hi)}], ${points.length} trials`, points, rangeExtended: false };
}
