/**
 * After each epoch (and at initialization): every member's record (data loss, penalty, cost, Σθ²,
 * accuracies, validation loss), then what it decides for the member — diverged, stopped early,
 * converged (epochs 'auto'), pruned — and the penalties adjustPenalty sets from then on.
 */
import type { Metrics } from '../models/metrics.js';
import { hasConverged } from './convergence.js';
import { costDivergence } from './divergence.js';
import { observeScore } from './early-stopping.js';
import { sumSquares } from './penalty.js';
import type { TrainRun } from './train-run.js';
import type { EpochRecord } from './train-types.js';

/** Records the epoch for every member still training, settles each one, asks the pruner, and reports. */
export async function recordEpoch(run: TrainRun, epoch: number): Promise<void> {
  const params = run.stepper.parameters();
  const recs = await epochRecords(run, epoch, params);
  recs.forEach((rec, k) => settleMember(run, k, rec, params[k]));
  run.o.prune?.(epoch, recs, run.active).forEach((reason, k) => {
    if (reason === undefined || !run.active[k]) return;
    run.active[k] = false;
    run.frozen[k] = params[k];
    run.results[k].pruned = { epoch, reason };
  });
  run.o.onEpoch?.(epoch, recs, 0);
}

/** Each member's record: the exact training loss (or the epoch's running minibatch mean), its penalty, and its validation metrics. */
async function epochRecords(run: TrainRun, epoch: number, params: Float64Array[][]): Promise<EpochRecord[]> {
  const { o, stepper, evaluator, rows, validation } = run;
  const exact = o.exactTrainLoss ?? true;
  const trainMetrics: (Metrics | undefined)[] = exact || epoch === 0 ? await evaluator.metrics(stepper.parameterTensors(), rows, o.members.map((m) => m.trainRows)) : o.members.map(() => undefined);
  const valMetrics: (Metrics | undefined)[] = o.members.some((m) => m.valRows)
    ? await evaluator.metrics(stepper.parameterTensors(), rows, o.members.map((m) => m.valRows))
    : validation
      ? await evaluator.metrics(stepper.parameterTensors(), validation)
      : o.members.map(() => undefined);
  return o.members.map((_, k): EpochRecord => {
    const sumSq = sumSquares(o.arch, params[k], run.penalizeBiases, o.decayTo === 'init' ? run.init[k] : undefined);
    const data = trainMetrics[k]?.loss ?? run.running[k];
    const penalty = ((run.penalties[k].coupled + run.penalties[k].decoupled) / 2) * sumSq;
    const rec: EpochRecord = { epoch, data_loss: data, penalty, cost: data + penalty, sum_sq: sumSq };
    if (trainMetrics[k]?.accuracy !== undefined) rec.train_accuracy = trainMetrics[k]!.accuracy;
    const v = valMetrics[k];
    if (v) {
      rec.val_loss = v.loss;
      if (v.accuracy !== undefined) rec.val_accuracy = v.accuracy;
      if (v.rmse !== undefined) rec.val_rmse = v.rmse;
    }
    return rec;
  });
}

/** Keeps the record of member k (if it still trains) and stops it when it diverged, ran out of patience, or converged under epochs 'auto'. */
function settleMember(run: TrainRun, k: number, rec: EpochRecord, params: Float64Array[]): void {
  const { results, active } = run;
  if (!active[k]) return;
  results[k].history.push(rec);
  const diverged = results[k].diverged ? undefined : costDivergence(rec.cost, rec.epoch, run.steps);
  if (diverged) {
    results[k].diverged = diverged;
    active[k] = false;
    return;
  }
  if (observeScore(run.best[k], rec.val_loss ?? rec.cost, rec.epoch, params, run.o.earlyStopping)) {
    active[k] = false;
    results[k].stoppedEarly = true;
  }
  results[k].converged = hasConverged(results[k].history.map((h) => h.cost));
  if (run.auto && active[k] && results[k].converged) {
    active[k] = false;
    run.frozen[k] = params;
  }
}

/** adjustPenalty (the evidence strategy): coefficients it returns replace the members' penalties from now on. */
export async function adjustPenalties(run: TrainRun, epoch: number): Promise<void> {
  const next = await run.o.adjustPenalty?.(epoch, run.stepper.parameters());
  if (!next) return;
  next.forEach((p, k) => (run.penalties[k] = p));
  run.stepper.setPenalty(next.map((p) => p.coupled), next.map((p) => p.decoupled));
}
