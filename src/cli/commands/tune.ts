/** `l2lab tune`: choose λ by grid + CV, hold-out + early stopping, successive halving, Bayesian optimization, ridge LOO or a warm path. */
import fs from 'node:fs';
import { CONVENTION_IDS, type ConventionId } from '../../conventions/index.js';
import { InvalidOptionError } from '../../errors.js';
import { validationCurveSvg } from '../../plot/index.js';
import { parseLambdas, parseLogRange } from '../../tune/lambda-grid.js';
import { STRATEGIES, tune, type StrategyName, type TuneOptions, type TuneResult } from '../../tune/tune.js';
import type { OptimizerName } from '../../train/optimizer.js';
import type { Activation } from '../../models/architecture.js';
import { numberOption, requireOption, stringOption, type Command, type ParsedValues } from '../command.js';
import { taskOption } from './train.js';
import { fmt, pct, table } from '../format.js';
import { waitLine } from '../wait-line.js';

const OPTIONS = {
  data: { type: 'string' },
  target: { type: 'string' },
  task: { type: 'string' },
  model: { type: 'string' },
  activation: { type: 'string' },
  strategy: { type: 'string' },
  lambdas: { type: 'string' },
  'log-range': { type: 'string' },
  dropout: { type: 'string' },
  folds: { type: 'string' },
  holdout: { type: 'string' },
  patience: { type: 'string' },
  select: { type: 'string' },
  'no-extend': { type: 'boolean' },
  eta: { type: 'string' },
  'min-epochs': { type: 'string' },
  trials: { type: 'string' },
  'path-epochs': { type: 'string' },
  storage: { type: 'string' },
  study: { type: 'string' },
  'heartbeat-timeout': { type: 'string' },
  'population-size': { type: 'string' },
  convention: { type: 'string' },
  optimizer: { type: 'string' },
  momentum: { type: 'string' },
  lr: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  test: { type: 'string' },
  threads: { type: 'string' },
  plot: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function logRangeOption(v: ParsedValues): TuneOptions['logRange'] {
  const spec = stringOption(v, 'log-range');
  if (spec === undefined) return undefined;
  const values = parseLogRange(spec);
  return { lo: values[0], hi: values[values.length - 1], n: values.length };
}

export function tuneOptionsFrom(v: ParsedValues): TuneOptions {
  const cmd = 'tune';
  const strategy = (stringOption(v, 'strategy') ?? 'grid') as StrategyName;
  if (!STRATEGIES.includes(strategy)) throw new InvalidOptionError(`Unknown --strategy '${strategy}'. Use one of: ${STRATEGIES.join(', ')}.`);
  const convention = stringOption(v, 'convention');
  if (convention !== undefined && !CONVENTION_IDS.includes(convention as ConventionId)) throw new InvalidOptionError(`Unknown --convention '${convention}'. Use one of: ${CONVENTION_IDS.join(', ')}.`);
  const dropoutText = stringOption(v, 'dropout');
  const dropouts = dropoutText?.split(',').map((s) => {
    const p = Number(s);
    if (s.trim() === '' || !(p >= 0 && p < 1)) throw new InvalidOptionError(`--dropout takes comma-separated probabilities in [0, 1), e.g. --dropout 0,0.2,0.5. Got '${dropoutText}'.`);
    return p;
  });
  const select = stringOption(v, 'select');
  if (select !== undefined && select !== 'min' && select !== '1se') throw new InvalidOptionError(`--select must be min or 1se. Got '${select}'.`);
  const lambdasText = stringOption(v, 'lambdas');
  return {
    strategy,
    data: requireOption(v, 'data', cmd),
    target: stringOption(v, 'target'),
    task: taskOption(v),
    model: requireOption(v, 'model', cmd),
    activation: stringOption(v, 'activation') as Activation | undefined,
    lambdas: lambdasText === undefined ? undefined : parseLambdas(lambdasText),
    logRange: logRangeOption(v),
    dropouts,
    folds: numberOption(v, 'folds', cmd, 'integers [2, n]'),
    holdout: numberOption(v, 'holdout', cmd, '(0, 1)'),
    patience: numberOption(v, 'patience', cmd, 'integers [1, ∞)'),
    select: select as 'min' | '1se' | undefined,
    extend: v['no-extend'] !== true,
    eta: numberOption(v, 'eta', cmd, '[2, ∞)'),
    minEpochs: numberOption(v, 'min-epochs', cmd, 'integers [1, epochs]'),
    trials: numberOption(v, 'trials', cmd, 'integers [1, ∞)'),
    pathEpochs: numberOption(v, 'path-epochs', cmd, 'integers [1, ∞)'),
    storage: stringOption(v, 'storage'),
    populationSize: numberOption(v, 'population-size', cmd, 'integers [1, ∞)'),
    study: stringOption(v, 'study'),
    heartbeatTimeout: numberOption(v, 'heartbeat-timeout', cmd, '(0, ∞) seconds'),
    convention: convention as ConventionId | undefined,
    optimizer: stringOption(v, 'optimizer') as OptimizerName | undefined,
    momentum: numberOption(v, 'momentum', cmd, '[0, 1)'),
    lr: numberOption(v, 'lr', cmd, '(0, ∞)'),
    epochs: numberOption(v, 'epochs', cmd, 'integers [1, ∞)'),
    batchSize: numberOption(v, 'batch-size', cmd, 'integers [1, m]'),
    seed: numberOption(v, 'seed', cmd),
    test: numberOption(v, 'test', cmd, '[0, 1)'),
    threads: numberOption(v, 'threads', cmd, 'integers [1, cores]'),
  };
}

/** The λ table with λ_min and λ_1se marked, the choice, the refit and the cost. */
export function formatTuneResult(r: TuneResult): string {
  const many = new Set(r.trials.map((t) => t.dropout)).size > 1;
  const rungs = r.trials.some((t) => t.rung !== undefined);
  const rows = r.trials.map((t) => {
    const mark = t.dropout === r.best_dropout && t.lambda === r.best_lambda ? 'λ_min' : '';
    const mark1 = t.dropout === r.best_dropout && t.lambda === r.lambda_1se ? 'λ_1se' : '';
    return [
      fmt(t.lambda),
      ...(many ? [String(t.dropout)] : []),
      ...(rungs ? [String(t.rung ?? '')] : []),
      t.cv_mean === null ? '' : fmt(t.cv_mean),
      t.cv_se === null ? '' : `± ${fmt(t.cv_se)}`,
      t.train_mean === null ? '' : fmt(t.train_mean),
      t.state === 'COMPLETE' ? '' : `${t.state}${t.reason ? `: ${t.reason}` : ''}`,
      [mark, mark1].filter(Boolean).join(' '),
    ];
  });
  const header = ['λ', ...(many ? ['dropout'] : []), ...(rungs ? ['rung'] : []), 'val loss', 'SE', 'train loss', 'state', ''];
  const refit = r.refit;
  return [
    `study ${r.study} — ${r.strategy}: ${r.scheme}; λ in the ${r.convention} convention`,
    '',
    table(header, rows),
    '',
    `λ_min = ${r.best_lambda}${many ? ` (dropout ${r.best_dropout})` : ''}, λ_1se = ${r.lambda_1se}; refit at ${r.select === '1se' ? 'λ_1se' : 'λ_min'} = ${refit.lambda}: test loss ${fmt(refit.test_loss)}${refit.test_accuracy !== undefined ? `, accuracy ${pct(refit.test_accuracy)}` : ''}${refit.test_rmse !== undefined ? `, rmse ${fmt(refit.test_rmse)}` : ''}`,
    ...(r.edge_warning ? [`warning: ${r.edge_warning}`] : []),
    ...(r.range_extended ? ['the λ range was extended because the best λ sat on its edge'] : []),
    `cost: ${r.cost.sample_grads.toLocaleString('en-US')} sample gradients (${r.cost.epochs.toFixed(1)} epochs of the training part), ${r.cost.passes} engine passes, ${r.cost.seconds.toFixed(1)} s`,
  ].join('\n');
}

export async function writePlot(path: string, r: TuneResult): Promise<void> {
  const svg = await validationCurveSvg({
    points: r.curve,
    lambdaMin: r.best_lambda,
    lambda1se: r.lambda_1se,
    title: `${r.study}: validation loss vs λ (${r.convention} convention)`,
  });
  const tmp = `${path}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, svg);
  fs.renameSync(tmp, path);
}

export const command: Command = {
  name: 'tune',
  summary: 'choose λ: grid + k-fold CV or hold-out, 1-SE rule, successive halving, Bayesian optimization, ridge, path',
  options: OPTIONS,
  help: `Usage: l2lab tune --data D --model M [--strategy S] [options]

Strategies (--strategy, default grid):
  grid    every λ of --lambdas (list, or a:b:step like 0.01:0.4:0.01) or --log-range lo:hi:n,
          scored by stratified k-fold CV (--folds k, default 5) or --holdout F with --patience N
  sh      successive halving over a log range on epochs (--eta 3, --min-epochs 1)
  bayes   Gaussian-process expected improvement over log λ (--trials 15)
  ridge   exact leave-one-out for every λ from one decomposition (--model linear)
  path    warm-started path from large λ down, k-fold CV (logistic, softmax, linear; --path-epochs 5)
  evidence  λ from the Bayesian evidence in one run, no validation data (linear: exact; logistic,
          softmax: Laplace at the MAP; MLP: online Laplace with K-FAC curvature)

  --target COL, --task classification|regression   as 'l2lab train'
  --dropout 0,0.2,0.5   tune dropout with λ (grid)
  --select min|1se      refit at λ_min (default) or at λ_1se, the largest λ within one SE
  --no-extend           do not extend a log range whose best λ sits on its edge
  --storage PATH|URL    study store: SQLite file (default ./l2lab.db) or postgres://…
  --study NAME          study name (default: strategy-data-model-hash); re-running resumes it
  --heartbeat-timeout S seconds a worker's trial may go without a heartbeat before another
                        worker runs it (default 60); start the same command on several machines
                        with one postgres:// --storage and they share the trials
  --population-size N   λ configurations per engine pass (default: all); each finished pass is saved
  --test F              test fraction scored by the refit (default 0.2)
  --plot curve.svg      validation curve with ±SE bars, λ_min and λ_1se marked
  --json                one JSON object
  Training options as 'l2lab train': --convention --optimizer --momentum --lr --epochs --batch-size
  --seed --activation --threads

Example (the seed's grid): l2lab tune --data wine --model mlp:32 --lambdas 0.01:0.4:0.01 --holdout 0.2 --patience 5`,
  async run(v) {
    const result = await tune({ ...tuneOptionsFrom(v), onWait: (e) => process.stderr.write(`${waitLine(e)}\n`) });
    const plot = stringOption(v, 'plot');
    if (plot) await writePlot(plot, result);
    if (v.json === true) console.log(JSON.stringify(result));
    else {
      console.log(formatTuneResult(result));
      if (plot) console.log(`wrote ${plot}`);
    }
    return 0;
  },
};
