/**
 * The training loop: seeded shuffling, minibatches, learning-rate schedules, per-epoch evaluation
 * (and at initialization), early stopping, divergence detection — for one model or K members at once.
 */
import { floatArray, type FloatArray } from '../engine/tensor.js';
import { InvalidOptionError } from '../errors.js';
import type { FloatDType } from '../graph/graph.js';
import { paramShapes, stacksMembers, type Architecture } from '../models/architecture.js';
import { isPenalized } from '../models/param-shape.js';
import { defaultInitializer, initParams } from '../models/init.js';
import type { Initializer } from '../options/names.js';
import { Rng } from '../util/rng.js';
import type { TrainingRows } from '../data/index.js';
import type { Metrics } from '../models/metrics.js';
import { BatchFiller } from './batches.js';
import { Evaluator } from './evaluator.js';
import type { OptimizerSpec } from '../plan/optimizer.js';
import { Stepper } from './stepper.js';
import { hasConverged } from './convergence.js';
import { DEFAULTS } from '../options/defaults.js';
import { checkBatchSize } from '../plan/run-plan.js';
import { lambdaTimescaleEpochs, penaltyStability } from '../plan/timescale.js';

/** Per-weight penalty coefficients: gradient += coupled·θ; θ ← θ − lr·decoupled·θ. Seed: coupled = λ/m. */
export interface PenaltyCoefficients {
  coupled: number;
  decoupled: number;
}

/** constant; step: × gamma every `every` epochs; cosine: from lr to 0 over the run (per step). */
export type LrSchedule = { kind: 'constant' } | { kind: 'step'; every: number; gamma: number } | { kind: 'cosine' };

export interface EarlyStopping {
  /** Epochs without an improvement of the validation loss by more than minDelta before stopping. */
  patience: number;
  /** Default 0. */
  minDelta?: number;
  /** Restore the parameters of the best epoch at the end. Default true. */
  restoreBest?: boolean;
}

export interface MemberSpec {
  penalty: PenaltyCoefficients;
  /** Learning rate of this member. */
  lr: number;
  /** Rows of `train` this member learns from (default all): k-fold members leave their fold out. */
  trainRows?: Int32Array;
  /** Rows of `train` this member is validated on (its fold), instead of the shared validation set. */
  valRows?: Int32Array;
  /** Warm start: parameters in paramShapes order (default: the seeded initializer). */
  init?: Float64Array[];
  /**
   * Seed of this member's dropout masks (default: seed + 2 + its index). Tuning sets it from the
   * trial's identity so a member's result does not depend on which population it trained in.
   */
  dropoutSeed?: number;
}

export interface TrainOptions {
  arch: Architecture;
  members: MemberSpec[];
  /** Epochs to train, or 'auto': until every member has converged (see hasConverged), at most `maxEpochs`. */
  epochs: number | 'auto';
  /** Cap of `epochs: 'auto'`. Default 200 (the registry's --max-epochs). */
  maxEpochs?: number;
  batchSize: number;
  /** Default { name: 'sgd' }. */
  optimizer?: OptimizerSpec;
  /** Default constant. */
  schedule?: LrSchedule;
  /** Default false: the seed's cost penalizes weights only. */
  penalizeBiases?: boolean;
  /** What the penalty pulls the weights toward: 'zero' (‖θ‖², the default) or 'init', each member's starting parameters (‖θ − θ₀‖², L2-SP). */
  decayTo?: 'zero' | 'init';
  /** Default: the file's weights for an imported graph, 'he' for ReLU/GELU, 'glorot' otherwise (defaultInitializer). */
  init?: Initializer;
  /** Seeds initialization, shuffling and dropout. Default 0. */
  seed?: number;
  /** Default float32. */
  dtype?: FloatDType;
  threads?: number;
  earlyStopping?: EarlyStopping;
  /** Evaluate the data loss on the whole training set each epoch (exact) instead of the running minibatch mean. Default true. */
  exactTrainLoss?: boolean;
  /** Run members as one population graph (K-leading tensors) rather than one after another. Default: K > 1. */
  population?: boolean;
  /**
   * After each epoch: `records[i]` is member `first + i`. A population reports every member at once
   * (first = 0); members trained one after another report one at a time, each with its own index.
   */
  onEpoch?: (epoch: number, records: EpochRecord[], first: number) => void;
  /**
   * Called after each epoch's records (before onEpoch) with which members still train; a reason at
   * index k stops member k there (a pruned tuning trial): it keeps the parameters it has and takes no
   * more steps, so it costs no more sample gradients.
   */
  prune?: (epoch: number, records: EpochRecord[], active: readonly boolean[]) => (string | undefined)[];
  /**
   * Called after each epoch's evaluation with the current parameters ([member][param]); returning
   * coefficients replaces the members' penalties from then on (how the evidence strategy re-estimates
   * λ during one run). Their `penalty` in later records uses the new coefficients.
   */
  adjustPenalty?: (epoch: number, params: Float64Array[][]) => Promise<PenaltyCoefficients[] | undefined>;
  /** Checked after every engine pass: once aborted, training stops and `train` throws the signal's reason (a tuning worker that lost its trial). */
  signal?: AbortSignal;
}

export interface EpochRecord {
  /** 0 = at initialization. */
  epoch: number;
  /** (1/m)Σ loss over the member's training rows. */
  data_loss: number;
  /** The penalty term: (coupled + decoupled)/2·Σθ² (the seed's λ/(2m)·Σθ²). */
  penalty: number;
  cost: number;
  /** Σθ² of the penalized parameters (Σ(θ − θ₀)² with decayTo 'init'). */
  sum_sq: number;
  train_accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
  val_rmse?: number;
}

export interface Divergence {
  epoch: number;
  step: number;
  message: string;
}

export interface MemberResult {
  history: EpochRecord[];
  /** Epoch whose parameters `params` holds (the best one under early stopping with restoreBest). */
  bestEpoch: number;
  params: Float64Array[];
  diverged?: Divergence;
  stoppedEarly: boolean;
  /**
   * τ, the penalty's decay timescale in epochs at the run's mean learning rate (lambdaTimescaleEpochs);
   * Adam with coupled L2 uses the median √v̂ + ε of the penalized weights at the end. Infinity without
   * a penalty; NaN when unknown.
   */
  lambdaTimescaleEpochs: number;
  /** The convergence rule (hasConverged) held at the last recorded epoch. Under epochs 'auto' the member stopped there. */
  converged: boolean;
  /** Set when TrainOptions.prune stopped the member: the epoch and the pruner's reason. */
  pruned?: { epoch: number; reason: string };
}

export interface TrainResult {
  members: MemberResult[];
  /** Sample-gradient evaluations spent (per member, summed): the compute measure tuning reports. */
  sampleGrads: number;
  /** Engine passes (session runs of the step graph). */
  passes: number;
  seconds: number;
}

/** A minibatch loss this many times its initial value (or 1, if larger) counts as diverged. */
const EXPLOSION_FACTOR = 1e4;

function lrAt(schedule: LrSchedule, base: number, epoch: number, step: number, totalSteps: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(epoch / schedule.every);
    case 'cosine':
      return 0.5 * base * (1 + Math.cos((Math.PI * step) / totalSteps));
  }
}

/** Σθ² over the penalized parameters, or Σ(θ − θ₀)² from `anchors` (L2-SP). */
function sumSquares(arch: Architecture, params: Float64Array[], penalizeBiases: boolean, anchors?: Float64Array[]): number {
  let s = 0;
  paramShapes(arch).forEach((p, i) => {
    if (!isPenalized(p, penalizeBiases)) return;
    const a = anchors?.[i];
    if (a) params[i].forEach((v, j) => (s += (v - a[j]) ** 2));
    else for (const v of params[i]) s += v * v;
  });
  return s;
}

/** The largest learning rate a schedule reaches within `epochs` (a step schedule may have gamma > 1). */
function maxLr(schedule: LrSchedule | undefined, base: number, epochs: number): number {
  if (schedule?.kind !== 'step') return base;
  return base * Math.max(1, schedule.gamma ** Math.floor(Math.max(0, epochs - 1) / schedule.every));
}

/**
 * Refuses a member whose penalty alone is an unstable step (penaltyStability): it would blow the weights up
 * whatever the data. fit() and tune() refuse earlier, naming the largest safe λ in the user's convention.
 */
function assertStablePenalty(optimizer: OptimizerSpec, m: MemberSpec, lr: number, k: number): void {
  const s = penaltyStability({ optimizer, lr, ...m.penalty });
  if (s.stable) return;
  throw new InvalidOptionError(
    `Member ${k}'s penalty step is unstable under ${optimizer.name}: with lr ${lr}, coupled ${m.penalty.coupled} and decoupled ${m.penalty.decoupled} the penalty alone multiplies a weight by ${s.radius.toPrecision(4)} per step. ` +
      `Scale the coefficients (or lr) by less than ${s.maxScale.toPrecision(4)}: e.g. lr ${(lr * s.maxScale).toPrecision(4)} or less.`,
  );
}

/** Trains every member for the given epochs; see TrainOptions. */
export async function train(rows: TrainingRows, validation: TrainingRows | undefined, o: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const K = o.members.length;
  const B = o.batchSize;
  if (!(Number.isInteger(B) && B >= 1)) throw new InvalidOptionError(`The 'batchSize' option must be an integer ≥ 1. Got ${B} instead.`);
  checkBatchSize(B, rows.n, 'the training rows');
  const auto = o.epochs === 'auto';
  const epochs = o.epochs === 'auto' ? (o.maxEpochs ?? DEFAULTS.maxEpochs) : o.epochs;
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new InvalidOptionError(`The '${auto ? 'maxEpochs' : 'epochs'}' option must be an integer ≥ 0. Got ${epochs} instead.`);
  const dtype = o.dtype ?? 'float32';
  const seed = o.seed ?? 0;
  const penalizeBiases = o.penalizeBiases ?? false;
  // Convolutions, pooling and BatchNorm train one member per graph (their step graph has no population form).
  const usePopulation = (o.population ?? K > 1) && stacksMembers(o.arch);
  if (!usePopulation && K > 1) {
    // One after another, sharing nothing but the options.
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
  const initKind = o.init ?? defaultInitializer(o.arch);
  const init = o.members.map((m) => m.init ?? initParams(o.arch, initKind, seed));
  const sampleWeights = o.members.some((m) => m.trainRows);
  const steps = Math.floor(rows.n / B);
  const unroll = [4, 2, 1].find((u) => steps % u === 0)!;
  const optimizer = o.optimizer ?? { name: 'sgd' };
  o.members.forEach((m, k) => assertStablePenalty(optimizer, m, maxLr(o.schedule, m.lr, epochs), k));
  const stepper = await Stepper.create(
    { arch: o.arch, batch: B, dtype, population: usePopulation ? K : undefined, optimizer, unroll, sumsqOutput: false, penalizeBiases, sampleWeights, decayToAnchor: o.decayTo === 'init' },
    init,
    o.members.map((m) => m.penalty.coupled),
    o.members.map((m) => m.penalty.decoupled),
    o.threads,
  );
  const evaluator = await Evaluator.create(o.arch, dtype, usePopulation ? K : undefined, o.threads);
  const filler = new BatchFiller(rows, B, unroll, dtype, o.arch.loss);
  const rng = new Rng(seed + 1);
  const dropRngs = o.members.map((m, k) => new Rng(m.dropoutSeed ?? seed + 2 + k));
  const exact = o.exactTrainLoss ?? true;

  // Per-member sample weights over all rows: 1 where the member trains on that row.
  const rowWeight = sampleWeights
    ? o.members.map((m) => {
        const w = new Uint8Array(rows.n);
        if (m.trainRows) for (const r of m.trainRows) w[r] = 1;
        else w.fill(1);
        return w;
      })
    : undefined;
  const trainCount = o.members.map((m) => m.trainRows?.length ?? rows.n);
  const wBuf = sampleWeights ? Array.from({ length: unroll }, () => floatArray(dtype, K * B)) : undefined;
  const keepBuf = Array.from({ length: unroll }, () => o.arch.dropout.map((p, l) => (p > 0 ? floatArray(dtype, K * B * o.arch.widths[l + 1]) : undefined)));
  const lrBuf = Array.from({ length: unroll }, () => floatArray(dtype, K));

  const results: MemberResult[] = o.members.map(() => ({ history: [], bestEpoch: 0, params: [], stoppedEarly: false, lambdaTimescaleEpochs: NaN, converged: false }));
  // Members that converged under epochs 'auto' keep their parameters from that epoch: a population
  // steps them on, but their result must not depend on which population they trained in.
  const frozen: (Float64Array[] | undefined)[] = o.members.map(() => undefined);
  const active = o.members.map(() => true);
  const best = o.members.map(() => ({ loss: Infinity, epoch: 0, params: undefined as Float64Array[] | undefined, since: 0 }));
  const running = new Float64Array(K);
  let passes = 0;
  let sampleGrads = 0;

  const record = async (epoch: number): Promise<void> => {
    const params = stepper.parameters();
    const trainMetrics: (Metrics | undefined)[] = exact || epoch === 0 ? await evaluator.metrics(stepper.parameterTensors(), rows, o.members.map((m) => m.trainRows)) : o.members.map(() => undefined);
    const valMetrics: (Metrics | undefined)[] = o.members.some((m) => m.valRows)
      ? await evaluator.metrics(stepper.parameterTensors(), rows, o.members.map((m) => m.valRows))
      : validation
        ? await evaluator.metrics(stepper.parameterTensors(), validation)
        : o.members.map(() => undefined);
    const recs = o.members.map((_, k): EpochRecord => {
      const sumSq = sumSquares(o.arch, params[k], penalizeBiases, o.decayTo === 'init' ? init[k] : undefined);
      const data = trainMetrics[k]?.loss ?? running[k];
      const penalty = ((penalties[k].coupled + penalties[k].decoupled) / 2) * sumSq;
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
    recs.forEach((rec, k) => {
      if (!active[k]) return;
      results[k].history.push(rec);
      if (!Number.isFinite(rec.cost) && !results[k].diverged) {
        // Every minibatch loss was finite, so the last update of the epoch (or the initialization) broke it.
        results[k].diverged =
          epoch === 0
            ? { epoch, step: 0, message: `cost is ${rec.cost} at initialization` }
            : { epoch, step: steps, message: `cost became ${rec.cost} at epoch ${epoch}, after step ${steps} of ${steps}` };
        active[k] = false;
        return;
      }
      const score = rec.val_loss ?? rec.cost;
      const b = best[k];
      if (score < b.loss - (o.earlyStopping?.minDelta ?? 0)) {
        b.loss = score;
        b.epoch = epoch;
        b.since = 0;
        if (o.earlyStopping?.restoreBest ?? true) b.params = params[k];
      } else if (o.earlyStopping && ++b.since >= o.earlyStopping.patience) {
        active[k] = false;
        results[k].stoppedEarly = true;
      }
      results[k].converged = hasConverged(results[k].history.map((h) => h.cost));
      if (auto && active[k] && results[k].converged) {
        active[k] = false;
        frozen[k] = params[k];
      }
    });
    o.prune?.(epoch, recs, active).forEach((reason, k) => {
      if (reason === undefined || !active[k]) return;
      active[k] = false;
      frozen[k] = params[k];
      results[k].pruned = { epoch, reason };
    });
    o.onEpoch?.(epoch, recs, 0);
  };

  const penalties = o.members.map((m) => m.penalty);
  const adjust = async (epoch: number): Promise<void> => {
    const next = await o.adjustPenalty?.(epoch, stepper.parameters());
    if (!next) return;
    next.forEach((p, k) => (penalties[k] = p));
    stepper.setPenalty(next.map((p) => p.coupled), next.map((p) => p.decoupled));
  };

  await record(0);
  await adjust(0);
  const totalSteps = steps * epochs;
  const schedule = o.schedule ?? { kind: 'constant' };
  // Σ of the schedule's factor lr(step)/lr over the steps taken: τ uses the mean learning rate.
  let lrFactorSum = 0;
  let stepsTaken = 0;
  for (let epoch = 1; epoch <= epochs && active.some(Boolean); epoch++) {
    const order = rng.permutation(rows.n);
    running.fill(0);
    for (let s = 0; s < steps; s += unroll) {
      for (let u = 0; u < unroll; u++) {
        const start = (s + u) * B;
        filler.fill(u, order, start);
        const step = (epoch - 1) * steps + s + u;
        o.members.forEach((m, k) => (lrBuf[u][k] = lrAt(schedule, m.lr, epoch - 1, step, totalSteps)));
        lrFactorSum += lrAt(schedule, 1, epoch - 1, step, totalSteps);
        stepsTaken++;
        if (wBuf && rowWeight) for (let k = 0; k < K; k++) for (let i = 0; i < B; i++) wBuf[u][k * B + i] = rowWeight[k][order[start + i]];
        keepBuf[u].forEach((buf, l) => {
          if (!buf) return;
          const p = o.arch.dropout[l];
          const per = buf.length / K;
          for (let k = 0; k < K; k++) for (let i = k * per; i < (k + 1) * per; i++) buf[i] = dropRngs[k].uniform() >= p ? 1 : 0;
        });
      }
      const out = await stepper.run({ x: filler.x, y: filler.y, lr: lrBuf, w: wBuf, keep: keepBuf as (FloatArray | undefined)[][] });
      passes++;
      for (let u = 0; u < unroll; u++) {
        for (let k = 0; k < K; k++) {
          const l = out.loss[u][k];
          running[k] += l / steps;
          // Non-finite, or finite but exploded far past where it started: either way the run is lost.
          const exploded = l > EXPLOSION_FACTOR * Math.max(1, results[k].history[0]?.data_loss ?? 1);
          if ((!Number.isFinite(l) || exploded) && active[k] && !results[k].diverged) {
            const what = exploded && Number.isFinite(l) ? `exploded to ${l.toExponential(3)} (over ${EXPLOSION_FACTOR}× its initial value)` : `became ${l}`;
            results[k].diverged = { epoch, step: s + u + 1, message: `data loss ${what} at epoch ${epoch}, step ${s + u + 1} of ${steps}` };
            active[k] = false;
          }
        }
      }
      // Each run took `unroll` steps of B samples (a fold member learns from its share of each).
      for (let k = 0; k < K; k++) if (active[k] || results[k].diverged?.epoch === epoch) sampleGrads += (unroll * B * trainCount[k]) / rows.n;
      if (!active.some(Boolean) || o.signal?.aborted) break;
    }
    if (o.signal?.aborted) break;
    if (active.some(Boolean)) {
      await record(epoch);
      await adjust(epoch);
    }
  }

  const finalParams = stepper.parameters();
  const meanLrFactor = stepsTaken > 0 ? lrFactorSum / stepsTaken : 1;
  const adamDenominators = optimizer.name === 'adam' || optimizer.name === 'adamw' ? stepper.adamDenominators() : undefined;
  results.forEach((r, k) => {
    const b = best[k];
    const restore = (o.earlyStopping?.restoreBest ?? true) && o.earlyStopping !== undefined && b.params !== undefined;
    r.params = restore ? b.params! : (frozen[k] ?? finalParams[k]);
    r.bestEpoch = restore ? b.epoch : r.history[r.history.length - 1]?.epoch ?? 0;
    const step = { optimizer, lr: o.members[k].lr * meanLrFactor, ...penalties[k], adamDenominator: adamDenominators?.[k] };
    r.lambdaTimescaleEpochs = lambdaTimescaleEpochs(step, steps);
  });
  await stepper.release();
  await evaluator.release();
  o.signal?.throwIfAborted();
  return { members: results, sampleGrads, passes, seconds: (performance.now() - t0) / 1000 };
}

