/** Optimizers as graph updates: SGD (fused into the backward Gemm), momentum, Nesterov, Adam and AdamW. */
import type { OptimizerName } from '../options/names.js';

/**
 * Update rules, as PyTorch writes them (g = ∇ mean data loss + coupled·θ; d = decoupled coefficient):
 * - sgd: θ ← θ − lr·g − lr·d·θ
 * - momentum / nesterov: v ← μ·v + g; θ ← θ − lr·v (nesterov: θ ← θ − lr·(g + μ·v)); then − lr·d·θ
 * - adam / adamw: m ← β1·m + (1−β1)·g; s ← β2·s + (1−β2)·g²;
 *   θ ← θ·(1 − lr·d) − lr/(1−β1ᵗ)·m / (√s/√(1−β2ᵗ) + ε). adamw is adam whose L2 is decoupled.
 */
export interface OptimizerSpec {
  name: OptimizerName;
  /** Momentum μ for momentum/nesterov. Default 0.9. */
  momentum?: number;
  /** Adam β1, β2. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Adam ε. Default 1e-8. */
  eps?: number;
}

/** The optimizer a run plan resolved: momentum and Nesterov always carry their μ; assignable to an {@link OptimizerSpec}. */
export type PlannedOptimizer = { name: 'momentum' | 'nesterov'; momentum: number } | { name: 'sgd' | 'adam' | 'adamw' };

/** μ of a planned momentum or nesterov optimizer; null for the others. */
export function momentumOf(o: PlannedOptimizer): number | null {
  return 'momentum' in o ? o.momentum : null;
}

/** Optimizer state tensors per parameter (names appended to the parameter's). */
export function stateSlots(o: OptimizerSpec): string[] {
  switch (o.name) {
    case 'sgd':
      return [];
    case 'momentum':
    case 'nesterov':
      return ['v'];
    case 'adam':
    case 'adamw':
      return ['m', 's'];
  }
}

