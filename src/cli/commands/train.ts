/** `l2lab train`: train one model with the seed's L2 cost (or any convention), printing data term and penalty apart. */
import { L2labError } from '../../errors.js';
import { saveModel } from '../../models/export.js';
import { fit, type FitOptions, type FitReport } from '../../train/fit.js';
import type { EpochRecord, LrSchedule } from '../../train/trainer.js';
import type { Command, ParsedValues } from '../command.js';
import { checkOptions, DEFAULTS } from '../../options/index.js';
import { argsTable, flagText, optionHelp, readOptions, required, type CliFlag } from '../options.js';
import { fmt, pct, StreamingTable } from '../format.js';
import { checkOutputFile } from '../../util/output-file.js';

const FLAGS: CliFlag[] = [
  { flag: 'out', meta: 'model.onnx', doc: 'write the trained model (inference ONNX + model.onnx.json sidecar)' },
  { flag: 'json', doc: 'print one JSON object instead of the table' },
];

/** train's options from the command line, as fit() takes them (fit checks them against the registry). */
export function fitOptionsFrom(v: ParsedValues): FitOptions {
  // Checked here too: fit() sees --step-every only inside a step schedule, so it cannot tell it was given alone.
  const o = readOptions('train', v);
  const { schedule: kind, stepEvery, gamma, patience, minDelta, restoreBest, dropout: drop, ...rest } = o;
  const schedule: LrSchedule | undefined = kind === 'step' ? { kind, every: stepEvery ?? DEFAULTS.stepEvery, gamma: gamma ?? DEFAULTS.gamma } : kind === undefined ? undefined : { kind };
  checkOptions('train', o, { model: o.model });
  return {
    ...rest,
    data: required(rest.data, 'data', 'train', 'wine'),
    model: required(rest.model, 'model', 'train', 'mlp:32'),
    lambda: required(rest.lambda, 'lambda', 'train', '0.01; 0 trains without a penalty'),
    ...(drop ? { dropout: drop.length === 1 ? drop[0] : drop } : {}),
    ...(schedule ? { schedule } : {}),
    ...(patience !== undefined ? { earlyStopping: { patience, minDelta, restoreBest: restoreBest ?? true } } : {}),
  };
}

/** The per-epoch table; `unit` 'iteration' for an exact solve, whose rows are its start and its solution. */
export function epochTable(task: 'classification' | 'regression', unit: 'epoch' | 'iteration' = 'epoch'): { table: StreamingTable; row: (r: EpochRecord) => string } {
  const table = new StreamingTable([unit, 'data loss', 'penalty', 'cost', 'val loss', task === 'classification' ? 'val acc' : 'val rmse']);
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

/** τ against the epochs trained, and whether the cost converged; for an exact solve its iterations, since τ does not apply. */
export function timescaleLine(report: FitReport): string {
  const s = report.solver;
  if (s.name === 'exact') {
    const outcome = s.converged ? `converged after ${s.iterations} iterations` : `did not converge: ${s.reason} (${s.iterations} iterations)`;
    return `exact solver: ${s.method}, ${outcome}, ‖∇cost‖∞ = ${s.grad_norm.toExponential(2)}; λ timescale τ: ${report.lambda === 0 ? 'no penalty' : 'does not apply (no steps: λ acts fully at the minimum)'}`;
  }
  const n = report.epochs.length;
  const tau = report.lambda_timescale_epochs;
  const acted = tau === null ? (report.lambda === 0 ? 'no penalty' : 'τ unknown') : `τ = ${fmt(tau)} epochs ${tau > n ? `> ${n} trained: λ had no time to act` : `≤ ${n} trained: λ acted`}`;
  return `λ timescale: ${acted}; ${report.converged ? 'converged' : 'not converged'} after ${n} epoch${n === 1 ? '' : 's'}`;
}

export const command: Command = {
  name: 'train',
  options: argsTable('train', FLAGS),
  help: `Usage: l2lab train --data D --model M --lambda X [options]

Trains with cost = (1/m)·Σ loss_i + (λ/2m)·Σ θ_j² (weights only), or λ in another framework's
convention, and prints data loss, penalty and cost per epoch, from initialization on.

${optionHelp('train', FLAGS)}

Example: l2lab train --data mnist-10k --model mlp:256 --lambda 5 --optimizer momentum --lr 0.05 --epochs 30`,
  async run(v) {
    const options = fitOptionsFrom(v);
    const out = flagText(v, 'out');
    // Refuse an unwritable --out before a long run, not after it.
    if (out !== undefined) checkOutputFile(out, '--out');
    const json = v.json === true;
    let printer: ReturnType<typeof epochTable> | undefined;
    const { report, model } = await fit({
      ...options,
      onEpoch: json
        ? undefined
        : (r, solver) => {
            if (!printer) {
              printer = epochTable(r.val_accuracy !== undefined || r.train_accuracy !== undefined ? 'classification' : 'regression', solver === 'exact' ? 'iteration' : 'epoch');
              console.log(printer.table.head());
            }
            console.log(printer.row(r));
          },
    });
    const failed = report.diverged || (report.solver.name === 'exact' && !report.solver.converged);
    if (out && !failed) saveModel(model, out);
    if (json) console.log(JSON.stringify(report));
    else {
      console.log(`${report.params} parameters (${report.weights} weights penalized), m = ${report.m}, λ = ${report.lambda} (${report.convention}): per-weight penalty gradient ${fmt(report.coefficients.coupled + report.coefficients.decoupled)}·θ`);
      console.log(timescaleLine(report));
      printReportTail(report);
      if (out && !failed) console.log(`wrote ${out} and ${out}.json`);
      for (const n of report.notes ?? []) console.log(`note: ${n}`);
    }
    if (report.solver.name === 'exact' && !report.solver.converged) {
      throw new L2labError('NOT_CONVERGED', `the exact solver did not converge: ${report.solver.reason} (${report.solver.iterations} iterations, ‖∇cost‖∞ = ${report.solver.grad_norm.toExponential(2)}).${out ? ` Nothing was written to ${out}.` : ''}`);
    }
    if (report.diverged) {
      throw new L2labError('DIVERGED', `training diverged: ${report.divergence!.message}. Lower --lr or --lambda.${out ? ` Nothing was written to ${out}.` : ''}`);
    }
    return 0;
  },
};
