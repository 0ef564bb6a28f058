/**
 * One epoch of minibatch steps: a seeded shuffle, then engine passes of `unroll` steps each (every
 * step's rows, learning rates, sample weights and dropout masks), the running loss, divergence, and
 * the sample gradients spent.
 */
import type { FloatArray } from '../engine/tensor.js';
import { minibatchDivergence } from './divergence.js';
import { drawKeepMasks } from './dropout.js';
import { fillBatchWeights } from './row-weights.js';
import { lrAt } from './schedule.js';
import type { TrainRun } from './train-run.js';

/** Trains epoch `epoch` (1-based); stops early once no member trains or the signal aborts. */
export async function trainEpoch(run: TrainRun, epoch: number): Promise<void> {
  const { K, steps, unroll, active } = run;
  const order = run.rng.permutation(run.rows.n);
  run.running.fill(0);
  for (let s = 0; s < steps; s += unroll) {
    for (let u = 0; u < unroll; u++) prepareStep(run, u, order, epoch, s + u);
    const out = await run.stepper.run({ x: run.filler.x, y: run.filler.y, lr: run.lrBuf, w: run.wBuf, keep: run.keepBuf as (FloatArray | undefined)[][] });
    run.passes++;
    for (let u = 0; u < unroll; u++) for (let k = 0; k < K; k++) takeLoss(run, k, out.loss[u][k], epoch, s + u + 1);
    // Each run took `unroll` steps of B samples (a fold member learns from its share of each).
    for (let k = 0; k < K; k++) if (active[k] || run.results[k].diverged?.epoch === epoch) run.sampleGrads += (unroll * run.B * run.trainCount[k]) / run.rows.n;
    if (!active.some(Boolean) || run.o.signal?.aborted) break;
  }
}

/** Fills slot u of the pass with step `s` of the epoch: its rows, each member's learning rate, sample weights and keep masks. */
function prepareStep(run: TrainRun, u: number, order: Int32Array, epoch: number, s: number): void {
  const start = s * run.B;
  run.filler.fill(u, order, start);
  const step = (epoch - 1) * run.steps + s;
  const totalSteps = run.steps * run.epochs;
  run.o.members.forEach((m, k) => (run.lrBuf[u][k] = lrAt(run.schedule, m.lr, epoch - 1, step, totalSteps)));
  run.lrFactorSum += lrAt(run.schedule, 1, epoch - 1, step, totalSteps);
  run.stepsTaken++;
  if (run.wBuf && run.rowWeight) fillBatchWeights(run.wBuf[u], run.rowWeight, order, start, run.B);
  drawKeepMasks(run.keepBuf[u], run.o.arch, run.dropRngs);
}

/** Adds member k's minibatch loss to its running mean; a loss that diverged stops the member. */
function takeLoss(run: TrainRun, k: number, loss: number, epoch: number, step: number): void {
  const r = run.results[k];
  run.running[k] += loss / run.steps;
  if (!run.active[k] || r.diverged) return;
  const diverged = minibatchDivergence(loss, r.history[0]?.data_loss, epoch, step, run.steps);
  if (!diverged) return;
  r.diverged = diverged;
  run.active[k] = false;
}
