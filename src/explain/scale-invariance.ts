/**
 * What λ does to weights that feed a BatchNorm: those weights are scale-invariant (the loss is the
 * same for αW as for W, per output channel), so L2 cannot limit what they express. It sets their
 * effective learning rate instead (van Laarhoven 2017; Zhang et al. 2019; Kosson et al. 2023).
 *
 * Derivation for SGD, seed convention (per-weight coefficient c = λ/m, coupled; a decoupled d adds
 * to c for SGD): scale invariance makes ∇L ⊥ W and ‖∇L‖ ∝ 1/‖W‖. One step W ← (1 − ηc)W − η∇L gives
 * ‖W′‖² = (1 − ηc)²‖W‖² + η²‖∇L‖². At equilibrium the shrink balances the growth:
 * 2ηc‖W‖² ≈ η²‖∇L‖², so the angle turned per step, η‖∇L‖/‖W‖, is ≈ √(2ηc) = √(2ηλ/m), whatever
 * the loss. The squared norm relaxes to it at rate ≈ 2ηc per step. With heavy-ball momentum μ the
 * step is η/(1 − μ) in the long run but its mean square is η²/(1 − μ²)·‖∇L‖², which gives
 * √(2ηc/(1 + μ)). Adam normalizes the gradient per coordinate, so these formulas do not apply to it.
 */
import type { Architecture } from '../models/architecture.js';
import { paramShapes } from '../models/architecture.js';
import type { OptimizerName } from '../options/names.js';

export interface ScaleInvariantView {
  /** Weights followed by BatchNorm (`W<l>` of a layer with `bn`). */
  weights: string[];
  /** Equilibrium angle (radians) each step turns them by: √(2ηc) (SGD) or √(2ηc/(1+μ)); null for Adam. */
  angular_update_per_step: number | null;
  /** Steps for their norm to reach equilibrium, ≈ 1/(2ηc); null for Adam or c = 0. */
  equilibrium_steps: number | null;
  formula: string;
}

/** Names of the weights that feed a BatchNorm layer. */
export function scaleInvariantWeights(arch: Architecture): string[] {
  const shapes = paramShapes(arch);
  const normalized = new Set(shapes.filter((p) => p.kind === 'running').map((p) => p.layer));
  return shapes.filter((p) => p.kind === 'weight' && normalized.has(p.layer)).map((p) => p.name);
}

/** The effective-learning-rate view for the scale-invariant weights; undefined when there are none. */
export function scaleInvariantView(arch: Architecture, o: { lr: number; coefficient: number; optimizer: OptimizerName; momentum: number | null }): ScaleInvariantView | undefined {
  const weights = scaleInvariantWeights(arch);
  if (weights.length === 0) return undefined;
  const adam = o.optimizer === 'adam' || o.optimizer === 'adamw';
  const mu = o.momentum ?? 0;
  const rate = 2 * o.lr * o.coefficient;
  return {
    weights,
    angular_update_per_step: adam ? null : Math.sqrt(rate / (1 + mu)),
    equilibrium_steps: adam || rate === 0 ? null : 1 / rate,
    formula: adam ? 'Adam: not derived here (the per-coordinate normalization changes the balance)' : mu > 0 ? '√(2η(λ/m)/(1 + μ)) radians per step' : '√(2η(λ/m)) radians per step',
  };
}
