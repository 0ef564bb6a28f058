/** Did λ act? The tune warning when most of a grid has a decay timescale τ longer than its training. */
import { getConvention } from '../conventions/index.js';
import type { ConventionId } from '../options/names.js';
import { actThreshold } from '../plan/penalty-limits.js';

/** A trained λ with its timescale; see {@link noTimeToAct}. */
export interface ActedPoint {
  lambda: number;
  /** τ in epochs; null without a penalty or when unknown (Adam with coupled L2 before training). */
  lambdaTimescaleEpochs: number | null;
  /** Epochs the trial trained. */
  epochsTrained: number;
}

/** The part of a grid where λ had no time to act. */
export interface NoTimeToAct {
  /** The λ where τ equals the epochs trained: below it (above it for C = 1/λ) λ had no time to act. */
  threshold: number;
  side: 'below' | 'above';
  epochs: number;
  /** How many of the λ tried had τ > epochs, of how many with a known τ. */
  count: number;
  of: number;
  /** "λ below X had no time to act in N epochs: …". */
  message: string;
}

/**
 * When more than half of the λ with a known τ had τ greater than the epochs they trained, the
 * threshold X where τ = N ({@link actThreshold} from the idle λ with the largest coefficient).
 * Returns undefined when most λ acted.
 *
 * @example
 * noTimeToAct([{ lambda: 1, lambdaTimescaleEpochs: 640, epochsTrained: 20 }, …], 'seed');
 * // { threshold: 32, message: 'λ below 32 had no time to act in 20 epochs: …' }
 */
export function noTimeToAct(points: readonly ActedPoint[], convention: ConventionId): NoTimeToAct | undefined {
  const known = points.filter((p): p is ActedPoint & { lambdaTimescaleEpochs: number } => p.lambda > 0 && p.lambdaTimescaleEpochs !== null && Number.isFinite(p.lambdaTimescaleEpochs));
  const idle = known.filter((p) => p.lambdaTimescaleEpochs > p.epochsTrained);
  if (known.length === 0 || idle.length * 2 <= known.length) return undefined;
  const conv = getConvention(convention);
  // The idle λ closest to acting: the smallest τ relative to its training.
  const k = idle.reduce((a, b) => (b.lambdaTimescaleEpochs / b.epochsTrained < a.lambdaTimescaleEpochs / a.epochsTrained ? b : a));
  const { threshold, side } = actThreshold(k.lambda, k.lambdaTimescaleEpochs, k.epochsTrained, convention);
  const x = String(Number(threshold.toPrecision(3)));
  return {
    threshold,
    side,
    epochs: k.epochsTrained,
    count: idle.length,
    of: known.length,
    message:
      `${conv.symbol} ${side} ${x} had no time to act in ${k.epochsTrained} epochs: ${idle.length} of ${known.length} values tried have a decay timescale τ longer than the training ` +
      `(τ = ${Number(k.lambdaTimescaleEpochs.toPrecision(3))} epochs at ${conv.symbol} = ${Number(k.lambda.toPrecision(4))}), so their curve shows the optimizer's budget, not ${conv.symbol}. Train longer (--epochs auto, a larger --max-epochs) or raise --lr.`,
  };
}
