/**
 * Closed-form ridge: exact leave-one-out error of every λ of a path from one decomposition
 * (linear regression only). λ here is the seed's λ = scikit-learn Ridge's alpha; the reported
 * validation loss is the LOO mean of ½(y − ŷ)², l2lab's linear-model loss (half the LOO MSE).
 */
import { InvalidOptionError } from '../../errors.js';
import { defaultRidgeLambdas, ridgePath, logSpace } from '../closed-form/ridge.js';
import { trialPoint } from '../trials/study-run.js';
import type { StrategyContext, StrategyOutcome } from '../strategy.js';

export async function runRidge(ctx: StrategyContext): Promise<StrategyOutcome> {
  const { setup, run, options } = ctx;
  const arch = setup.architecture(0);
  if (arch.widths.length !== 2 || arch.loss !== 'mse' || arch.onnx) throw new InvalidOptionError(`--strategy ridge is closed-form linear regression: use --model linear on a numeric target (got ${options.model}).`);
  if (setup.plan.convention !== 'seed' && setup.plan.convention !== 'sklearn-ridge') throw new InvalidOptionError(`--strategy ridge reports λ in the seed convention (= scikit-learn Ridge alpha); drop --convention ${setup.plan.convention} or use sklearn-ridge.`);
  const { train, test } = setup;
  const t0 = performance.now();
  const probe = ridgePath(train.x, train.y, [1]);
  const lambdas = options.lambdas ?? (options.logRange ? logSpace(options.logRange.lo, options.logRange.hi, options.logRange.n) : defaultRidgeLambdas(probe.eigenvalues));
  const path = ridgePath(train.x, train.y, lambdas);
  ctx.cost.seconds += (performance.now() - t0) / 1000;
  const trials = await run.trials(lambdas.map((lambda) => ({ lambda, dropout: 0 })));
  const index = new Map(lambdas.map((l, i) => [l, i]));
  const finished = await run.run(trials, async (cs) =>
    cs.map((c) => {
      const i = index.get(c.lambda)!;
      return { config: c, folds: [], mean: path.looMse[i] / 2, se: NaN, trainMean: path.trainMse[i] / 2, params: [] };
    }),
  );
  const points = finished.map(trialPoint);
  const best = points.filter((p) => p.state === 'COMPLETE').reduce((a, b) => (b.mean < a.mean ? b : a));
  const i = index.get(best.lambda)!;
  let se = 0;
  for (let r = 0; r < test.n; r++) {
    let yhat = path.intercept[i];
    for (let j = 0; j < test.d; j++) yhat += test.x[r * test.d + j] * path.coef[i][j];
    se += (yhat - test.y[r]) ** 2;
  }
  return {
    scheme: `exact leave-one-out over ${lambdas.length} λ from one ${path.method} eigendecomposition (${path.timing.totalMs.toFixed(1)} ms)`,
    points,
    rangeExtended: false,
    refit: { lambda: best.lambda, dropout: 0, epochs: 0, test_loss: se / test.n / 2, test_rmse: Math.sqrt(se / test.n) },
  };
}
