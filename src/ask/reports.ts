/** A handed-out trial's reports as stored: one intermediate value per epoch (the validation loss) with the train loss and Σθ² as its extra. */
import type { Json, Trial } from '../study/index.js';
import { bestSoFar } from '../tune/pruners/median.js';
import { writeTrialResult } from '../tune/trials/trial-result.js';
import type { ReportRequest } from './protocol.js';

/** One stored epoch of a trial. */
export type Report = Omit<ReportRequest, 'trial'>;

/** The extra JSON a report stores next to its validation loss (only the fields given). */
export function reportExtra(r: Report): Json {
  const extra: Record<string, number> = {};
  if (r.train_loss !== undefined) extra.train_loss = r.train_loss;
  if (r.weight_sq_norm !== undefined) extra.weight_sq_norm = r.weight_sq_norm;
  return Object.keys(extra).length > 0 ? extra : null;
}

const numberIn = (extra: Json, key: string): number | undefined => {
  const v = typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? extra[key] : undefined;
  return typeof v === 'number' ? v : undefined;
};

/** The trial's reports of its current attempt, by epoch. */
export function reportsOf(t: Trial): Report[] {
  return t.intermediate.map((v) => {
    const train = numberIn(v.extra, 'train_loss');
    const norm = numberIn(v.extra, 'weight_sq_norm');
    return { epoch: v.step, val_loss: v.value, ...(train !== undefined ? { train_loss: train } : {}), ...(norm !== undefined ? { weight_sq_norm: norm } : {}) };
  });
}

/** Validation loss per epoch (index = epoch; null where none was reported): a fold's curve in tune's trial schema. */
export function curveOf(reports: readonly Report[]): (number | null)[] {
  const last = reports.length > 0 ? reports[reports.length - 1].epoch : -1;
  const curve: (number | null)[] = Array.from({ length: last + 1 }, () => null);
  for (const r of reports) curve[r.epoch] = r.val_loss;
  return curve;
}

/** The best validation loss per epoch so far (what the median rule compares). */
export function bestCurve(reports: readonly Report[]): number[] {
  return bestSoFar(curveOf(reports));
}

/**
 * The result a told trial stores, in tune's trial schema (one hold-out fold: the user's validation
 * rows) so `show`, `--plot` and the dashboard read it as any other: `valLoss` the told loss (NaN for
 * a pruned or failed trial), the train loss of the last report, the curve, τ at its λ (NaN: unknown).
 * Whether the loop converged is not known: stored as false.
 */
export function trialResultOf(lambda: number, tau: number, valLoss: number, reports: readonly Report[], extra: { replaced_by?: number } = {}): Json {
  const last = reports[reports.length - 1];
  const trainLoss = last?.train_loss ?? NaN;
  const epoch = last?.epoch ?? 0;
  const curve = curveOf(reports).map((v) => v ?? NaN);
  const score = { config: { lambda, dropout: 0 }, folds: [{ valLoss, trainLoss, epoch, curve }], mean: valLoss, se: NaN, trainMean: trainLoss, lambdaTimescaleEpochs: tau, converged: false, epochsTrained: epoch, params: [] };
  const result = writeTrialResult(score) as Record<string, Json>;
  return extra.replaced_by === undefined ? result : { ...result, replaced_by: extra.replaced_by };
}
