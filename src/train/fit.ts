/** The library's one-call training: dataset + model spec + λ in any convention → report and trained model. */
import { getConvention, penaltyCoefficients, type ConventionId } from '../conventions/index.js';
import { loadDataset, type Dataset, type Standardizer, type Task } from '../data/index.js';
import { prepareSplits, type Scaling } from './prepare.js';
import { invalidNumber, InvalidOptionError } from '../errors.js';
import { countParams, paramShapes, parseModelSpec, type Activation, type Architecture } from '../models/architecture.js';
import type { Initializer } from '../models/init.js';
import { Evaluator } from './evaluator.js';
import { type OptimizerName, type OptimizerSpec, OPTIMIZERS } from './optimizer.js';
import { train, type Divergence, type EarlyStopping, type EpochRecord, type LrSchedule } from './trainer.js';
import { floatArray, tensor } from '../engine/tensor.js';

export interface FitOptions {
  /** A built-in dataset name (`l2lab datasets`) or a .csv/.json/IDX path, or a loaded Dataset. */
  data: string | Dataset;
  /** CSV target column. Default 'target'. */
  target?: string;
  /** What a CSV/JSON target means. Default: classification for string labels, else regression. */
  task?: Task;
  /** `linear`, `logistic`, `softmax` or `mlp:W1,W2,…`. */
  model: string;
  /** Default relu. */
  activation?: Activation;
  /** Dropout after each hidden layer (one value, or one per layer). Default 0. */
  dropout?: number | number[];
  /** The L2 constant, in `convention`'s units. Must be in [0, ∞). */
  lambda: number;
  /** Default 'seed': cost = (1/m)Σloss + (λ/2m)Σθ². */
  convention?: ConventionId;
  /** Default 'sgd' (momentum when `momentum` is given). */
  optimizer?: OptimizerName;
  /** Momentum μ for momentum/nesterov. Default 0.9. */
  momentum?: number;
  /** Learning rate. Default 0.1 for SGD-family optimizers, 1e-3 for Adam. */
  lr?: number;
  /** Default constant. */
  schedule?: LrSchedule;
  /** Default 20. */
  epochs?: number;
  /** Default 128 (or m when m < 128). */
  batchSize?: number;
  /** Seeds split, initialization, shuffling and dropout. Default 0. */
  seed?: number;
  init?: Initializer;
  /** Default false. */
  penalizeBiases?: boolean;
  /** Fractions held out for validation and test. Defaults 0.1 and 0.2. */
  validation?: number;
  test?: number;
  /** Feature scaling fitted on the training split. Default 'auto' (z-score unless all values lie in [0, 1]). */
  scaling?: Scaling;
  earlyStopping?: EarlyStopping;
  threads?: number;
  onEpoch?: (record: EpochRecord) => void;
}

/** A trained model with everything needed to use it on raw features. */
export interface TrainedModel {
  arch: Architecture;
  params: Float64Array[];
  standardizer: Standardizer;
  featureNames: string[];
  task: Dataset['task'];
  classes?: string[];
  targetName: string;
  convention: ConventionId;
  lambda: number;
}

/** The `train --json` object (field names are part of the CLI's contract). */
export interface FitReport {
  params: number;
  weights: number;
  m: number;
  lambda: number;
  convention: ConventionId;
  /** The per-weight coefficients the engine applied. */
  coefficients: { coupled: number; decoupled: number };
  init: { data_loss: number; penalty: number };
  epochs: EpochRecord[];
  /** Metrics on the test split; null when `test` is 0 (no test split). */
  test: { loss: number; accuracy?: number; rmse?: number } | null;
  diverged: boolean;
  divergence?: Divergence;
  best_epoch: number;
  seconds: number;
}

export async function fit(o: FitOptions): Promise<{ report: FitReport; model: TrainedModel }> {
  if (!(typeof o.lambda === 'number' && o.lambda >= 0 && Number.isFinite(o.lambda))) throw invalidNumber('lambda', 'train', '[0, ∞)', o.lambda);
  const optimizerName = o.optimizer ?? (o.momentum !== undefined ? 'momentum' : 'sgd');
  if (!OPTIMIZERS.includes(optimizerName)) throw new InvalidOptionError(`Unknown optimizer '${optimizerName}'. Use one of: ${OPTIMIZERS.join(', ')}.`);
  // The CLI parses these as plain numbers; their ranges are enforced here, before any data is loaded.
  if (o.momentum !== undefined && !(o.momentum >= 0 && o.momentum < 1)) throw invalidNumber('momentum', 'train', '[0, 1)', o.momentum);
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 1)) throw invalidNumber('threads', 'train', 'integers [1, cores]', o.threads);
  for (const [name, f] of [['validation', o.validation], ['test', o.test]] as const) {
    if (f !== undefined && !(f >= 0 && f < 1)) throw invalidNumber(name, 'train', '[0, 1)', f);
  }
  const es = o.earlyStopping;
  if (es && !(Number.isInteger(es.patience) && es.patience >= 1)) throw invalidNumber('patience', 'train', 'integers [1, ∞)', es.patience);
  if (es?.minDelta !== undefined && !(es.minDelta >= 0 && Number.isFinite(es.minDelta))) throw invalidNumber('min-delta', 'train', '[0, ∞)', es.minDelta);
  const data = typeof o.data === 'string' ? loadDataset(o.data, { target: o.target, task: o.task }) : o.data;
  const seed = o.seed ?? 0;
  const { train: tr, validation: va, test: te, standardizer } = prepareSplits(data, { validation: o.validation ?? 0.1, test: o.test ?? 0.2, seed, scaling: o.scaling });
  const arch = parseModelSpec(o.model, data.d, data.task === 'regression' ? { task: 'regression' } : { task: 'classification', classes: data.classes.length }, {
    activation: o.activation,
    dropout: o.dropout,
    image: data.image,
  });
  const m = tr.n;
  const batchSize = o.batchSize ?? Math.min(128, m);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw invalidNumber('batch-size', 'train', 'integers [1, m]', batchSize);
  if (batchSize > m) throw new InvalidOptionError(`--batch-size ${batchSize} is larger than the training split (m = ${m} samples). Use --batch-size ${Math.min(128, m)} or less.`);
  const adam = optimizerName === 'adam' || optimizerName === 'adamw';
  const lr = o.lr ?? (adam ? 1e-3 : 0.1);
  if (!(lr > 0 && Number.isFinite(lr))) throw invalidNumber('lr', 'train', '(0, ∞)', lr);
  const convention = o.convention ?? 'seed';
  const conv = getConvention(convention);
  // sklearn-logistic's C = 1/λ has no zero; say so in train's words (the table's own check says 'convert').
  if (conv.range === '(0, ∞)' && o.lambda === 0) {
    throw new InvalidOptionError(`The 'lambda' option of train must be a number in (0, ∞) under --convention ${convention} (${conv.fromSeed}: ${conv.symbol} = 0 would be an infinite penalty). Got 0 instead. For no penalty use --convention seed --lambda 0.`);
  }
  const coefficients = penaltyCoefficients(convention, o.lambda, { m, batchSize, lr, optimizer: optimizerName });
  const optimizer: OptimizerSpec = { name: optimizerName, momentum: o.momentum };

  // --validation 0: no validation rows; the loop then records no val_* fields (instead of NaN) and
  // early stopping watches the training cost.
  const result = await train(tr, va.n > 0 ? va : undefined, {
    arch,
    members: [{ penalty: coefficients, lr }],
    epochs: o.epochs ?? 20,
    batchSize,
    optimizer,
    schedule: o.schedule,
    penalizeBiases: o.penalizeBiases,
    init: o.init,
    seed,
    threads: o.threads,
    earlyStopping: o.earlyStopping,
    onEpoch: o.onEpoch ? (_, recs) => o.onEpoch!(recs[0]) : undefined,
  });
  const member = result.members[0];
  const test = te.n > 0 ? await evaluateParams(arch, member.params, te, o.threads) : null;
  const counts = countParams(arch);
  const report: FitReport = {
    params: counts.total,
    weights: counts.weights,
    m,
    lambda: o.lambda,
    convention,
    coefficients,
    init: { data_loss: member.history[0].data_loss, penalty: member.history[0].penalty },
    epochs: member.history.slice(1),
    test,
    diverged: member.diverged !== undefined,
    best_epoch: member.bestEpoch,
    seconds: result.seconds,
  };
  if (member.diverged) report.divergence = member.diverged;
  const model: TrainedModel = {
    arch,
    params: member.params,
    standardizer,
    featureNames: data.featureNames,
    task: data.task,
    classes: data.task === 'classification' ? data.classes : undefined,
    targetName: data.targetName,
    convention,
    lambda: o.lambda,
  };
  return { report, model };
}

/** Loss and accuracy / RMSE of one model's parameters on standardized rows. */
export async function evaluateParams(arch: Architecture, params: Float64Array[], rows: Dataset, threads?: number): Promise<{ loss: number; accuracy?: number; rmse?: number }> {
  // ONNX Runtime has no float64 Erf or Conv kernel, so GELU and cnn: models are evaluated in
  // float32, as they train (float64 convolutions fall back to im2col: gigabytes at 4096 images per chunk).
  const dtype = (arch.activation === 'gelu' && arch.widths.length > 2) || arch.cnn ? 'float32' : 'float64';
  const evaluator = await Evaluator.create(arch, dtype, undefined, threads);
  const tensors = paramShapes(arch).map((p, i) => tensor(floatArray(dtype, params[i]), p.kind === 'weight' ? [p.fanIn, p.fanOut] : [p.fanOut]));
  const [m] = await evaluator.metrics(tensors, rows);
  await evaluator.release();
  return m;
}

