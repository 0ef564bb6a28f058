/**
 * What a λ does to the weights whatever the model: the per-weight penalty gradient, the decay per step
 * and epoch, τ, stability, the same λ in every convention, and the starting ranges (the atlas's and the
 * constant-timescale band). `inspect` reports them for l2lab's models and for imported graphs alike.
 */
import { formatNumber } from '../util/format-number.js';
import { convert, convertAll, getConvention } from '../conventions/index.js';
import type { Architecture } from '../models/architecture.js';
import type { ConventionId } from '../options/names.js';
import { isConvex } from '../solvers/model-rows.js';
import { momentumOf } from '../plan/optimizer.js';
import { penaltyStability } from '../plan/timescale.js';
import { actThreshold, safeLambdaLimit } from '../plan/penalty-limits.js';
import { runPlanJson, type RunPlan, type RunPlanJson } from '../plan/run-plan.js';
import { atlasRange, type AtlasRange } from './atlas-figures.js';
import { timescaleRange, weightDecay, type LambdaRange, type WeightDecay } from './decay.js';
import { scaleInvariantView, type ScaleInvariantView } from './scale-invariance.js';

/** The report fields every `inspect` has, whatever the model (InspectReport and ImportedInspectReport extend it). */
export interface LambdaFactFields {
  /** ∂penalty/∂θ = coefficient·θ per weight (seed: λ/m) — independent of the parameter count. */
  penalty_gradient_coefficient: number;
  penalty_gradient_formula: string;
  shrink_per_step: number | null;
  shrink_per_epoch: number | null;
  /** exp(−r·m/B); seed under SGD: exp(−ηλ/B). */
  shrink_per_epoch_approx: number | null;
  steps_per_epoch: number;
  /** null when unknown (Adam with coupled L2) or infinite (λ = 0). */
  timescale_steps: number | null;
  timescale_epochs: number | null;
  /**
   * τ exactly as the engine will apply the penalty (lambdaTimescaleEpochs, the slowest mode of the
   * optimizer's penalty recursion), the number `train --json` reports; null when infinite or unknown.
   */
  lambda_timescale_epochs: number | null;
  /** Whether τ ≤ the planned epochs: λ has time to act. null when τ is unknown. */
  lambda_acts: boolean | null;
  decay_note: string;
  conversions: Array<{ to: ConventionId; value: number | null; formula: string; exact: boolean; note: string }>;
  /** null when the rule cannot apply (Adam with coupled L2). */
  suggested_lambda_range: {
    rule: string;
    heuristic: true;
    convention: ConventionId;
    /** The ends in `convention`'s units, numerically ordered (for sklearn-logistic's C = 1/λ, low is the strongest). */
    low: number;
    high: number;
    /** τ = √T epochs. */
    middle: number;
    /** The ends in seed units: seed_low gives τ = T epochs, seed_high τ = 1 epoch. */
    seed_low: number;
    seed_high: number;
    /** [τ at low, τ at high] in epochs. */
    timescale_epochs: [number, number];
    /** Where the given λ sits: its timescale longer than T (weak), inside, or shorter than an epoch (strong). */
    given: 'weaker' | 'inside' | 'stronger' | 'unknown';
  } | null;
  /**
   * The starting range the default atlas's measurements support (docs/atlas-default; README, "Does λ need
   * to shrink"), saying which regime they come from: `trained` (MLPs trained until λ acted: the
   * constant-timescale rule τ ≈ 0.96·T, ×10 each way) or `exact` (convex models solved exactly: the
   * measured λ* span). `dataset_range`: this dataset's λ* in the atlas, for a built-in atlas dataset.
   * Ends in `convention`'s units, numerically ordered. null when no measurement applies (Adam with
   * coupled L2 on a dataset outside the atlas).
   */
  atlas_lambda_range: {
    regime: 'trained' | 'exact';
    rule: string;
    convention: ConventionId;
    low: number;
    high: number;
    seed_low: number;
    seed_high: number;
    /** The rule's own λ (τ = 0.96·T); null for a measured span. */
    seed_middle: number | null;
    dataset_range: { dataset: string; seed_low: number; seed_high: number; cells: number; over: string } | null;
  } | null;
  /** Weights that feed a BatchNorm: λ sets their effective learning rate instead of acting as a prior. Absent without BatchNorm. */
  scale_invariant?: ScaleInvariantView;
  /** The run `train` would plan with these options (see resolveRunPlan): the optimizer, learning rate, batch size and epochs above come from it. */
  plan: RunPlanJson;
}

export interface LambdaFacts {
  fields: LambdaFactFields;
  decay: WeightDecay;
  /** Warnings about the decay per step (a step that removes the whole weight; few steps per epoch). */
  decayWarnings: string[];
  /** Warnings about the timescale (an unstable penalty step; τ longer than the training; BatchNorm's scale invariance). */
  timescaleWarnings: string[];
}

export interface LambdaContext {
  lambda: number;
  /** The run `train` would plan: convention, optimizer, learning rate, batch size, m and the planned epochs T (its epoch budget). */
  plan: RunPlan;
  dataset: string;
  arch: Architecture;
}

/** "4.2" or "1.3e-7": numbers inside sentences. */
function num(x: number): string {
  return formatNumber(x, { digits: 4, expAbove: 1e6, expDigits: 2, exponent: 'short' });
}

function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

/** The λ facts of {@link LambdaContext}: decay, τ, conversions and ranges, with their warnings. */
export function lambdaFacts(k: LambdaContext): LambdaFacts {
  const { plan } = k;
  const { convention, m, batchSize, lr } = plan;
  const optimizer = plan.optimizer.name;
  const momentum = momentumOf(plan.optimizer);
  const epochs = plan.epochBudget;
  const coefficients = plan.coefficients(k.lambda);
  const c = coefficients.coupled + coefficients.decoupled;
  const ctx = { m, batchSize, lr, optimizer };
  const conv = getConvention(convention);
  const decay = weightDecay(coefficients, conv.coupling, { m, batchSize, lr, optimizer, momentum: momentum ?? undefined });
  const range = timescaleRange(decay, { m, epochs });
  const atlas = atlasRange({ convex: isConvex(k.arch), dataset: k.dataset, decay, m, epochs });
  const fromSeed = (seedLambda: number) => convert(seedLambda, 'seed', convention, ctx).value;

  const decayWarnings: string[] = [];
  if (decay.ratePerStep !== null && decay.ratePerStep >= 1) decayWarnings.push(`η·(λ/m) = ${num(decay.ratePerStep)} ≥ 1: each step removes the whole weight (or flips its sign); lower --lr or λ.`);
  if (range && decay.stepsPerEpoch < 10) {
    decayWarnings.push(`only ${decay.stepsPerEpoch} step${decay.stepsPerEpoch === 1 ? '' : 's'} per epoch: the top of the suggested range (τ = 1 epoch) removes ${num(1 / decay.stepsPerEpoch)} of each weight per step; start from the lower part of the range.`);
  }

  const timescaleWarnings: string[] = [];
  const stability = penaltyStability({ optimizer: plan.optimizer, lr, ...coefficients });
  if (!stability.stable) {
    const limit = safeLambdaLimit(convention, ctx, plan.optimizer)!;
    timescaleWarnings.push(`the penalty step is unstable: ${conv.symbol} = ${k.lambda} multiplies each weight by ${num(stability.radius)} per step from the penalty alone under ${optimizer} (docs/timescale.md); train and tune refuse it. The ${limit.side === 'max' ? 'largest' : 'smallest'} safe ${conv.symbol} is just ${limit.side === 'max' ? 'below' : 'above'} ${num(limit.value)}.`);
  }
  const tau = plan.timescale(k.lambda);
  if (Number.isFinite(tau) && tau > epochs) {
    const x = actThreshold(k.lambda, tau, epochs, convention);
    timescaleWarnings.push(`${conv.symbol} = ${k.lambda} will have no time to act in ${epochs} epochs: its decay timescale τ = ${num(tau)} epochs is longer than the training, so the weights end near where the data alone takes them. ${conv.symbol} ${x.side} ${num(x.threshold)} has no time to act in ${epochs} epochs; train longer (--epochs auto) or raise --lr.`);
  }

  let given: 'weaker' | 'inside' | 'stronger' | 'unknown' = 'unknown';
  if (range && decay.timescaleEpochs !== null) given = decay.timescaleEpochs > epochs ? 'weaker' : decay.timescaleEpochs < 1 ? 'stronger' : 'inside';

  const invariant = scaleInvariantView(k.arch, { lr, coefficient: c, optimizer, momentum });
  if (invariant) {
    const a = invariant.angular_update_per_step;
    timescaleWarnings.push(
      `${invariant.weights.join(', ')} feed BatchNorm, so they are scale-invariant: λ does not limit what they express but sets their effective learning rate. ` +
        (a === null
          ? `${invariant.formula}.`
          : `At equilibrium each step turns them by ≈ ${invariant.formula} = ${num(a)} rad, reached after ≈ 1/(2η·λ/m) = ${num(invariant.equilibrium_steps ?? Infinity)} steps (${num((invariant.equilibrium_steps ?? Infinity) / decay.stepsPerEpoch)} epochs).`),
    );
  }

  const fields: LambdaFactFields = {
    penalty_gradient_coefficient: c,
    penalty_gradient_formula: convention === 'seed' ? '∂/∂θⱼ (λ/2m)·Σθ² = (λ/m)·θⱼ' : `∂/∂θⱼ (c/2)·Σθ² = c·θⱼ`,
    shrink_per_step: decay.shrinkPerStep,
    shrink_per_epoch: decay.shrinkPerEpoch,
    shrink_per_epoch_approx: decay.shrinkPerEpochApprox,
    steps_per_epoch: decay.stepsPerEpoch,
    timescale_steps: finiteOrNull(decay.timescaleSteps),
    timescale_epochs: finiteOrNull(decay.timescaleEpochs),
    lambda_timescale_epochs: finiteOrNull(tau),
    lambda_acts: Number.isFinite(tau) ? tau <= epochs : null,
    decay_note: decay.note,
    conversions: convertAll(k.lambda, convention, ctx).map((r) =>
      r.ok
        ? { to: r.to, value: r.conversion.value, formula: r.conversion.formula, exact: r.conversion.exact, note: r.conversion.note }
        : { to: r.to, value: null, formula: r.formula, exact: false, note: r.error },
    ),
    ...rangeFields(atlas, range, given, convention, fromSeed),
    ...(invariant ? { scale_invariant: invariant } : {}),
    plan: runPlanJson(plan),
  };
  return { fields, decay, decayWarnings, timescaleWarnings };
}

/** The atlas's range and the constant-timescale band, each in `convention`'s units (numerically ordered) and in the seed's. */
function rangeFields(
  atlas: AtlasRange | null,
  range: LambdaRange | undefined,
  given: 'weaker' | 'inside' | 'stronger' | 'unknown',
  convention: ConventionId,
  fromSeed: (seedLambda: number) => number,
): Pick<LambdaFactFields, 'atlas_lambda_range' | 'suggested_lambda_range'> {
  return {
    atlas_lambda_range: atlas
      ? {
          regime: atlas.regime,
          rule: atlas.rule,
          convention,
          low: Math.min(fromSeed(atlas.seedLow), fromSeed(atlas.seedHigh)),
          high: Math.max(fromSeed(atlas.seedLow), fromSeed(atlas.seedHigh)),
          seed_low: atlas.seedLow,
          seed_high: atlas.seedHigh,
          seed_middle: atlas.seedMiddle ?? null,
          dataset_range: atlas.dataset ? { dataset: atlas.dataset.name, seed_low: atlas.dataset.seedLow, seed_high: atlas.dataset.seedHigh, cells: atlas.dataset.cells, over: atlas.dataset.over } : null,
        }
      : null,
    suggested_lambda_range: range
      ? {
          rule: range.rule,
          heuristic: true,
          convention,
          // sklearn-logistic's C = 1/λ reverses the order: low/high are numeric.
          low: Math.min(fromSeed(range.seedLow), fromSeed(range.seedHigh)),
          high: Math.max(fromSeed(range.seedLow), fromSeed(range.seedHigh)),
          middle: fromSeed(range.seedMiddle),
          seed_low: range.seedLow,
          seed_high: range.seedHigh,
          timescale_epochs: range.timescaleEpochs,
          given,
        }
      : null,
  };
}
