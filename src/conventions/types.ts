/** Types of the conventions table: how each framework writes its L2 constant, and what a conversion returns. */
import type { ConventionId, OptimizerName } from '../options/names.js';

/** The optimizer that consumes the penalty; it decides whether coupled L2 and decoupled decay coincide. */
export type OptimizerKind = OptimizerName;

/** What a conversion may need besides the value. Each field is validated only when given. */
export interface ConversionContext {
  /** Training-set size m, an integer in [1, ∞). Needed whenever one side sums over samples and the other averages. No default. */
  m?: number;
  /** Minibatch size B, an integer in [1, m]. Needed by `sklearn-mlp` (scikit-learn's `batch_size`; its 'auto' is min(200, m)). No default. */
  batchSize?: number;
  /** Learning rate η in (0, ∞). Needed by `composer`, whose decay is not multiplied by the learning rate. No default. */
  lr?: number;
  /** Optimizer used for training. Absent: coupled ↔ decoupled conversions are flagged approximate. No default. */
  optimizer?: OptimizerKind;
  /** Noise precision β in (0, ∞) of a Gaussian likelihood, for `bayes` regression. Default: 1 (stated in the note). */
  noisePrecision?: number;
}

/** A context field that some conversion can require. */
export type NeededValue = 'm' | 'batchSize' | 'lr';

/** Result of {@link convert}: the value in the target convention, how it was computed, and whether it is exact. */
export interface Conversion {
  value: number;
  from: ConventionId;
  to: ConventionId;
  /** The mapping, written through the seed λ, e.g. "wd = λ/m, where λ = 2m·l". */
  formula: string;
  /** True when training under `to` with `value` minimizes the same objective / takes the same steps as under `from`. */
  exact: boolean;
  /** Why it is or is not exact, and the caveats (biases, partial batches, standardization). */
  note: string;
}

/** Per-weight penalty coefficients a training engine applies to reproduce a convention. */
export interface PenaltyCoefficients {
  /** Added to the gradient of the minibatch-mean data loss: grad += coupled·θ. */
  coupled: number;
  /** Applied after the gradient step's decay form: θ ← θ − lr·decoupled·θ. */
  decoupled: number;
}

/** A caveat of one convention's mapping to the seed (independent of the other side). */
export interface Caveat {
  exact: boolean;
  note: string;
}

/**
 * One row of the conventions table.
 *
 * Each convention is reduced to a "hub" number on the seed's scale: the seed λ itself for conventions whose
 * objective sums over the m samples (`scale: 'total'`), or λ/m — the coefficient c in grad += c·θ on the
 * mean loss — for conventions that average (`scale: 'per-sample'`). m is needed only to cross between the two.
 */
export interface Convention {
  readonly id: ConventionId;
  /** Display name, e.g. "Keras kernel_regularizer L2". */
  readonly name: string;
  /** The symbol used in formulas, e.g. "l", "wd", "α", "C". */
  readonly symbol: string;
  /** Where the value goes in the framework, e.g. "keras.regularizers.L2(l2=l)". */
  readonly parameter: string;
  /** The objective or update rule, written as the framework documents it. */
  readonly objective: string;
  /** Whether the data term sums or averages the per-sample losses. */
  readonly dataTerm: 'sum' | 'mean' | 'minibatch mean';
  /** Whether the penalty carries a factor ½. For decoupled decay: whether the equivalent penalty does (it does). */
  readonly half: boolean;
  /** Which parameters are penalized by default. */
  readonly biases: string;
  /** When the penalty acts: on the whole objective, on each minibatch step's gradient, or as a per-step decay. */
  readonly applied: 'objective' | 'per-step gradient' | 'per-step decay';
  /** The optimizers/solvers this convention is used with. */
  readonly optimizers: string;
  /** Coupled: a gradient term seen by the optimizer. Decoupled: θ ← θ − lr·wd·θ outside the optimizer. */
  readonly coupling: 'coupled' | 'decoupled';
  readonly scale: 'total' | 'per-sample';
  /** Valid range of the value, in the error-message notation: "[0, ∞)" or "(0, ∞)". */
  readonly range: '[0, ∞)' | '(0, ∞)';
  /** Context values this convention needs beyond m. */
  readonly needs: readonly NeededValue[];
  /** The value from the seed λ, e.g. "l = λ/(2m)". */
  readonly fromSeed: string;
  /** The seed λ from the value, e.g. "λ = 2m·l". */
  readonly toSeed: string;
  /** Per-sample conventions only: λ/m from the value, e.g. "λ/m = 2·l". */
  readonly toRate?: string;
  /** Where the objective is documented. */
  readonly source: string;
  /** Value → hub (λ for total scale, λ/m for per-sample). */
  toHub(value: number, ctx: ConversionContext): number;
  /** Hub → value. */
  fromHub(hub: number, ctx: ConversionContext): number;
  /** Conditions under which this convention's own mapping is exact. */
  caveat(ctx: ConversionContext): Caveat;
}
