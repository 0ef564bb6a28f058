/** What a training engine applies to reproduce any convention: per-weight coupled and decoupled coefficients. */
import { invalidNumber } from '../errors.js';
import { missingValue, validateContext, validateValue } from './context.js';
import { getConvention } from './registry.js';
import type { ConversionContext, NeededValue, PenaltyCoefficients } from './types.js';

/**
 * The per-weight coefficients that train under `convention` with constant `value`.
 *
 * `coupled` is added to the gradient of the minibatch-mean data loss (grad += coupled·θ); `decoupled` is applied
 * as θ ← θ − lr·decoupled·θ outside the optimizer. Exactly one of them is non-zero (both 0 when value is 0).
 * seed: coupled λ/m; keras: 2l; pytorch: wd; adamw, keras-decoupled: decoupled wd; composer: decoupled wd/lr;
 * sklearn-mlp: α/B; sklearn-ridge: α/m; sklearn-logistic: 1/(C·m); glmnet: λ_g; bayes: δ/(β·m).
 *
 * @param convention - a {@link ConventionId}.
 * @param value - the constant in that convention's units.
 * @param ctx - m for sum-scale conventions (seed, sklearn-ridge, sklearn-logistic, bayes), batchSize for
 *   sklearn-mlp, lr for composer. Default: {}.
 * @throws InvalidOptionError for an unknown convention, an invalid value, or a missing m / batch size / lr.
 * @example
 * penaltyCoefficients('seed', 0.01, { m: 50_000 }); // { coupled: 2e-7, decoupled: 0 }
 */
export function penaltyCoefficients(convention: string, value: number, ctx: ConversionContext = {}): PenaltyCoefficients {
  const c = getConvention(convention);
  validateContext(ctx);
  validateValue(value, c);
  const needed: NeededValue[] = [...(c.scale === 'total' ? (['m'] as const) : []), ...c.needs];
  const missing = needed.filter((f) => ctx[f] === undefined);
  if (missing.length > 0) {
    const rate = c.id === 'seed' ? 'λ/m' : `λ/m, where ${c.toSeed}`;
    throw missingValue(missing, `Computing the penalty coefficients of ${c.id}`, `the per-weight coefficient is ${c.toRate ?? rate}`);
  }
  const hub = c.toHub(value, ctx);
  const rate = c.scale === 'total' ? hub / (ctx.m as number) : hub;
  return c.coupling === 'coupled' ? { coupled: rate, decoupled: 0 } : { coupled: 0, decoupled: rate };
}

/**
 * The penalty term of `convention`'s objective, scaled per sample like the seed's (λ/2m)·Σθ², so it can be shown
 * next to the mean data loss: (coupled/2)·Σθ². For example keras gives l·Σθ², sklearn-ridge (α/2m)·Σθ²
 * (its objective divided by 2m), sklearn-mlp (α/2B)·Σθ² for a full minibatch.
 *
 * Decoupled conventions (adamw, keras-decoupled, composer) have no penalty term: this reports the equivalent
 * coupled penalty (wd/2)·Σθ² (composer: (wd/lr)/2·Σθ²), which they match under plain SGD only.
 *
 * @param sumSquaredWeights - Σⱼ θⱼ² over the penalized weights, finite and ≥ 0.
 * @throws InvalidOptionError as {@link penaltyCoefficients}, or for an invalid sum of squares.
 */
export function penaltyValue(convention: string, value: number, sumSquaredWeights: number, ctx: ConversionContext = {}): number {
  if (!(Number.isFinite(sumSquaredWeights) && sumSquaredWeights >= 0)) {
    throw invalidNumber('sumSquaredWeights', 'penaltyValue', '[0, ∞)', sumSquaredWeights);
  }
  const { coupled, decoupled } = penaltyCoefficients(convention, value, ctx);
  return ((coupled + decoupled) / 2) * sumSquaredWeights;
}
