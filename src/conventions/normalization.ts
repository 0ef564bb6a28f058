/** Which statements about a converted λ stop holding for weights that feed a normalization layer: `l2lab convert` prints them, docs/conventions.md quotes them. */

/**
 * The note, one printed line per entry. c is the per-step coefficient every conversion preserves
 * (seed: c = λ/m); the equilibrium angle is derived in src/explain/scale-invariance.ts.
 */
export const NORMALIZATION_NOTE: readonly string[] = [
  'Weights that feed a BatchNorm are scale-invariant: the loss of αW is the loss of W (per output channel). For them:',
  '  still holds: every conversion above, exact or not as it says. What it equates is the per-step coefficient c (seed: c = λ/m), and equal coefficients give equal updates: coupled ↔ coupled under every optimizer, coupled ↔ decoupled under plain SGD only (Adam with L2 and AdamW still differ).',
  '  no longer holds: λ as a Gaussian prior (bayes δ = β·λ) or as a limit on what the layer expresses. Its function does not depend on ‖W‖, and the cost keeps falling as ‖W‖ shrinks (down to BatchNorm\'s ε): no λ picks these weights by minimizing the cost.',
  '  no longer holds: one λ, one model whatever the learning rate. c sets an effective learning rate: at equilibrium each SGD step turns W by ≈ √(2η·c) radians (√(2η·c/(1 + μ)) with momentum μ; Adam: not derived), so η·c is what counts, and the same λ under another η is another model.',
  '  A layer with a bias followed by LayerNorm is only approximately scale-invariant. `l2lab inspect` marks the BatchNorm-fed weights of a model.',
];
