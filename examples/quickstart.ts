/** The README's "Use it from TypeScript" example: choose λ by cross-validation, then train with it. */
import { fit, tune } from 'l2lab';

// Five-fold grid search over 13 log-spaced λ for softmax regression on the built-in wine data
// (λ in the seed convention: cost = (1/m)·Σ loss + (λ/2m)·Σ W²). ':memory:' keeps no study file.
const result = await tune({
  strategy: 'grid',
  data: 'wine',
  model: 'softmax',
  logRange: { lo: 0.001, hi: 1000, n: 13 },
  folds: 5,
  storage: ':memory:',
});
console.log(`λ_min = ${result.best_lambda.toPrecision(4)}, λ_1se = ${result.lambda_1se.toPrecision(4)}`);

// Train once at the chosen λ and score the held-out test rows.
const { report } = await fit({ data: 'wine', model: 'softmax', lambda: result.best_lambda });
console.log(`test loss ${report.test?.loss.toFixed(4)}, accuracy ${((report.test?.accuracy ?? 0) * 100).toFixed(2)}%`);
