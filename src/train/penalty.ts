/** The penalty inside the training loop: Σθ² of the penalized parameters, and the refusal of an unstable penalty step. */
import { InvalidOptionError } from '../errors.js';
import { paramShapes, type Architecture } from '../models/architecture.js';
import { isPenalized } from '../models/param-shape.js';
import type { OptimizerSpec } from '../plan/optimizer.js';
import { penaltyStability } from '../plan/timescale.js';
import type { MemberSpec } from './train-types.js';

/** Σθ² over the penalized parameters, or Σ(θ − θ₀)² from `anchors` (L2-SP). */
export function sumSquares(arch: Architecture, params: Float64Array[], penalizeBiases: boolean, anchors?: Float64Array[]): number {
  let s = 0;
  paramShapes(arch).forEach((p, i) => {
    if (!isPenalized(p, penalizeBiases)) return;
    const a = anchors?.[i];
    if (a) params[i].forEach((v, j) => (s += (v - a[j]) ** 2));
    else for (const v of params[i]) s += v * v;
  });
  return s;
}

/**
 * Refuses a member whose penalty alone is an unstable step (penaltyStability): it would blow the weights up
 * whatever the data. fit() and tune() refuse earlier, naming the largest safe λ in the user's convention.
 */
export function assertStablePenalty(optimizer: OptimizerSpec, m: MemberSpec, lr: number, k: number): void {
  const s = penaltyStability({ optimizer, lr, ...m.penalty });
  if (s.stable) return;
  throw new InvalidOptionError(
    `Member ${k}'s penalty step is unstable under ${optimizer.name}: with lr ${lr}, coupled ${m.penalty.coupled} and decoupled ${m.penalty.decoupled} the penalty alone multiplies a weight by ${s.radius.toPrecision(4)} per step. ` +
      `Scale the coefficients (or lr) by less than ${s.maxScale.toPrecision(4)}: e.g. lr ${(lr * s.maxScale).toPrecision(4)} or less.`,
  );
}
