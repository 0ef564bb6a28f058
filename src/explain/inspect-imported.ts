/**
 * inspect() for `--model net.onnx`, with no training: each initializer's share of the penalty at the
 * file's own weights, the data loss measured by running the graph on the user's training rows, their
 * ratio at the user's λ (the seed's "the cost starts at 50"), and the λ facts every inspect reports.
 */
import { loadDataset } from '../data/index.js';
import { countParams, describeArchitecture, parseModelSpec } from '../models/architecture.js';
import { isPenalized, type ParamKind } from '../models/param-shape.js';
import { initParams } from '../models/init.js';
import type { ImportedNet, ParamRole } from '../onnx-import/net.js';
import { DEFAULTS } from '../options/defaults.js';
import { momentumOf } from '../plan/optimizer.js';
import { resolveRunPlan } from '../plan/run-plan.js';
import { evaluateParams } from '../train/fit.js';
import { prepareSplits } from '../train/prepare.js';
import { formatNumber } from '../util/format-number.js';
import { InvalidOptionError } from '../errors.js';
import { checkInspectOptions, type InspectOptions } from './inspect.js';
import { lambdaFacts } from './lambda-facts.js';
import type { InspectRunFields } from './inspect-fields.js';

/** One initializer at the weights inspected (the file's, or a re-initialization with `init`). */
export interface ImportedParameter {
  name: string;
  role: ParamRole;
  /** Penalty class: 'weight' is penalized; bias, scale and shift only with penalize_biases; running never. */
  kind: ParamKind;
  dims: number[];
  size: number;
  fan_in: number;
  fan_out: number;
  penalized: boolean;
  sum_sq: number;
  /** √(Σθ²/size). */
  rms: number;
  /** (c/2)·Σθ² when penalized, else 0. */
  penalty: number;
  /** RMS of the penalty gradient c·θ over the tensor (0 when free). */
  penalty_gradient_rms: number;
  scale_invariant: boolean;
}

/** The result of {@link inspectImported}; also `l2lab inspect --model net.onnx --json`. */
export interface ImportedInspectReport extends InspectRunFields {
  file: string;
  producer: string;
  opset: number;
  penalized_params: number;
  free_params: number;
  parameters: ImportedParameter[];
  /** Σθ² over the penalized parameters. */
  sum_sq: number;
  /** (c/2)·Σθ²; seed convention: (λ/2m)·Σθ². */
  penalty: number;
  /** Mean per-sample loss of the graph on the m training rows. */
  data_loss: number;
  accuracy: number | null;
  rmse: number | null;
  cost: number;
  penalty_to_data_loss: number;
  penalty_dominates: boolean;
  /** How the file was read: a set-aside Softmax, tied weights, a fixed batch, a BatchNorm folded in eval mode. */
  notes: string[];
  warnings: string[];
}

/** "4.2" or "1.3e-7": numbers inside sentences. */
function num(x: number): string {
  return formatNumber(x, { digits: 4, expAbove: 1e6, expDigits: 2, exponent: 'short' });
}

function parameterRows(net: ImportedNet, params: Float64Array[], c: number, penalizeBiases: boolean, invariant: readonly string[]): ImportedParameter[] {
  return net.params.map((p, i) => {
    const sumSq = params[i].reduce((a, v) => a + v * v, 0);
    const penalized = isPenalized(p, penalizeBiases);
    const rms = Math.sqrt(sumSq / p.size);
    return { name: p.name, role: p.role, kind: p.kind, dims: p.dims, size: p.size, fan_in: p.fanIn, fan_out: p.fanOut, penalized, sum_sq: sumSq, rms, penalty: penalized ? (c / 2) * sumSq : 0, penalty_gradient_rms: penalized ? c * rms : 0, scale_invariant: invariant.includes(p.name) };
  });
}

/**
 * Explains λ for an imported graph before training. The penalty is (c/2)·Σθ² over the penalized
 * initializers (seed convention: c = λ/m, weights of rank ≥ 2; `penalize` / `exclude` patterns and
 * `penalizeBiases` change which), at the file's weights (`init` 'file', the default) or the
 * re-initialization training would start from; the data loss is the graph run on the training split.
 *
 * @throws InvalidOptionError / InvalidDataError / UnsupportedModelError for bad options or a file the importer refuses.
 * @example
 * const r = await inspectImported({ data: 'mnist-10k', model: 'net.onnx', lambda: 0.01, convention: 'pytorch' });
 * r.penalty / r.data_loss; // the seed's "the cost starts at 50" ratio
 */
export async function inspectImported(o: InspectOptions): Promise<ImportedInspectReport> {
  checkInspectOptions(o);
  const data = typeof o.data === 'string' ? loadDataset(o.data, { target: o.target, task: o.task }) : o.data;
  const seed = o.seed ?? DEFAULTS.seed;
  const rows = prepareSplits(data, { validation: o.validation ?? DEFAULTS.validation, test: o.test ?? DEFAULTS.test, seed, scaling: o.scaling }).train;
  const task = data.task === 'regression' ? ({ task: 'regression' } as const) : ({ task: 'classification', classes: data.classes.length } as const);
  const arch = parseModelSpec(o.model, data.d, task, { image: data.image, penalize: o.penalize, exclude: o.exclude });
  const net = arch.onnx;
  if (!net) throw new InvalidOptionError(`inspectImported takes a path to an .onnx file; got --model ${o.model}. Use inspect() for l2lab's own models.`);
  const m = rows.n;
  // The run `train` would plan with these options (init: the file's weights unless another is named).
  const plan = resolveRunPlan(o, { m, arch, owner: 'inspect' });
  const { convention, lr, batchSize, init, penalizeBiases } = plan;
  const optimizer = plan.optimizer.name;
  const momentum = momentumOf(plan.optimizer);
  const epochs = plan.epochBudget;
  const coefficients = plan.coefficients(o.lambda);
  const c = coefficients.coupled + coefficients.decoupled;
  const facts = lambdaFacts({ lambda: o.lambda, plan, dataset: data.name, arch });

  const params = initParams(arch, init, seed);
  const measured = await evaluateParams(arch, params, rows, o.threads);
  const parameters = parameterRows(net, params, c, penalizeBiases, facts.fields.scale_invariant?.weights ?? []);
  const sumSq = parameters.reduce((a, p) => (p.penalized ? a + p.sum_sq : a), 0);
  const penalty = (c / 2) * sumSq;
  const ratio = penalty / measured.loss;
  const warnings: string[] = [];
  if (ratio > 1) {
    warnings.push(
      `the penalty dominates at the ${init === 'file' ? "file's weights" : 'initialization'}: ${num(penalty)} vs a data loss of ${num(measured.loss)} (${num(ratio)}×). ` +
        `This alone does not mean λ is too large: each weight feels only ${num(c)}·θ, shrinking by ${facts.decay.shrinkPerStep === null ? 'an unknown factor' : num(facts.decay.shrinkPerStep)} per step; the sum is large because there are many weights.`,
    );
  }
  const counts = countParams(arch);
  const penalizedCount = parameters.reduce((a, p) => (p.penalized ? a + p.size : a), 0);
  return {
    dataset: data.name,
    model: describeArchitecture(arch),
    file: net.file,
    producer: net.producer,
    opset: net.opset,
    task: data.task,
    classes: data.task === 'classification' ? data.classes.length : null,
    m,
    batch_size: batchSize,
    lr,
    optimizer,
    momentum,
    epochs,
    init,
    seed,
    convention,
    lambda: o.lambda,
    lambda_seed: c * m,
    params: counts.total,
    penalized_params: penalizedCount,
    free_params: counts.total - penalizedCount,
    penalize_biases: penalizeBiases,
    parameters,
    sum_sq: sumSq,
    penalty,
    data_loss: measured.loss,
    accuracy: measured.accuracy ?? null,
    rmse: measured.rmse ?? null,
    cost: measured.loss + penalty,
    penalty_to_data_loss: ratio,
    penalty_dominates: ratio > 1,
    ...facts.fields,
    notes: net.notes,
    warnings: [...warnings, ...facts.decayWarnings, ...facts.timescaleWarnings],
  };
}
