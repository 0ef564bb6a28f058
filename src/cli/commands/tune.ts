/** `l2lab tune`: choose λ by grid + CV, hold-out + early stopping, successive halving, Bayesian optimization, ridge LOO or a warm path. */
import { validationCurveSvg } from '../../plot/index.js';
import { STRATEGIES, STRATEGY_REGISTRY, strategyFlags } from '../../tune/strategies.js';
import { tune, type TuneOptions, type TuneResult } from '../../tune/tune.js';
import type { Command, ParsedValues } from '../command.js';
import { argsTable, flagText, optionHelp, readOptions, required, type CliFlag } from '../options.js';
import { fmt, pct, table } from '../format.js';
import { waitLine } from '../wait-line.js';
import { checkOutputFile, writeFilesAtomic } from '../../util/output-file.js';

const FLAGS: CliFlag[] = [
  { flag: 'plot', meta: 'curve.svg', doc: 'validation curve with ±SE bars, λ_min and λ_1se marked' },
  { flag: 'json', doc: 'one JSON object' },
];

/** tune's options from the command line, as tune() takes them (tune checks them against the registry). */
export function tuneOptionsFrom(v: ParsedValues): TuneOptions {
  const o = readOptions('tune', v) as Partial<TuneOptions>;
  return {
    ...o,
    strategy: o.strategy ?? 'grid',
    data: required(o.data, 'data', 'tune', 'wine'),
    model: required(o.model, 'model', 'tune', 'mlp:32'),
  };
}

/** Each strategy with its own options, for `--help`. */
function strategyHelp(): string {
  return STRATEGIES.map((n) => {
    const s = STRATEGY_REGISTRY[n];
    const flags = strategyFlags(n);
    return `  ${n.padEnd(9)}${s.summary}${flags.length ? ` (${flags.join(' ')})` : ''}`;
  }).join('\n');
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
    ...(r.acted_warning ? [`warning: ${r.acted_warning}`] : []),
    ...(r.range_extended ? ['the λ range was extended because the best λ sat on its edge'] : []),
    `cost: ${r.cost.sample_grads.toLocaleString('en-US')} sample gradients (${r.cost.epochs.toFixed(1)} epochs of the training part), ${r.cost.passes} engine passes, ${r.cost.seconds.toFixed(1)} s`,
  ].join('\n');
}

export async function writePlot(path: string, r: TuneResult): Promise<void> {
  const svg = await validationCurveSvg({
    points: r.curve,
    lambdaMin: r.best_lambda,
    lambda1se: r.lambda_1se,
    noTimeToAct: r.no_time_to_act,
    title: `${r.study}: validation loss vs λ (${r.convention} convention)`,
  });
  writeFilesAtomic([[path, svg]]);
}

export const command: Command = {
  name: 'tune',
  summary: 'choose λ: grid + k-fold CV or hold-out, 1-SE rule, successive halving, Bayesian optimization, ridge, path',
  options: argsTable('tune', FLAGS),
  help: `Usage: l2lab tune --data D --model M [--strategy S] [options]

Strategies (--strategy, default grid):
${strategyHelp()}

Options (an option a strategy or model does not use is refused, naming where it applies):
${optionHelp('tune', FLAGS)}

Example (the seed's grid): l2lab tune --data wine --model mlp:32 --lambdas 0.01:0.4:0.01 --holdout 0.2 --patience 5`,
  async run(v) {
    const plot = flagText(v, 'plot');
    // Refuse an unwritable --plot before the tune, not after it.
    if (plot) checkOutputFile(plot, '--plot');
    const result = await tune({
      ...tuneOptionsFrom(v),
      onWait: (e) => process.stderr.write(`${waitLine(e)}\n`),
      onReplace: (s) => process.stderr.write(`study ${s.name}: its stored config had no result (no trial completed), so this run replaces it\n`),
    });
    if (plot) await writePlot(plot, result);
    if (v.json === true) console.log(JSON.stringify(result));
    else {
      console.log(formatTuneResult(result));
      if (plot) console.log(`wrote ${plot}`);
    }
    return 0;
  },
};
