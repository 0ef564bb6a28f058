/**
 * The weight-norm check: where trials report Σθ² over their decayed weights, a trial whose λ
 * dominates (its τ short next to the epochs compared) must see Σθ² fall against the trial with the
 * weakest penalty by about the factor its per-step decay implies. When it barely falls, the decay
 * in the user's loop is not the one l2lab reasons about, and the warning names the likely causes.
 */
import { getConvention } from '../conventions/index.js';
import { formatNumber } from '../util/format-number.js';
import type { Trial } from '../study/index.js';
import { tauUnknown, type ResolvedContext } from './context.js';
import { reportsOf, type Report } from './reports.js';

/**
 * A trial is judged only where the penalty alone predicts Σθ² to fall at least 100× against the
 * reference over the epochs compared: far past anything the data term can hold up, so a correct
 * decay cannot pass for a missing one.
 */
const PREDICTED_FALL = 0.01;

/** It warns when the observed fall against the reference is under 10% (Σθ² at ≥ 0.9 of what the reference's trend gives). */
const OBSERVED_FALL = 0.9;

/** One trial's reported Σθ² by epoch, with its λ (study units) and τ. */
interface NormSeries {
  number: number;
  value: number;
  tau: number;
  norms: Map<number, number>;
}

function seriesOf(c: ResolvedContext, t: Trial, reports: readonly Report[]): NormSeries {
  const norms = new Map<number, number>();
  for (const r of reports) if (r.weight_sq_norm !== undefined) norms.set(r.epoch, r.weight_sq_norm);
  return { number: t.number, value: t.params.lambda, tau: c.plan.timescale(t.params.lambda), norms };
}

const fmt = (v: number): string => formatNumber(v, { digits: 3, exponent: 'trim' });
const percent = (share: number): string => `${Number((100 * share).toPrecision(2))}%`;

/** The finding for `own` against `ref` (a weaker penalty), or undefined when it passes or cannot be judged. */
function finding(c: ResolvedContext, own: NormSeries, ref: NormSeries): string | undefined {
  const common = [...own.norms.keys()].filter((e) => ref.norms.has(e)).sort((a, b) => a - b);
  if (common.length < 2) return undefined;
  const [e1, e2] = [common[0], common[common.length - 1]];
  // Σθ² falls by ρ² a step from the penalty alone: e^(−2Δe/τ) over Δe epochs; against the reference, the ratio of the two.
  const predicted = Math.exp(-2 * (e2 - e1) * (1 / own.tau - 1 / ref.tau));
  if (!(predicted <= PREDICTED_FALL)) return undefined;
  const [a1, a2, b1, b2] = [own.norms.get(e1)!, own.norms.get(e2)!, ref.norms.get(e1)!, ref.norms.get(e2)!];
  if (!(a1 > 0 && b1 > 0 && b2 > 0)) return undefined;
  const observed = a2 / a1 / (b2 / b1);
  if (observed < OBSERVED_FALL) return undefined;
  const conv = getConvention(c.plan.convention);
  const change = observed <= 1 ? `fell by only ${percent(1 - observed)}` : `grew by ${percent(observed - 1)}`;
  return (
    `weight_sq_norm does not shrink as λ predicts: at ${conv.symbol} = ${fmt(own.value)} (trial ${own.number}, τ = ${fmt(own.tau)} epochs) Σθ² ${change} from epoch ${e1} to ${e2} relative to trial ${ref.number} (${conv.symbol} = ${fmt(ref.value)}, the weakest penalty reporting it), ` +
    `where the decay alone predicts a fall by ×${fmt(1 / predicted)}. Likely causes: the decay is not applied to these weights (weight_decay not passed to the optimizer, or not to the parameter group holding them); ` +
    `it is applied in other units (e.g. λ given where λ/m was meant, m = ${c.plan.m} times too weak: set ask's value as ${conv.parameter}); or the reported Σθ² includes parameters the data holds up, ` +
    `biases or normalization layers' scale and shift (report Σθ² over the decayed weights only, and keep biases and normalization out of the decay).`
  );
}

/**
 * The check for `trial`, whose reports (the one just made included) are `reports`, against the
 * trial with the weakest penalty (the longest τ) among the others reporting Σθ² at two epochs or
 * more. Undefined when it passes, cannot be judged yet, or τ is unknown (Adam with a coupled penalty).
 */
export function normWarning(c: ResolvedContext, trial: Trial, reports: readonly Report[], trials: readonly Trial[]): string | undefined {
  if (tauUnknown(c)) return undefined;
  const own = seriesOf(c, trial, reports);
  if (own.norms.size < 2) return undefined;
  const refs = trials.filter((t) => t.number !== trial.number).map((t) => seriesOf(c, t, reportsOf(t))).filter((s) => s.norms.size >= 2 && s.tau > own.tau);
  const ref = refs.reduce<NormSeries | undefined>((a, s) => (a === undefined || s.tau > a.tau ? s : a), undefined);
  return ref ? finding(c, own, ref) : undefined;
}

/** best's view: the finding for the trial with the strongest penalty among those that fail the check, if any. */
export function studyNormWarning(c: ResolvedContext, trials: readonly Trial[]): string | undefined {
  const strongestFirst = [...trials].sort((a, b) => c.plan.timescale(a.params.lambda) - c.plan.timescale(b.params.lambda));
  for (const t of strongestFirst) {
    const w = normWarning(c, t, reportsOf(t), trials);
    if (w) return w;
  }
  return undefined;
}
