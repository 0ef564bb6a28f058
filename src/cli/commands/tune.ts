/** `l2lab tune`: choose λ by grid + CV, hold-out + early stopping, successive halving, Bayesian optimization, ridge LOO or a warm path. */
import { STRATEGIES, STRATEGY_REGISTRY, strategyFlags } from '../../tune/strategies.js';
import { tune, type TuneOptions, type TuneResult } from '../../tune/tune.js';
import type { Command, ParsedValues } from '../command.js';
import { DEFAULTS } from '../../options/index.js';
import { argsTable, flagText, optionHelp, readOptions, required, type CliFlag } from '../options.js';
import { fmt, pct, sig, table, trialStates } from '../format.js';
import { UNIT_LABELS } from '../../tune/conversions.js';
import { TIE_TOLERANCE } from '../../tune/choose-lambda.js';
import { waitLine } from '../wait-line.js';
import { checkOutputFile, writeFilesAtomic } from '../../util/output-file.js';
import { ProgressLine } from '../progress-line.js';

const FLAGS: CliFlag[] = [
  { flag: 'plot', meta: 'curve.svg', doc: 'validation curve with ±SE bars, λ_min and λ_1se marked' },
  { flag: 'out', meta: 'best.onnx', doc: 'write the refit model at the chosen λ (inference ONNX + best.onnx.json sidecar, for l2lab evaluate)' },
  { flag: 'json', doc: 'one JSON object' },
];

/** tune's options from the command line, as tune() takes them (tune checks them against the registry). */
export function tuneOptionsFrom(v: ParsedValues): TuneOptions {
  const o = readOptions('tune', v);
  return {
    ...o,
    strategy: o.strategy ?? DEFAULTS.strategy,
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
  // Strategies that score no validation data (LOO, the evidence) have no spread to show and no 1-SE rule.
  const validated = STRATEGY_REGISTRY[r.strategy].usesValidation;
  const states = trialStates(r.trials);
  const rows = r.trials.map((t, i) => {
    const mark = t.dropout === r.best_dropout && t.lambda === r.best_lambda ? 'λ_min' : '';
    const mark1 = validated && t.dropout === r.best_dropout && t.lambda === r.lambda_1se ? 'λ_1se' : '';
    return [
      sig(t.lambda),
      ...(many ? [String(t.dropout)] : []),
      ...(rungs ? [String(t.rung ?? '')] : []),
      t.cv_mean === null ? '' : fmt(t.cv_mean),
      ...(validated ? [t.cv_se === null ? '' : `± ${fmt(t.cv_se)}`] : []),
      t.train_mean === null ? '' : fmt(t.train_mean),
      states.cells[i],
      [mark, mark1].filter(Boolean).join(' '),
    ];
  });
  const header = ['λ', ...(many ? ['dropout'] : []), ...(rungs ? ['rung'] : []), 'val loss', ...(validated ? ['SE'] : []), 'train loss', 'state', ''];
  const refit = r.refit;
  return [
    `study ${r.study} — ${r.strategy}: ${r.scheme}; λ in the ${r.convention} convention`,
    '',
    table(header, rows),
    ...states.notes,
    '',
    `λ_min = ${sig(r.best_lambda)}${many ? ` (dropout ${r.best_dropout})` : ''}${validated ? `, λ_1se = ${sig(r.lambda_1se)}` : ''}; refit at ${r.select === '1se' ? 'λ_1se' : 'λ_min'} = ${sig(refit.lambda)}: test loss ${fmt(refit.test_loss)}${refit.test_accuracy !== undefined ? `, accuracy ${pct(refit.test_accuracy)}` : ''}${refit.test_rmse !== undefined ? `, rmse ${fmt(refit.test_rmse)}` : ''}`,
    ...(validated ? [intervalLine(r.best_lambda, r.lambda_interval)] : []),
    ...(validated ? [`ties: mean losses within a relative ${sig(TIE_TOLERANCE)} of the lowest are equal; the largest such λ is λ_min`] : []),
    ...unitLines(r),
    ...(r.class_warning ? [`warning: ${r.class_warning}`] : []),
    ...(r.edge_warning ? [`warning: ${r.edge_warning}`] : []),
    ...(r.acted_warning ? [`warning: ${r.acted_warning}`] : []),
    ...(r.patience_warning ? [`warning: ${r.patience_warning}`] : []),
    ...(r.noise ? [noiseLine(r.noise)] : []),
    ...(r.range_extended ? ['the λ range was extended because the best λ sat on its edge'] : []),
    `${r.trials_from_store} of ${r.trials_from_store + r.trials_trained + r.trials_by_others} trials read from the study store; ${r.trials_trained} trained${r.trials_by_others > 0 ? ` here, ${r.trials_by_others} by other workers` : ''}`,
    `cost${r.trials_by_others > 0 ? ' of this process' : ''}: ${r.cost.sample_grads.toLocaleString('en-US')} sample gradients (${r.cost.epochs.toFixed(1)} epochs of the training part), ${r.cost.passes} engine passes, ${r.cost.seconds.toFixed(1)} s`,
  ].join('\n');
}

/** bayes's noise reading as one line (tune and show): its warning, or the scatter and the λ it cannot tell from the best (a range, or one λ when the process's curve is sharp). */
export function noiseLine(n: NonNullable<TuneResult['noise']>): string {
  if (n.warning) return `warning: ${n.warning}`;
  const span = n.lambda_hi > n.lambda_lo ? `λ from ${sig(n.lambda_lo)} to ${sig(n.lambda_hi)} is` : `only λ ≈ ${sig(n.lambda)} is`;
  return `noise: the validation losses scatter by about ±${pct(n.relative_std)} from run to run (the Gaussian process's estimate); ${span} predicted within that of the best`;
}

/** The λ range the data cannot separate from λ_min, and its rule (tune and show). */
export function intervalLine(lambdaMin: number, i: TuneResult['lambda_interval']): string {
  if (!(i.high > i.low)) return `interval: λ_min = ${sig(lambdaMin)} alone (${i.basis})`;
  return `interval: the data cannot separate λ from ${sig(i.low)} to ${sig(i.high)} from λ_min = ${sig(lambdaMin)} (${i.basis})`;
}

/** λ_min (and λ_1se) in the conventions a user trains with, m and B filled in: "λ_min = 4.642 → pytorch weight_decay = 0.03269, …". */
function unitLines(r: TuneResult): string[] {
  const line = (label: string, lambda: number, conversions: TuneResult['conversions']) =>
    `  ${label} = ${sig(lambda)} → ${r.user_conventions
      .map((id) => {
        const c = conversions[id];
        return c ? `${UNIT_LABELS[id] ?? id} = ${c.value === null ? '—' : sig(c.value)}` : '';
      })
      .filter(Boolean)
      .join(', ')}`;
  return [
    `in your framework's units (m = ${r.m.toLocaleString('en-US')}, B = ${r.batch_size}; all conventions: --json or 'l2lab convert --lambda ${sig(r.best_lambda)} --from ${r.convention} --m ${r.m} --batch-size ${r.batch_size}'):`,
    line('λ_min', r.best_lambda, r.conversions),
    ...(r.conversions_1se ? [line('λ_1se', r.lambda_1se, r.conversions_1se)] : []),
    ...(r.lambda_interval.high > r.lambda_interval.low ? [line('interval low', r.lambda_interval.low, r.conversions_interval.low), line('interval high', r.lambda_interval.high, r.conversions_interval.high)] : []),
  ];
}

export async function writePlot(path: string, r: TuneResult): Promise<void> {
  // Vega loads only when a plot is asked for (about 0.2 s of every tune's start-up otherwise).
  const { validationCurveSvg } = await import('../../plot/index.js');
  const svg = await validationCurveSvg({
    points: r.curve,
    lambdaMin: r.best_lambda,
    lambda1se: r.lambda_1se,
    interval: r.lambda_interval,
    noTimeToAct: r.no_time_to_act,
    title: `${r.study}: validation loss vs λ (${r.convention} convention)`,
  });
  writeFilesAtomic([[path, svg]]);
}

export const command: Command = {
  name: 'tune',
  options: argsTable('tune', FLAGS),
  help: `Usage: l2lab tune --data D --model M [--strategy S] [options]

Strategies (--strategy, default grid):
${strategyHelp()}

Options (an option a strategy or model does not use is refused, naming where it applies):
${optionHelp('tune', FLAGS)}

Example (the seed's grid): l2lab tune --data wine --model mlp:32 --lambdas 0.01:0.4:0.01 --holdout 0.2 --patience 5`,
  async run(v) {
    const out = flagText(v, 'out');
    const plot = flagText(v, 'plot');
    // Refuse an unwritable --out or --plot before the tune, not after it.
    if (out) checkOutputFile(out, '--out');
    if (plot) checkOutputFile(plot, '--plot');
    const progress = new ProgressLine();
    progress.start();
    const { model, ...result } = await tune({
      ...tuneOptionsFrom(v),
      keepModel: out !== undefined,
      onProgress: progress.onProgress,
      onWait: (e) => {
        progress.end();
        process.stderr.write(`${waitLine(e)}\n`);
      },
      onWorkers: (processes, threads) => {
        progress.end();
        process.stderr.write(`training on ${processes} processes of this machine sharing the study, ${threads ?? 'all'} ONNX Runtime thread${threads === 1 ? '' : 's'} each (--workers 1: one process)\n`);
      },
      onWorkerFailed: (message) => {
        progress.end();
        process.stderr.write(`warning: ${message}\n`);
      },
      onReplace: (s) => {
        progress.end();
        process.stderr.write(`study ${s.name}: its stored config had no result (no trial completed), so this run replaces it\n`);
      },
    }).finally(() => progress.end());
    if (plot) await writePlot(plot, result);
    // The ONNX writer (protobuf) loads only with --out.
    const exported = out ? await import('../../models/export.js') : undefined;
    if (out && model) exported!.saveModel(model, out);
    if (v.json === true) console.log(JSON.stringify(result));
    else {
      console.log(formatTuneResult(result));
      if (plot) console.log(`wrote ${plot}`);
      if (out) console.log(`wrote ${out} and ${exported!.sidecarPath(out)} (the refit at λ = ${sig(result.refit.lambda)}; score it with 'l2lab evaluate --model ${out} --data …')`);
    }
    return 0;
  },
};
