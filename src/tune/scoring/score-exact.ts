/** Scores λ configurations of a convex model with the exact solver: every fold solved along the λ path, warm-started. */
import { foldPath } from '../../solvers/fold-path.js';
import { describeSolve } from '../../solvers/solve.js';
import { paramsOf, thetaOf } from '../../solvers/model-rows.js';
import { meanAndSe } from '../one-se.js';
import type { Config, ConfigScore, FoldScore, ScoreCost } from './config-score.js';
import type { TuneSetup } from '../setup.js';

/**
 * Like scoreConfigs, with no epochs: each fold's validation loss is at the minimizer of its training
 * cost. A fold whose solve did not converge fails the config with the solver's reason.
 */
export async function scoreExact(setup: TuneSetup, configs: Config[], warm?: (Float64Array[][] | undefined)[], cost?: ScoreCost): Promise<ConfigScore[]> {
  const t0 = performance.now();
  const arch = setup.architecture(0);
  const rate = (lambda: number, m: number) => {
    const c = setup.plan.coefficients(lambda, m);
    return c.coupled + c.decoupled;
  };
  const starts = warm?.map((w) => w?.map(thetaOf));
  const fits = await foldPath(arch, setup.train, setup.folds, configs.map((c) => c.lambda), rate, {}, starts);
  const [d, k] = [arch.widths[0], arch.widths[1]];
  const scores = configs.map((config, i): ConfigScore => {
    const folds: FoldScore[] = fits[i].map((f) => ({ valLoss: f.validation.loss, trainLoss: f.trainLoss, valAccuracy: f.validation.accuracy, epoch: f.solve.iterations, curve: [f.validation.loss] }));
    const j = fits[i].findIndex((f) => !f.solve.converged);
    const failure = j >= 0 ? `fold ${j + 1}: ${describeSolve(fits[i][j].solve)}` : undefined;
    const { mean, se } = meanAndSe(folds.map((f) => f.valLoss));
    const train = meanAndSe(folds.map((f) => f.trainLoss));
    return { config, folds, mean: failure ? NaN : mean, se: failure ? NaN : se, trainMean: train.mean, failure, params: fits[i].map((f) => paramsOf(f.solve.theta, d, k)) };
  });
  if (cost) {
    // Each solver pass reads a fold's training rows once (a Newton Hessian counts as one more pass).
    for (const row of fits) row.forEach((f, j) => (cost.sampleGrads += f.solve.passes * setup.folds[j].train.length));
    cost.seconds += (performance.now() - t0) / 1000;
  }
  return scores;
}
