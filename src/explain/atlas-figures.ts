/** The default atlas's measured figures (docs/atlas-default) that `inspect` cites for a starting λ range, and the range they give. */
import type { WeightDecay } from './decay.js';

/** Where the figures below come from: `npx l2lab atlas atlas/default.json`, report in docs/atlas-default. */
export const ATLAS_SOURCE = 'docs/atlas-default';
/** The softmax cells on images, solved exactly: `npx l2lab atlas atlas/convex-images.json`, kept apart from the default atlas. */
export const CONVEX_IMAGES_SOURCE = 'docs/atlas-convex-images';

/** How the text names an atlas report. */
const ATLAS_NAMES: Record<string, string> = { [ATLAS_SOURCE]: 'the default atlas', [CONVEX_IMAGES_SOURCE]: 'the convex-images atlas' };

/**
 * The constant-timescale rule as fitted on the default atlas's 48 MLP cells (momentum SGD, trained with
 * `epochs: auto` until the regularized cost converged, at most 60 epochs on tabular data, 40 on images):
 * λ* = B/(η_eff·k·T), i.e. τ ≈ k·T with T the epochs trained. Judged leaving each setting out
 * (docs/atlas-default/heldout.csv): the rule's λ lies within ×2 of grid-CV's λ* in 69% of the cells
 * (33 of 48) and within ×10 in 96% (46 of 48).
 */
export const ATLAS_TIMESCALE = { k: 0.96, within2: 0.69, within10: 0.96, cells: 48 } as const;

/** λ* (seed convention) over one dataset's grid-CV cells of the default atlas: the lowest and highest cell. */
export interface AtlasLambdaStar {
  seedLow: number;
  seedHigh: number;
  /** How many cells (settings × 2 seeds). */
  cells: number;
  /** The cells' models and training-set sizes, for the sentence. */
  over: string;
  /** The report they were read from, when not {@link ATLAS_SOURCE}. */
  source?: string;
}

/**
 * Per built-in dataset, λ* of the MLP cells (trained regime) and of the convex cells (exact regime),
 * read off docs/atlas-default/cells.csv (grid-CV, 5 folds, 11 λ from 0.01 to 1000 extended past an edge).
 */
export const ATLAS_LAMBDA_STAR: Record<string, { mlp?: AtlasLambdaStar; convex?: AtlasLambdaStar }> = {
  wine: {
    mlp: { seedLow: 3.16e-6, seedHigh: 1, cells: 12, over: 'mlp:16/64/256, m = 50 and 120 (11 of the 12 cells between 0.1 and 1)' },
    convex: { seedLow: 3.16e-6, seedHigh: 0.0316, cells: 4, over: 'softmax, m = 50 and 120' },
  },
  'breast-cancer': {
    mlp: { seedLow: 0.316, seedHigh: 3.16, cells: 12, over: 'mlp:16/64/256, m = 100 and 400' },
    convex: { seedLow: 1e-8, seedHigh: 1, cells: 4, over: 'logistic, m = 100 and 400 (the 10⁻⁸ cell: nearly separable classes at m = 100)' },
  },
  'mnist-10k': {
    mlp: { seedLow: 1, seedHigh: 3.16, cells: 12, over: 'mlp:16/64/256, m = 250 and 1000' },
    convex: { seedLow: 0.316, seedHigh: 3.16, cells: 4, over: 'softmax, m = 250 and 1000', source: CONVEX_IMAGES_SOURCE },
  },
  'fashion-mnist': {
    mlp: { seedLow: 0.316, seedHigh: 10, cells: 12, over: 'mlp:16/64/256, m = 250 and 1000' },
    convex: { seedLow: 3.16, seedHigh: 3.16, cells: 4, over: 'softmax, m = 250 and 1000', source: CONVEX_IMAGES_SOURCE },
  },
};

/** λ* over every convex cell of the default and convex-images atlases (exact solves; no rule located it within ×2 in more than 1 of the default atlas's 8). */
export const ATLAS_CONVEX_SPAN = { seedLow: 1e-8, seedHigh: 3.16, cells: 16 } as const;

/** The starting range `inspect` reports, in seed units; which regime of the atlas it comes from. */
export interface AtlasRange {
  /** `trained`: MLPs trained until λ acted (τ/T at λ* median 0.43); `exact`: convex models solved exactly. */
  regime: 'trained' | 'exact';
  rule: string;
  seedLow: number;
  seedHigh: number;
  /** The rule's own λ (the timescale rule's τ = k·T); absent for a measured span. */
  seedMiddle?: number;
  /** This dataset's λ* in the atlas, when it is one of the atlas's datasets. */
  dataset?: AtlasLambdaStar & { name: string };
}

/**
 * The atlas's range for a model on a dataset. MLPs: the constant-timescale rule τ ≈ 0.96·T at the planned
 * T epochs, one decade each way (held-out λ* within ×10 in 96% of MLP cells); when the decay rate is
 * unknown before training (Adam with coupled L2), the dataset's measured λ* span instead, or none.
 * Convex models (linear, logistic, softmax, solved exactly: no timescale): the dataset's measured span,
 * else the span over every convex cell.
 */
export function atlasRange(o: { convex: boolean; dataset: string; decay: WeightDecay; m: number; epochs: number }): AtlasRange | null {
  const measured = ATLAS_LAMBDA_STAR[o.dataset]?.[o.convex ? 'convex' : 'mlp'];
  const dataset = measured ? { ...measured, name: o.dataset } : undefined;
  const where = `(${ATLAS_SOURCE})`;
  if (o.convex) {
    const span = measured ?? ATLAS_CONVEX_SPAN;
    const source = measured?.source ?? ATLAS_SOURCE;
    return {
      regime: 'exact',
      rule: measured
        ? `λ* of ${o.dataset}'s ${measured.cells} convex cells in ${ATLAS_NAMES[source]}, solved exactly (${source}): ${measured.over}`
        : `λ* over the ${ATLAS_CONVEX_SPAN.cells} convex cells of the default and convex-images atlases, solved exactly (${ATLAS_SOURCE}, ${CONVEX_IMAGES_SOURCE}); no rule located it within ×2 in more than 1 of the default atlas's 8, so search this wide`,
      seedLow: span.seedLow,
      seedHigh: span.seedHigh,
      ...(dataset ? { dataset } : {}),
    };
  }
  const eta = o.decay.effectiveLr;
  if (eta !== null) {
    const { k, within2, within10, cells } = ATLAS_TIMESCALE;
    const middle = o.m / (eta * k * o.epochs * o.decay.stepsPerEpoch);
    return {
      regime: 'trained',
      rule: `constant timescale τ ≈ ${k}·T (T = ${o.epochs} epochs), ×10 each way: on the default atlas's ${cells} MLP cells trained until λ acted, held-out λ* within ×2 of this rule in ${Math.round(100 * within2)}%, within ×10 in ${Math.round(100 * within10)}% ${where}`,
      seedLow: middle / 10,
      seedHigh: middle * 10,
      seedMiddle: middle,
      ...(dataset ? { dataset } : {}),
    };
  }
  if (!measured) return null;
  return { regime: 'trained', rule: `λ* of ${o.dataset}'s ${measured.cells} MLP cells in the default atlas (momentum SGD, trained until λ acted) ${where}: ${measured.over}`, seedLow: measured.seedLow, seedHigh: measured.seedHigh, dataset: dataset! };
}
