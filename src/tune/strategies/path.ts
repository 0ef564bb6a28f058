/**
 * Warm-started regularization path for linear models (logistic, softmax, linear): from a large λ
 * downward, each λ's fit starts from the previous λ's solution, and every λ is scored by k-fold CV
 * (Friedman, Hastie & Tibshirani 2010, glmnet's cv.glmnet). The fold parameters are stored with each
 * trial, so a resumed path continues from the last finished λ.
 */
import { DEFAULTS } from '../../options/defaults.js';
import { InvalidOptionError } from '../../errors.js';
import { logSpace } from '../closed-form/ridge.js';
import { scoreInRun } from '../scoring/score.js';
import { trialPoint } from '../trials/study-run.js';
import { readTrialResult } from '../trials/trial-result.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';

export async function runPath(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const arch = setup.architecture(0);
  if (arch.widths.length !== 2 || arch.cnn || arch.onnx) throw new InvalidOptionError(`--strategy path follows the regularization path of a linear model: use --model logistic, softmax or linear (got ${options.model}).`);
  const m = setup.train.n;
  // Default: per-weight coefficient λ/m from 10 (everything shrunk) down to 1e-5 (almost free).
  const r = options.logRange ?? { lo: 1e-5 * m, hi: 10 * m, n: 25 };
  const lambdas = (options.lambdas ?? logSpace(r.lo, r.hi, r.n)).slice().sort((a, b) => b - a);
  const pathEpochs = options.pathEpochs ?? DEFAULTS.pathEpochs;
  let warm: Float64Array[][] | undefined;
  const finished = [];
  for (const lambda of lambdas) {
    const [trial] = await run.trials([{ lambda, dropout: 0 }]);
    const [done] = await run.run(
      [trial],
      async (cs, _, signal) => {
        const scores = await scoreInRun(ctx, cs, warm ? pathEpochs : setup.plan.epochs, { warm: warm ? [warm] : undefined, signal });
        return scores;
      },
      (s) => ({ params: s.params.map((fold) => fold.map((p) => Array.from(p))) }),
    );
    finished.push(done);
    const stored = readTrialResult(done.result, `trial ${done.number}`)?.params;
    warm = stored && done.state === 'COMPLETE' ? stored.map((fold) => fold.map((p) => Float64Array.from(p))) : undefined;
  }
  return { scheme: `${setup.scheme}, warm-started path of ${lambdas.length} λ (${pathEpochs} epochs each after the first)`, points: finished.map(trialPoint), rangeExtended: false };
}
