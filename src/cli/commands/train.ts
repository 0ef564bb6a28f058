/** `l2lab train`: train one model with the seed's L2 cost (or any convention), printing data term and penalty apart. */
import fs from 'node:fs';
import path from 'node:path';
import { CONVENTION_IDS, type ConventionId } from '../../conventions/index.js';
import { InvalidOptionError, L2labError } from '../../errors.js';
import { ACTIVATIONS, type Activation } from '../../models/architecture.js';
import type { Task } from '../../data/index.js';
import { saveModel } from '../../models/export.js';
import { INITIALIZERS, type Initializer } from '../../models/init.js';
import { fit, type FitOptions, type FitReport } from '../../train/fit.js';
import type { OptimizerName } from '../../train/optimizer.js';
import type { EpochRecord, LrSchedule } from '../../train/trainer.js';
import { numberOption, requireOption, stringOption, type Command, type ParsedValues } from '../command.js';
import { fmt, pct, StreamingTable } from '../format.js';

export const TRAIN_OPTIONS = {
  data: { type: 'string' },
  target: { type: 'string' },
  task: { type: 'string' },
  model: { type: 'string' },
  activation: { type: 'string' },
  dropout: { type: 'string' },
  lambda: { type: 'string' },
  convention: { type: 'string' },
  optimizer: { type: 'string' },
  momentum: { type: 'string' },
  lr: { type: 'string' },
  schedule: { type: 'string' },
  'step-every': { type: 'string' },
  gamma: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  init: { type: 'string' },
  'penalize-biases': { type: 'boolean' },
  validation: { type: 'string' },
  test: { type: 'string' },
  patience: { type: 'string' },
  'min-delta': { type: 'string' },
  'no-restore-best': { type: 'boolean' },
  threads: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `--task classification|regression`: how a numeric CSV/JSON target is read. */
export function taskOption(v: ParsedValues): Task | undefined {
  const task = stringOption(v, 'task');
  if (task !== undefined && task !== 'classification' && task !== 'regression') throw new InvalidOptionError(`--task must be classification or regression. Got '${task}'.`);
  return task;
}

/** Shared by train and tune: the model, optimizer and data options as FitOptions fields. */
export function fitOptionsFrom(v: ParsedValues, cmd: string): Omit<FitOptions, 'lambda'> {
  const activation = stringOption(v, 'activation');
  if (activation !== undefined && !ACTIVATIONS.includes(activation as Activation)) throw new InvalidOptionError(`Unknown --activation '${activation}'. Use one of: ${ACTIVATIONS.join(', ')}.`);
  const init = stringOption(v, 'init');
  if (init !== undefined && !INITIALIZERS.includes(init as Initializer)) throw new InvalidOptionError(`Unknown --init '${init}'. Use one of: ${INITIALIZERS.join(', ')}.`);
  const convention = stringOption(v, 'convention');
  if (convention !== undefined && !CONVENTION_IDS.includes(convention as ConventionId)) throw new InvalidOptionError(`Unknown --convention '${convention}'. Use one of: ${CONVENTION_IDS.join(', ')}.`);
  const dropoutText = stringOption(v, 'dropout');
  const dropout = dropoutText?.split(',').map((s) => {
    const p = Number(s);
    if (s.trim() === '' || !(p >= 0 && p < 1)) throw new InvalidOptionError(`The 'dropout' option of ${cmd} must be numbers in [0, 1), comma-separated per hidden layer. Got '${dropoutText}' instead.`);
    return p;
  });
  const scheduleKind = stringOption(v, 'schedule') ?? 'constant';
  let schedule: LrSchedule;
  if (scheduleKind === 'constant' || scheduleKind === 'cosine') schedule = { kind: scheduleKind };
  else if (scheduleKind === 'step') schedule = { kind: 'step', every: numberOption(v, 'step-every', cmd, '[1, ∞)') ?? 10, gamma: numberOption(v, 'gamma', cmd, '(0, 1]') ?? 0.1 };
  else throw new InvalidOptionError(`Unknown --schedule '${scheduleKind}'. Use constant, step (with --step-every N --gamma g) or cosine.`);
  const patience = numberOption(v, 'patience', cmd, 'integers [1, ∞)');
  return {
    data: requireOption(v, 'data', cmd),
    target: stringOption(v, 'target'),
    task: taskOption(v),
    model: requireOption(v, 'model', cmd),
    activation: activation as Activation | undefined,
    dropout: dropout && dropout.length === 1 ? dropout[0] : dropout,
    convention: convention as ConventionId | undefined,
    optimizer: stringOption(v, 'optimizer') as OptimizerName | undefined,
    momentum: numberOption(v, 'momentum', cmd, '[0, 1)'),
    lr: numberOption(v, 'lr', cmd, '(0, ∞)'),
    schedule,
    epochs: numberOption(v, 'epochs', cmd, 'integers [0, ∞)'),
    batchSize: numberOption(v, 'batch-size', cmd, 'integers [1, m]'),
    seed: numberOption(v, 'seed', cmd),
    init: init as Initializer | undefined,
    penalizeBiases: v['penalize-biases'] === true,
    validation: numberOption(v, 'validation', cmd, '[0, 1)'),
    test: numberOption(v, 'test', cmd, '[0, 1)'),
    earlyStopping: patience === undefined ? undefined : { patience, minDelta: numberOption(v, 'min-delta', cmd, '[0, ∞)'), restoreBest: v['no-restore-best'] !== true },
    threads: numberOption(v, 'threads', cmd, 'integers [1, cores]'),
  };
}

export function epochTable(task: 'classification' | 'regression'): { table: StreamingTable; row: (r: EpochRecord) => string } {
  const table = new StreamingTable(['epoch', 'data loss', 'penalty', 'cost', 'val loss', task === 'classification' ? 'val acc' : 'val rmse']);
  return {
    table,
    row: (r) => table.row([r.epoch === 0 ? 'init' : String(r.epoch), fmt(r.data_loss), fmt(r.penalty), fmt(r.cost), fmt(r.val_loss), task === 'classification' ? pct(r.val_accuracy) : fmt(r.val_rmse)]),
  };
}

export function printReportTail(report: FitReport): void {
  const t = report.test;
  if (!t) {
    console.log(`no test split (--test 0)   (${report.seconds.toFixed(1)} s)`);
    return;
  }
  console.log(`test: loss ${fmt(t.loss)}${t.accuracy !== undefined ? `, accuracy ${pct(t.accuracy)}` : ''}${t.rmse !== undefined ? `, rmse ${fmt(t.rmse)}` : ''}   (${report.seconds.toFixed(1)} s)`);
}

export const command: Command = {
  name: 'train',
  summary: 'train one model with an L2 penalty; show the data term and the penalty apart',
  options: TRAIN_OPTIONS,
  help: `Usage: l2lab train --data D --model M --lambda X [options]

Trains with cost = (1/m)·Σ loss_i + (λ/2m)·Σ θ_j² (weights only), or λ in another framework's
convention, and prints data loss, penalty and cost per epoch, from initialization on.

  --data D            built-in name (l2lab datasets) or a .csv/.json/IDX path
  --target COL        CSV target column (default: target)
  --task T            classification | regression: how a numeric target is read (default: strings
                      are classes, numbers regression)
  --model M           linear | logistic | softmax | mlp:W1,W2,… | cnn:… on image data, e.g.
                      cnn:c16k5,bn,p2,c32k5,p2,f128 (c<F>k<K>[s<S>][v] conv, p<K>/a<K> max/avg
                      pool, f<W> dense, bn/ln after a c or f layer)
  --activation A      relu | tanh | gelu | sigmoid (default: relu)
  --dropout P         dropout after each hidden layer, or P1,P2,… per layer (default: 0)
  --lambda X          L2 constant in --convention's units, ≥ 0
  --convention C      ${CONVENTION_IDS.join(' | ')} (default: seed)
  --optimizer O       sgd | momentum | nesterov | adam | adamw (default: sgd, momentum if --momentum)
  --momentum μ        default 0.9 for momentum/nesterov
  --lr η              default 0.1 (SGD family), 0.001 (Adam)
  --schedule S        constant | step | cosine (default: constant); step uses --step-every N (10) --gamma g (0.1)
  --epochs N          default 20
  --batch-size B      default min(128, m)
  --seed S            split, init, shuffling and dropout seed (default: 0)
  --init I            he | glorot | lecun | pytorch (default: he for relu/gelu, glorot otherwise)
  --penalize-biases   include biases in the penalty (default: off)
  --validation F      validation fraction (default: 0.1);  --test F  test fraction (default: 0.2)
  --patience N        early stopping on validation loss; --min-delta D (0); --no-restore-best
  --threads N         ONNX Runtime threads (default: all cores)
  --out model.onnx    write the trained model (inference ONNX + model.onnx.json sidecar)
  --json              print one JSON object instead of the table

Example: l2lab train --data mnist-10k --model mlp:256 --lambda 5 --optimizer momentum --lr 0.05 --epochs 30`,
  async run(v) {
    const lambda = numberOption(v, 'lambda', 'train', '[0, ∞)');
    if (lambda === undefined) throw new InvalidOptionError(`'l2lab train' needs --lambda (e.g. --lambda 0.01; 0 trains without a penalty).`);
    const options = fitOptionsFrom(v, 'train');
    const out = stringOption(v, 'out');
    // Refuse an unwritable --out before a long run, not after it.
    if (out !== undefined && !fs.existsSync(path.dirname(path.resolve(out)))) {
      throw new InvalidOptionError(`Cannot write --out ${out}: directory ${path.dirname(path.resolve(out))} does not exist. Create it first or choose another --out path.`);
    }
    const json = v.json === true;
    let printer: ReturnType<typeof epochTable> | undefined;
    const { report, model } = await fit({
      ...options,
      lambda,
      onEpoch: json
        ? undefined
        : (r) => {
            if (!printer) {
              printer = epochTable(r.val_accuracy !== undefined || r.train_accuracy !== undefined ? 'classification' : 'regression');
              console.log(printer.table.head());
            }
            console.log(printer.row(r));
          },
    });
    if (out && !report.diverged) saveModel(model, out);
    if (json) console.log(JSON.stringify(report));
    else {
      console.log(`${report.params} parameters (${report.weights} weights penalized), m = ${report.m}, λ = ${report.lambda} (${report.convention}): per-weight penalty gradient ${fmt(report.coefficients.coupled + report.coefficients.decoupled)}·θ`);
      printReportTail(report);
      if (out && !report.diverged) console.log(`wrote ${out} and ${out}.json`);
    }
    if (report.diverged) {
      throw new L2labError('DIVERGED', `training diverged: ${report.divergence!.message}. Lower --lr or --lambda.${out ? ` Nothing was written to ${out}.` : ''}`);
    }
    return 0;
  },
};
