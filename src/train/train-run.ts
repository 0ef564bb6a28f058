/**
 * One run of the training loop, for one model or K members as a population: what start() builds
 * (the step and evaluation graphs, the batch filler, the seeded generators and buffers) and what
 * every step after it reads and updates (each member's result, whether it still trains, its best
 * epoch, the penalties, the compute spent).
 */
import { floatArray, type FloatArray } from '../engine/tensor.js';
import { defaultInitializer, initParams } from '../models/init.js';
import type { OptimizerSpec } from '../plan/optimizer.js';
import { Rng } from '../util/rng.js';
import type { TrainingRows } from '../data/index.js';
import { BatchFiller } from './batches.js';
import { dropoutRngs, keepBuffers } from './dropout.js';
import { bestSoFar, type BestSoFar } from './early-stopping.js';
import { Evaluator } from './evaluator.js';
import { assertStablePenalty } from './penalty.js';
import { rowWeights, weightBuffers } from './row-weights.js';
import { maxLr } from './schedule.js';
import { Stepper } from './stepper.js';
import type { LrSchedule, MemberResult, PenaltyCoefficients, TrainOptions } from './train-types.js';

export interface TrainRun {
  o: TrainOptions;
  rows: TrainingRows;
  validation: TrainingRows | undefined;
  /** Members, minibatch size, steps per epoch, steps per engine pass, epochs (the cap under 'auto'). */
  K: number;
  B: number;
  steps: number;
  unroll: number;
  epochs: number;
  /** epochs 'auto': a member that converged stops there. */
  auto: boolean;
  optimizer: OptimizerSpec;
  schedule: LrSchedule;
  penalizeBiases: boolean;
  stepper: Stepper;
  evaluator: Evaluator;
  filler: BatchFiller;
  /** Shuffles the rows each epoch. */
  rng: Rng;
  dropRngs: Rng[];
  /** Each member's starting parameters (the anchors of decayTo 'init'). */
  init: Float64Array[][];
  /** k-fold members: each one's 0/1 weight per row, and the minibatch buffers they fill. */
  rowWeight: Uint8Array[] | undefined;
  wBuf: FloatArray[] | undefined;
  trainCount: number[];
  keepBuf: (FloatArray | undefined)[][];
  lrBuf: FloatArray[];
  results: MemberResult[];
  /**
   * Members that converged under epochs 'auto' (or were pruned) keep their parameters from that epoch:
   * a population steps them on, but their result must not depend on which population they trained in.
   */
  frozen: (Float64Array[] | undefined)[];
  active: boolean[];
  best: BestSoFar[];
  /** The penalties now (adjustPenalty may replace them after an epoch). */
  penalties: PenaltyCoefficients[];
  /** Each member's running mean of the minibatch losses over the current epoch. */
  running: Float64Array;
  passes: number;
  sampleGrads: number;
  /** Σ of the schedule's factor lr(step)/lr over the steps taken, and their number: τ uses the mean learning rate. */
  lrFactorSum: number;
  stepsTaken: number;
}

/** Builds the run: initial parameters, the stability check of each penalty, the engine's graphs and the buffers. */
export async function startRun(rows: TrainingRows, validation: TrainingRows | undefined, o: TrainOptions, epochs: number, population: boolean): Promise<TrainRun> {
  const K = o.members.length;
  const B = o.batchSize;
  const dtype = o.dtype ?? 'float32';
  const seed = o.seed ?? 0;
  const penalizeBiases = o.penalizeBiases ?? false;
  const initKind = o.init ?? defaultInitializer(o.arch);
  const init = o.members.map((m) => m.init ?? initParams(o.arch, initKind, seed));
  const sampleWeights = o.members.some((m) => m.trainRows);
  const steps = Math.floor(rows.n / B);
  const unroll = [4, 2, 1].find((u) => steps % u === 0)!;
  const optimizer = o.optimizer ?? { name: 'sgd' };
  o.members.forEach((m, k) => assertStablePenalty(optimizer, m, maxLr(o.schedule, m.lr, epochs), k));
  const stepper = await Stepper.create(
    { arch: o.arch, batch: B, dtype, population: population ? K : undefined, optimizer, unroll, sumsqOutput: false, penalizeBiases, sampleWeights, decayToAnchor: o.decayTo === 'init' },
    init,
    o.members.map((m) => m.penalty.coupled),
    o.members.map((m) => m.penalty.decoupled),
    o.threads,
  );
  const evaluator = await Evaluator.create(o.arch, dtype, population ? K : undefined, o.threads);
  return {
    o, rows, validation, K, B, steps, unroll, epochs,
    auto: o.epochs === 'auto',
    optimizer,
    schedule: o.schedule ?? { kind: 'constant' },
    penalizeBiases,
    stepper,
    evaluator,
    filler: new BatchFiller(rows, B, unroll, dtype, o.arch.loss),
    rng: new Rng(seed + 1),
    dropRngs: dropoutRngs(o.members, seed),
    init,
    rowWeight: sampleWeights ? rowWeights(o.members, rows.n) : undefined,
    wBuf: sampleWeights ? weightBuffers(dtype, K, B, unroll) : undefined,
    trainCount: o.members.map((m) => m.trainRows?.length ?? rows.n),
    keepBuf: keepBuffers(o.arch, dtype, K, B, unroll),
    lrBuf: Array.from({ length: unroll }, () => floatArray(dtype, K)),
    results: o.members.map(() => ({ history: [], bestEpoch: 0, params: [], stoppedEarly: false, lambdaTimescaleEpochs: NaN, converged: false })),
    frozen: o.members.map(() => undefined),
    active: o.members.map(() => true),
    best: o.members.map(() => bestSoFar()),
    penalties: o.members.map((m) => m.penalty),
    running: new Float64Array(K),
    passes: 0,
    sampleGrads: 0,
    lrFactorSum: 0,
    stepsTaken: 0,
  };
}
