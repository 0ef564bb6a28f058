/**
 * The training loop: seeded shuffling, minibatches, learning-rate schedules, per-epoch evaluation
 * (and at initialization), early stopping, divergence detection — for one model or K members at once.
 * train() tells the run in named steps; each lives in a file of its own (train-run, epoch,
 * epoch-record, schedule, dropout, row-weights, early-stopping, divergence, penalty).
 */
import { InvalidOptionError } from '../errors.js';
import { stacksMembers } from '../models/architecture.js';
import type { TrainingRows } from '../data/index.js';
import { subset } from '../data/subset.js';
import { DEFAULTS } from '../options/defaults.js';
import { checkBatchSize } from '../plan/run-plan.js';
import { lambdaTimescaleEpochs } from '../plan/timescale.js';
import { restoresBest } from './early-stopping.js';
import { adjustPenalties, recordEpoch } from './epoch-record.js';
import { trainEpoch } from './epoch.js';
import { startRun, type TrainRun } from './train-run.js';
import type { EpochRecord, TrainOptions, TrainResult } from './train-types.js';

export type { PenaltyCoefficients, LrSchedule, EarlyStopping, MemberSpec, TrainOptions, EpochRecord, Divergence, MemberResult, TrainResult } from './train-types.js';

/** Trains every member for the given epochs; see TrainOptions. */
export async function train(rows: TrainingRows, validation: TrainingRows | undefined, o: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const epochs = checkedEpochs(rows, o);
  // Convolutions, pooling and BatchNorm train one member per graph (their step graph has no population form).
  const population = (o.population ?? o.members.length > 1) && stacksMembers(o.arch);
  if (!population && o.members.length > 1) return trainOneByOne(rows, validation, o, t0);
  if (!population && o.stepOnOwnRows && o.members[0]?.trainRows) return trainOnOwnRows(rows, validation, o);
  const run = await startRun(rows, validation, o, epochs, population);
  await recordEpoch(run, 0);
  await adjustPenalties(run, 0);
  for (let epoch = 1; epoch <= epochs && run.active.some(Boolean); epoch++) {
    await trainEpoch(run, epoch);
    if (o.signal?.aborted) break;
    if (run.active.some(Boolean)) {
      await recordEpoch(run, epoch);
      await adjustPenalties(run, epoch);
    }
  }
  return finishRun(run, t0);
}

/** The batch size (an integer in [1, rows]) and the epochs to train (the cap under 'auto'), checked. */
function checkedEpochs(rows: TrainingRows, o: TrainOptions): number {
  const B = o.batchSize;
  if (!(Number.isInteger(B) && B >= 1)) throw new InvalidOptionError(`The 'batchSize' option must be an integer ≥ 1. Got ${B} instead.`);
  checkBatchSize(B, rows.n, 'the training rows');
  const auto = o.epochs === 'auto';
  const epochs = o.epochs === 'auto' ? (o.maxEpochs ?? DEFAULTS.maxEpochs) : o.epochs;
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new InvalidOptionError(`The '${auto ? 'maxEpochs' : 'epochs'}' option must be an integer ≥ 0. Got ${epochs} instead.`);
  return epochs;
}

/**
 * A member trained alone on its own rows (a fold's training part; stepOnOwnRows) rather than on
 * minibatches of every row with the others weighted zero, as a population must: k/(k−1) fewer sample
 * gradients per epoch in k-fold CV, full minibatches, and the loop a user would write.
 */
function trainOnOwnRows(rows: TrainingRows, validation: TrainingRows | undefined, o: TrainOptions): Promise<TrainResult> {
  const { trainRows, valRows, ...member } = o.members[0];
  return train(subset(rows, trainRows!), valRows ? subset(rows, valRows) : validation, { ...o, members: [member] });
}

/** Members that cannot share a population graph train one after another, sharing nothing but the options. */
async function trainOneByOne(rows: TrainingRows, validation: TrainingRows | undefined, o: TrainOptions, t0: number): Promise<TrainResult> {
  const parts = [];
  for (const [k, m] of o.members.entries()) {
    const onEpoch = o.onEpoch && ((epoch: number, recs: EpochRecord[]) => o.onEpoch!(epoch, recs, k));
    parts.push(await train(rows, validation, { ...o, members: [m], population: false, onEpoch }));
  }
  return {
    members: parts.flatMap((p) => p.members),
    sampleGrads: parts.reduce((a, p) => a + p.sampleGrads, 0),
    passes: parts.reduce((a, p) => a + p.passes, 0),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Each member's parameters (its best epoch's, where early stopping restores them; else frozen or final) and τ; releases the engine. */
async function finishRun(run: TrainRun, t0: number): Promise<TrainResult> {
  const { o, stepper, optimizer } = run;
  const finalParams = stepper.parameters();
  const meanLrFactor = run.stepsTaken > 0 ? run.lrFactorSum / run.stepsTaken : 1;
  const adamDenominators = optimizer.name === 'adam' || optimizer.name === 'adamw' ? stepper.adamDenominators() : undefined;
  run.results.forEach((r, k) => {
    const b = run.best[k];
    const restore = restoresBest(o.earlyStopping, b);
    r.params = restore ? b.params! : (run.frozen[k] ?? finalParams[k]);
    r.bestEpoch = restore ? b.epoch : r.history[r.history.length - 1]?.epoch ?? 0;
    const step = { optimizer, lr: o.members[k].lr * meanLrFactor, ...run.penalties[k], adamDenominator: adamDenominators?.[k] };
    r.lambdaTimescaleEpochs = lambdaTimescaleEpochs(step, run.steps);
  });
  await stepper.release();
  await run.evaluator.release();
  o.signal?.throwIfAborted();
  return { members: run.results, sampleGrads: run.sampleGrads, passes: run.passes, seconds: (performance.now() - t0) / 1000 };
}
