/** scikit-learn's three L2 constants: MLPClassifier/MLPRegressor alpha, Ridge alpha and LogisticRegression C. */
import { InvalidOptionError } from '../errors.js';
import { need } from './context.js';
import type { Convention } from './types.js';

/**
 * `sklearn-mlp` — `alpha` of sklearn.neural_network.MLPClassifier / MLPRegressor.
 *
 * For each minibatch of n_b samples scikit-learn minimizes `mean_{i∈batch} lossᵢ + (α/2)·Σⱼ θⱼ² / n_b`
 * (`_backprop`: `loss += (0.5 * alpha) * values / n_samples`, where n_samples is the batch's size), coefs_ only.
 * The gradient term is (α/n_b)·θ; with n_b = B it equals the seed's (λ/m)·θ when `α = λ·B/m`. Exact only when
 * every minibatch has B samples: the last partial batch of r = m mod B samples gets the penalty ×B/r. With
 * solver='lbfgs' the whole set is one batch, so B = m and α = λ. Its squared loss is ½(y − ŷ)².
 *
 * Source: https://scikit-learn.org/stable/modules/generated/sklearn.neural_network.MLPClassifier.html and
 * sklearn/neural_network/_multilayer_perceptron.py.
 */
export const sklearnMlp: Convention = {
  id: 'sklearn-mlp',
  name: 'scikit-learn MLPClassifier/MLPRegressor alpha',
  symbol: 'α',
  parameter: 'MLPClassifier(alpha=α, batch_size=B)',
  objective: 'per minibatch of n_b samples: mean_{i∈batch} lossᵢ + (α/2)·Σⱼ θⱼ² / n_b (coefs_ only)',
  dataTerm: 'minibatch mean',
  half: true,
  biases: 'not penalized (coefs_ only, intercepts_ free)',
  applied: 'per-step gradient',
  optimizers: "solver='adam', 'sgd' (minibatches of B) or 'lbfgs' (B = m)",
  coupling: 'coupled',
  scale: 'per-sample',
  range: '[0, ∞)',
  needs: ['batchSize'],
  fromSeed: 'α = λ·B/m',
  toSeed: 'λ = m·α/B',
  toRate: 'λ/m = α/B',
  source: 'https://scikit-learn.org/stable/modules/generated/sklearn.neural_network.MLPClassifier.html',
  toHub: (alpha, ctx) => alpha / need(ctx, 'batchSize', 'The sklearn-mlp convention', 'α = λ·B/m'),
  fromHub: (c, ctx) => c * need(ctx, 'batchSize', 'The sklearn-mlp convention', 'α = λ·B/m'),
  caveat: ({ m, batchSize: b }) => {
    if (m === undefined || b === undefined) {
      return {
        exact: false,
        note: 'scikit-learn divides each minibatch penalty by that batch’s size: exact only when every minibatch has B samples (m divisible by B); pass --m to check.',
      };
    }
    if (b === m) return { exact: true, note: 'B = m: every step sees the whole set (full batch or solver=\'lbfgs\').' };
    const r = m % b;
    if (r === 0) return { exact: true, note: `Every minibatch has B = ${b} samples (m = ${m} is a multiple of B).` };
    return {
      exact: false,
      note:
        `The last minibatch has ${r} samples (m mod B) and scikit-learn divides its penalty by ${r}, not ${b}: ` +
        `on that step the penalty is ${Number((b / r).toPrecision(4))}× stronger. Choose B dividing m for an exact match.`,
    };
  },
};

/**
 * `sklearn-ridge` — `alpha` of sklearn.linear_model.Ridge.
 *
 * Minimizes `‖y − Xw‖²₂ + α·‖w‖²₂`, intercept not penalized. Dividing by 2m gives
 * `(1/m)·Σᵢ ½(yᵢ − ŷᵢ)² + (α/2m)·‖w‖²₂`: the seed with the data loss ½(y − ŷ)², so `α = λ` (with the loss
 * (y − ŷ)², α = λ/2). Linear regression only.
 *
 * Source: https://scikit-learn.org/stable/modules/generated/sklearn.linear_model.Ridge.html.
 */
export const sklearnRidge: Convention = {
  id: 'sklearn-ridge',
  name: 'scikit-learn Ridge alpha',
  symbol: 'α',
  parameter: 'Ridge(alpha=α)',
  objective: '‖y − Xw‖²₂ + α·‖w‖²₂',
  dataTerm: 'sum',
  half: false,
  biases: 'not penalized (intercept free)',
  applied: 'objective',
  optimizers: 'closed form / linear solvers (linear regression only)',
  coupling: 'coupled',
  scale: 'total',
  range: '[0, ∞)',
  needs: [],
  fromSeed: 'α = λ',
  toSeed: 'λ = α',
  source: 'https://scikit-learn.org/stable/modules/generated/sklearn.linear_model.Ridge.html',
  toHub: (alpha) => alpha,
  fromHub: (lambda) => lambda,
  caveat: () => ({
    exact: true,
    note: 'Linear regression only; assumes the per-sample loss ½(y − ŷ)² (with (y − ŷ)², α = λ/2).',
  }),
};

/**
 * `sklearn-logistic` — `C` of sklearn.linear_model.LogisticRegression (penalty='l2').
 *
 * Minimizes `C·Σᵢ logloss(yᵢ, ŷᵢ) + ½‖w‖²₂`. Dividing by C·m gives `(1/m)·Σ logloss + (1/(2Cm))·‖w‖²₂`, so
 * `C = 1/λ`. C must be in (0, ∞); λ = 0 has no finite C (use penalty=None). The intercept is not penalized,
 * except by solver='liblinear'.
 *
 * Source: https://scikit-learn.org/stable/modules/linear_model.html#logistic-regression.
 */
export const sklearnLogistic: Convention = {
  id: 'sklearn-logistic',
  name: 'scikit-learn LogisticRegression C',
  symbol: 'C',
  parameter: "LogisticRegression(penalty='l2', C=C)",
  objective: 'C·Σᵢ logloss(yᵢ, ŷᵢ) + ½‖w‖²₂',
  dataTerm: 'sum',
  half: true,
  biases: "not penalized (intercept free; solver='liblinear' penalizes it)",
  applied: 'objective',
  optimizers: "solver='lbfgs', 'newton-cg', 'newton-cholesky', 'sag', 'saga', 'liblinear'",
  coupling: 'coupled',
  scale: 'total',
  range: '(0, ∞)',
  needs: [],
  fromSeed: 'C = 1/λ',
  toSeed: 'λ = 1/C',
  source: 'https://scikit-learn.org/stable/modules/linear_model.html#logistic-regression',
  toHub: (c) => 1 / c,
  fromHub: (lambda) => {
    if (lambda === 0) {
      throw new InvalidOptionError(
        'λ = 0 (no penalty) has no finite C in sklearn-logistic (C = 1/λ): use LogisticRegression(penalty=None) instead.',
      );
    }
    return 1 / lambda;
  },
  caveat: () => ({
    exact: true,
    note: "Logistic regression only; the intercept is free except with solver='liblinear', which penalizes it.",
  }),
};
