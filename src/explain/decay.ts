/**
 * How fast the L2 term shrinks the weights: the per-step factor, per epoch, the decay timescale, and
 * the constant-timescale rule for a starting λ (Wang & Aitchison 2024).
 */
import { DEFAULTS } from '../options/defaults.js';
import type { PenaltyCoefficients } from '../conventions/index.js';
import type { OptimizerName } from '../options/names.js';

/** What the penalty alone does to each weight during training; see {@link weightDecay}. */
export interface WeightDecay {
  /** r, the fraction of each weight the penalty removes per step (θ ← (1 − r)·θ − η·∇data); null when unknown before training. */
  ratePerStep: number | null;
  /** 1 − r: seed convention under SGD, 1 − ηλ/m. */
  shrinkPerStep: number | null;
  /** Optimizer steps per epoch: ⌊m/B⌋ (the trainer drops the last partial batch). */
  stepsPerEpoch: number;
  /** (1 − r)^⌊m/B⌋. */
  shrinkPerEpoch: number | null;
  /** exp(−r·m/B): seed convention under SGD, exp(−ηλ/B). */
  shrinkPerEpochApprox: number | null;
  /** τ = 1/r steps, the e-folding time of a weight the data term leaves alone (Infinity when λ = 0). */
  timescaleSteps: number | null;
  /** τ/⌊m/B⌋ epochs: seed convention under SGD, (m/(ηλ))/(m/B) = B/(ηλ) when B divides m. */
  timescaleEpochs: number | null;
  /** The learning rate the penalty gradient is effectively multiplied by: η, or η/(1 − μ) for coupled L2 under momentum. */
  effectiveLr: number | null;
  /** How exact these numbers are for this optimizer and coupling. */
  note: string;
}

/**
 * The decay the penalty applies per step. The penalty's gradient on each weight is c·θ (seed: c = λ/m);
 * a decoupled decay applies θ ← θ − η·d·θ directly. So per step θ ← (1 − r)·θ − η·∇(data loss) with
 *
 * - SGD: r = η·(c + d) — exact;
 * - momentum / Nesterov (μ): r ≈ η·c/(1 − μ) + η·d — the velocity accumulates c·θ into c·θ/(1 − μ)
 *   for a weight that changes slowly over 1/(1 − μ) steps;
 * - Adam / AdamW: r = η·d exactly for the decoupled part; a coupled c·θ is divided by √v̂, which depends
 *   on the data gradients, so r is unknown before training (null).
 *
 * Per epoch of S = ⌊m/B⌋ steps the factor is (1 − r)^S ≈ exp(−r·S) ≈ exp(−r·m/B); for the seed
 * convention under SGD, exp(−(ηλ/m)·(m/B)) = exp(−ηλ/B). The timescale is τ = 1/r steps (the EMA
 * timescale of Wang & Aitchison 2024: the weights are an exponential moving average of the last ~τ
 * updates), τ/S epochs = (m/(ηλ))·(B/m) = B/(ηλ) — independent of m, for fixed seed λ.
 *
 * @param coefficients - from `penaltyCoefficients` (coupled c, decoupled d per weight; one of them is 0).
 * @param coupling - the convention's: decides whether momentum amplifies the decay, even at λ = 0.
 * @param o - m training rows; `batchSize` B ≤ m; `lr` η > 0; `momentum` μ ∈ [0, 1) (default 0.9).
 * @example
 * weightDecay({ coupled: 0.01 / 1000, decoupled: 0 }, 'coupled', { m: 1000, batchSize: 100, lr: 0.1, optimizer: 'sgd' });
 * // shrinkPerStep 1 − 1e-6, timescaleEpochs 1e5 = B/(ηλ)
 */
export function weightDecay(
  coefficients: PenaltyCoefficients,
  coupling: 'coupled' | 'decoupled',
  o: { m: number; batchSize: number; lr: number; optimizer: OptimizerName; momentum?: number },
): WeightDecay {
  const { coupled, decoupled } = coefficients;
  const steps = Math.floor(o.m / o.batchSize);
  const mu = o.momentum ?? DEFAULTS.momentum;
  let effectiveLr: number | null;
  let note: string;
  if (coupling === 'decoupled') {
    effectiveLr = o.lr;
    note = `decoupled decay θ ← θ − η·wd·θ: exact under ${o.optimizer}.`;
  } else if (o.optimizer === 'sgd') {
    effectiveLr = o.lr;
    note = 'plain SGD: exact.';
  } else if (o.optimizer === 'momentum' || o.optimizer === 'nesterov') {
    effectiveLr = o.lr / (1 - mu);
    note = `${o.optimizer} (μ = ${mu}): the penalty gradient builds up in the velocity to c·θ/(1 − μ), so η is replaced by η/(1 − μ) = ${Number(effectiveLr.toPrecision(6))}; approximate, for weights that move slowly over 1/(1 − μ) steps.`;
  } else {
    effectiveLr = null;
    note = `${o.optimizer} divides a coupled penalty gradient by √v̂, which depends on the data gradients: the decay per step is unknown before training. A decoupled convention (--convention adamw) has an exact timescale.`;
  }
  if (effectiveLr === null) {
    return { ratePerStep: null, shrinkPerStep: null, stepsPerEpoch: steps, shrinkPerEpoch: null, shrinkPerEpochApprox: null, timescaleSteps: null, timescaleEpochs: null, effectiveLr, note };
  }
  const r = effectiveLr * (coupled + decoupled);
  return {
    ratePerStep: r,
    shrinkPerStep: 1 - r,
    stepsPerEpoch: steps,
    shrinkPerEpoch: (1 - r) ** steps,
    shrinkPerEpochApprox: Math.exp((-r * o.m) / o.batchSize),
    timescaleSteps: r === 0 ? Infinity : 1 / r,
    timescaleEpochs: r === 0 ? Infinity : 1 / (r * steps),
    effectiveLr,
    note,
  };
}

/** A λ range from a rule, in the seed's units and in the user's convention. */
export interface LambdaRange {
  /** The rule, in one sentence. */
  rule: string;
  /** Always true until the atlas validates a rule: say so wherever the range is shown. */
  heuristic: true;
  /** Seed λ at the two ends (low: τ = T epochs; high: τ = 1 epoch). */
  seedLow: number;
  seedHigh: number;
  /** Seed λ at the geometric middle, τ = √T epochs. */
  seedMiddle: number;
  /** The timescales the ends correspond to, in epochs. */
  timescaleEpochs: [number, number];
}

/**
 * The constant-timescale rule (Wang & Aitchison 2024, "How to set AdamW's weight decay as you scale
 * model and dataset size"): the weights average over the last τ epochs of updates, so τ should not be
 * much shorter than 1 epoch (average over all the data) nor much longer than the T planned epochs
 * (forget the initialization). With r = 1/(τ·S) per step and λ = m·r/η_eff (seed units):
 *
 *     λ ∈ [m/(η_eff·T·S), m/(η_eff·S)]  ≈  [B/(η_eff·T), B/η_eff]   (S = ⌊m/B⌋ steps per epoch).
 *
 * A heuristic: their evidence is for AdamW on ResNets, ViTs and GPT pre-training.
 *
 * @returns undefined when the decay rate cannot be known before training (Adam with coupled L2).
 */
export function timescaleRange(decay: WeightDecay, o: { m: number; epochs: number }): LambdaRange | undefined {
  const eta = decay.effectiveLr;
  if (eta === null) return undefined;
  const S = decay.stepsPerEpoch;
  const seedFor = (tauEpochs: number) => o.m / (eta * tauEpochs * S);
  return {
    rule: `constant-timescale rule (Wang & Aitchison 2024): the decay timescale τ (B/(ηλ) epochs under SGD) lies between 1 epoch and the planned ${o.epochs} epochs`,
    heuristic: true,
    seedLow: seedFor(o.epochs),
    seedHigh: seedFor(1),
    seedMiddle: seedFor(Math.sqrt(o.epochs)),
    timescaleEpochs: [o.epochs, 1],
  };
}
