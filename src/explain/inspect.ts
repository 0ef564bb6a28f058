/** inspect(): what a λ means for a model and dataset before any training — penalty vs data loss at init, decay per step, λ in every convention, a starting range. */
import { formatNumber } from '../util/format-number.js';
import { getConvention, type PenaltyCoefficients } from '../conventions/index.js';
import type { Activation, ConventionId, Initializer, OptimizerName } from '../options/names.js';
import { loadDataset, type Dataset, type Task } from '../data/index.js';
import { InvalidOptionError } from '../errors.js';
import { countParams, describeArchitecture, parseModelSpec, type Architecture } from '../models/architecture.js';
import { isPenalized, type ParamKind } from '../models/param-shape.js';
import { initParams } from '../models/init.js';
import { evaluateParams } from '../train/fit.js';
import { checkOptions as checkRegistered } from '../options/check.js';
import { DEFAULTS } from '../options/defaults.js';
import { momentumOf } from '../plan/optimizer.js';
import { resolveRunPlan, type RunPlan } from '../plan/run-plan.js';
import { prepareSplits, type Scaling } from '../train/prepare.js';
import { expectedInitDataLoss } from './init-loss.js';
import { expectedSumSquares, initMoments, sumSquaresPerTensor } from './init-penalty.js';
import { lambdaFacts } from './lambda-facts.js';
import type { InspectRunFields } from './inspect-fields.js';
import type { ScaleInvariantView } from './scale-invariance.js';

/** Options of {@link inspect}; the model, data and training fields mean what they mean for `fit`. */
export interface InspectOptions {
  /** A built-in dataset name (`l2lab datasets`), a .csv/.json/IDX path, or a loaded Dataset. */
  data: string | Dataset;
  /** CSV target column. Default 'target'. */
  target?: string;
  /** What a CSV/JSON target means. Default: classification for string labels, else regression. */
  task?: Task;
  /** `linear`, `logistic`, `softmax`, `mlp:W1,W2,…`, `cnn:…`, or a path to an .onnx file (see inspectImported). */
  model: string;
  /** An .onnx model: name patterns of initializers to penalize besides the weights of rank ≥ 2, or to leave free. */
  penalize?: string[];
  exclude?: string[];
  /** Default relu. */
  activation?: Activation;
  /** The L2 constant in `convention`'s units, in that convention's range ([0, ∞); C > 0 for sklearn-logistic). */
  lambda: number;
  /** Default 'seed': cost = (1/m)·Σ loss + (λ/2m)·Σθ². */
  convention?: ConventionId;
  /** The optimizer training will use; decides how fast the penalty decays the weights. Default 'sgd', or 'momentum' when `momentum` is given (as `fit`). */
  optimizer?: OptimizerName;
  /** Momentum μ ∈ [0, 1) for momentum/nesterov. Default 0.9. */
  momentum?: number;
  /** Learning rate η > 0. Default 0.1 (SGD family), 1e-3 (Adam), as `fit`. */
  lr?: number;
  /** Minibatch size B, an integer in [1, m]. Default min(128, m). */
  batchSize?: number;
  /** Planned training length T in epochs, an integer ≥ 1, for the suggested range; 'auto' plans for its cap (200). Default 20. */
  epochs?: number | 'auto';
  /** Default he for relu/gelu, glorot otherwise (as the trainer). */
  init?: Initializer;
  /** Seeds the split and the measured initialization, as `fit`. Default 0. */
  seed?: number;
  /** Whether biases are penalized. Default false. */
  penalizeBiases?: boolean;
  /** Fractions held out for validation and test, so m matches `fit`. Defaults 0.1 and 0.2. */
  validation?: number;
  test?: number;
  /** Default 'auto', as `fit`. */
  scaling?: Scaling;
  /**
   * Models with more parameters than this skip the measured initialization (allocating and running
   * it); the expected values are closed form and always computed. Default 10,000,000.
   */
  measureLimit?: number;
  threads?: number;
}

/** One parameter tensor at initialization. */
export interface InspectLayer {
  name: string;
  kind: ParamKind;
  fan_in: number;
  fan_out: number;
  size: number;
  penalized: boolean;
  /** Variance of one element under the initializer. */
  variance: number;
  /** E‖θ_l‖² = size·variance (weights: fan_in·fan_out·Var). */
  expected_sum_sq: number;
  measured_sum_sq: number | null;
  /** This tensor's share of the expected penalty, (coefficient/2)·E‖θ_l‖² (0 if not penalized). */
  expected_penalty: number;
  /** RMS of the penalty gradient coefficient·θ over the tensor at init: coefficient·√variance. */
  penalty_gradient_rms: number;
  /** Feeds a BatchNorm: the loss does not change when the tensor is scaled, so its penalty is not a prior (see scale_invariant). */
  scale_invariant: boolean;
}

/** The result of {@link inspect}; also the `l2lab inspect --json` object (field names are part of the CLI contract). */
export interface InspectReport extends InspectRunFields {
  weights: number;
  biases: number;
  /** Hidden plus output units (Σ fan_out): He init's E‖W‖² is twice this. */
  units: number;
  hidden_units: number;
  output_units: number;
  layers: InspectLayer[];
  /** E Σθ² over the penalized tensors, and its standard deviation over seeds. */
  expected_sum_sq: number;
  sum_sq_sd: number;
  measured_sum_sq: number | null;
  /** (coefficient/2)·E Σθ²; seed convention: (λ/2m)·E‖W‖². */
  expected_init_penalty: number;
  /** Standard deviation of the init penalty over seeds. */
  init_penalty_sd: number;
  measured_init_penalty: number | null;
  expected_init_data_loss: number;
  /** The loss of all-zero outputs (ln C, ln 2, ½·mean y²), a lower bound on the expected one. */
  zero_output_data_loss: number;
  /** Mean over training rows of each output's variance over the initialization. */
  init_output_variance: number;
  init_data_loss_formula: string;
  measured_init_data_loss: number | null;
  /** Why the measured values are null, when they are. */
  measured_note: string | null;
  /** Expected penalty / expected data loss. */
  penalty_to_data_loss: number;
  measured_penalty_to_data_loss: number | null;
  /** Penalty > data loss at init (measured when available, else expected). */
  penalty_dominates: boolean;
  warnings: string[];
}

/** The options' ranges (the registry's checks) and λ in its convention's range; throws InvalidOptionError. */
export function checkInspectOptions(o: InspectOptions): void {
  if (typeof o.model !== 'string') throw new InvalidOptionError(`inspect needs a model spec string (linear, logistic, softmax or mlp:W1,W2,…).`);
  const { lambda: _checkedBelow, ...rest } = o;
  checkRegistered('inspect', { ...rest }, { model: o.model });
  const convention = getConvention(o.convention ?? DEFAULTS.convention);
  const lambdaOk = typeof o.lambda === 'number' && Number.isFinite(o.lambda) && (convention.range === '[0, ∞)' ? o.lambda >= 0 : o.lambda > 0);
  if (!lambdaOk) {
    const whose = convention.id === 'seed' ? '' : ` (${convention.id}'s ${convention.symbol})`;
    throw new InvalidOptionError(`The 'lambda' option of inspect must be a number in ${convention.range}${whose}. Got ${String(o.lambda)} instead.`);
  }
}

/** "4.2" or "1.3e-7": numbers inside sentences. */
function num(x: number): string {
  return formatNumber(x, { digits: 4, expAbove: 1e6, expDigits: 2, exponent: 'short' });
}

/**
 * Explains a λ for a model and dataset before training: how large the penalty is at initialization
 * next to the data loss (expected from the initializer's variances, and measured on the seeded
 * initialization `l2lab train` would start from), how fast it shrinks the weights, the same λ in
 * every framework's convention, and a starting range for λ from the constant-timescale rule.
 *
 * Penalty, seed convention: (λ/2m)·Σθ² over the weights (biases too with `penalizeBiases`); other
 * conventions use their per-weight coefficient c as (c/2)·Σθ², as `l2lab train` reports them.
 * Expected: E Σθ² = Σ_layers fan_in·fan_out·Var(init) (He: 2·units). The expected data loss is the
 * mean-field value of {@link expectedInitDataLoss}; measured values need the parameters and are
 * skipped above `measureLimit` parameters (with `measured_note` saying so).
 *
 * @throws InvalidOptionError for an unknown dataset, model, convention, optimizer or initializer, a
 *   λ outside the convention's range, a batch size above m, or a non-positive learning rate.
 * @example
 * const r = await inspect({ data: 'breast-cancer', model: 'mlp:64', lambda: 1 });
 * r.expected_init_penalty; // (1/(2·398))·2·65 ≈ 0.163 (He: E‖W‖² = 2·units)
 */
export async function inspect(o: InspectOptions): Promise<InspectReport> {
  checkInspectOptions(o);
  const { data, seed, rows, arch, plan } = prepareInspect(o);
  const { penalizeBiases } = plan;
  const coefficients: PenaltyCoefficients = plan.coefficients(o.lambda);
  const c = coefficients.coupled + coefficients.decoupled;
  const counts = countParams(arch);

  // Expected values: closed form from the initializer.
  const moments = initMoments(arch, plan.init);
  const expected = expectedSumSquares(moments, penalizeBiases);
  const loss = expectedInitDataLoss(arch, plan.init, rows);
  const measured = await measureInit(o, arch, plan.init, seed, rows, counts.total, expected);
  const measuredSumSq = measured.perTensor ? moments.reduce((s, l, i) => (isPenalized(l, penalizeBiases) ? s + measured.perTensor![i] : s), 0) : null;
  const init: InitPenalty = {
    expected: (c / 2) * expected.mean,
    measured: measuredSumSq === null ? null : (c / 2) * measuredSumSq,
    expectedLoss: loss.expected,
    measuredLoss: measured.loss,
  };
  const ratio = init.expected / loss.expected;
  const measuredRatio = init.measured === null || measured.loss === null ? null : init.measured / measured.loss;
  const dominates = (measuredRatio ?? ratio) > 1;

  const facts = lambdaFacts({ lambda: o.lambda, plan, dataset: data.name, arch });
  const warnings = [
    ...(dominates ? [dominanceWarning(init, measuredRatio ?? ratio, c, facts.decay.shrinkPerStep)] : []),
    ...facts.decayWarnings,
    ...imbalanceWarnings(data, rows, loss.zeroOutput),
    ...facts.timescaleWarnings,
  ];
  const layers = inspectLayers(moments, measured.perTensor, c, penalizeBiases, facts.fields.scale_invariant);
  const outputUnits = arch.widths[arch.widths.length - 1];
  const units = arch.widths.slice(1).reduce((a, b) => a + b, 0);

  return {
    dataset: data.name,
    model: describeArchitecture(arch),
    task: data.task,
    classes: data.task === 'classification' ? data.classes.length : null,
    m: plan.m,
    batch_size: plan.batchSize,
    lr: plan.lr,
    optimizer: plan.optimizer.name,
    momentum: momentumOf(plan.optimizer),
    epochs: plan.epochBudget,
    init: plan.init,
    seed,
    convention: plan.convention,
    lambda: o.lambda,
    lambda_seed: c * plan.m,
    params: counts.total,
    weights: counts.weights,
    biases: counts.biases,
    units,
    hidden_units: units - outputUnits,
    output_units: outputUnits,
    penalize_biases: penalizeBiases,
    layers,
    expected_sum_sq: expected.mean,
    sum_sq_sd: expected.sd,
    measured_sum_sq: measuredSumSq,
    expected_init_penalty: init.expected,
    init_penalty_sd: (c / 2) * expected.sd,
    measured_init_penalty: init.measured,
    expected_init_data_loss: loss.expected,
    zero_output_data_loss: loss.zeroOutput,
    init_output_variance: loss.outputVariance,
    init_data_loss_formula: loss.formula,
    measured_init_data_loss: measured.loss,
    measured_note: measured.note,
    penalty_to_data_loss: ratio,
    measured_penalty_to_data_loss: measuredRatio,
    penalty_dominates: dominates,
    ...facts.fields,
    warnings,
  };
}

/** The data, its training split and the model, as `fit` would have them, and the run `train` would plan with these options (optimizer, learning rate, batch size, τ). */
function prepareInspect(o: InspectOptions): { data: Dataset; seed: number; rows: Dataset; arch: Architecture; plan: RunPlan & { init: Initializer } } {
  const data = typeof o.data === 'string' ? loadDataset(o.data, { target: o.target, task: o.task }) : o.data;
  const seed = o.seed ?? DEFAULTS.seed;
  const split = prepareSplits(data, { validation: o.validation ?? DEFAULTS.validation, test: o.test ?? DEFAULTS.test, seed, scaling: o.scaling });
  const rows = split.train;
  const task = data.task === 'regression' ? ({ task: 'regression' } as const) : ({ task: 'classification', classes: data.classes.length } as const);
  const arch: Architecture = parseModelSpec(o.model, data.d, task, { activation: o.activation, image: data.image });
  const plan = resolveRunPlan(o, { m: rows.n, arch, owner: 'inspect' });
  return { data, seed, rows, arch, plan };
}

/** Each parameter tensor at initialization: its variance, expected and measured Σθ², its share of the penalty. */
function inspectLayers(moments: ReturnType<typeof initMoments>, measuredPerTensor: number[] | undefined, c: number, penalizeBiases: boolean, invariant: ScaleInvariantView | undefined): InspectLayer[] {
  return moments.map((l, i) => {
    const penalized = isPenalized(l, penalizeBiases);
    return {
      name: l.name,
      kind: l.kind,
      fan_in: l.fanIn,
      fan_out: l.fanOut,
      size: l.size,
      penalized,
      variance: l.variance,
      expected_sum_sq: l.expectedSumSq,
      measured_sum_sq: measuredPerTensor ? measuredPerTensor[i] : null,
      expected_penalty: penalized ? (c / 2) * l.expectedSumSq : 0,
      penalty_gradient_rms: penalized ? c * Math.sqrt(l.variance) : 0,
      scale_invariant: invariant?.weights.includes(l.name) ?? false,
    };
  });
}

/** The penalty and data loss at initialization, expected and (when measured) measured. */
interface InitPenalty {
  expected: number;
  measured: number | null;
  expectedLoss: number;
  measuredLoss: number | null;
}

/**
 * The measured values: the exact initialization `l2lab train` starts from (same split, seed and
 * initializer), Σθ² per tensor and the data loss; skipped above `measureLimit` parameters, with a note.
 */
async function measureInit(
  o: InspectOptions,
  arch: Architecture,
  init: Initializer,
  seed: number,
  rows: Dataset,
  params: number,
  expected: { mean: number; sd: number },
): Promise<{ perTensor: number[] | undefined; loss: number | null; note: string | null }> {
  const limit = o.measureLimit ?? 10_000_000;
  if (params > limit) {
    const note = `measured values skipped: ${params.toLocaleString('en-US')} parameters exceed the measure limit of ${limit.toLocaleString('en-US')}; the expected values are closed form (the relative spread of Σθ² over seeds is ${num(expected.sd / expected.mean)}).`;
    return { perTensor: undefined, loss: null, note };
  }
  const theta = initParams(arch, init, seed);
  return { perTensor: sumSquaresPerTensor(theta), loss: (await evaluateParams(arch, theta, rows, o.threads)).loss, note: null };
}

/** The penalty is larger than the data loss at initialization: why that alone does not make λ too large. */
function dominanceWarning(init: InitPenalty, ratio: number, c: number, shrinkPerStep: number | null): string {
  return (
    `the penalty dominates at initialization: ${num(init.measured ?? init.expected)} vs a data loss of ${num(init.measuredLoss ?? init.expectedLoss)} (${num(ratio)}×). ` +
    `This alone does not mean λ is too large: each weight feels only ${num(c)}·θ, shrinking by ${shrinkPerStep === null ? 'an unknown factor' : num(shrinkPerStep)} per step; the sum is large because there are many weights.`
  );
}

/** Unbalanced classes in the training split: the best constant predictor then reaches below the all-zero outputs' loss. */
function imbalanceWarnings(data: Dataset, rows: Dataset, zeroOutput: number): string[] {
  if (data.task !== 'classification') return [];
  const counts = new Array(data.classes.length).fill(0);
  for (const y of rows.y) counts[y]++;
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  if (!(max > 1.5 * min)) return [];
  return [`classes are unbalanced in the training split (${counts.join(' / ')}): the expected init loss is still as computed (random logits do not know the labels), but the best constant predictor reaches the class entropy, below ${num(zeroOutput)}.`];
}
