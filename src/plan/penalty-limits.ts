/** λ limits in the user's words (any convention): the largest safe λ and learning rate of the penalty step and the errors that name them, and the λ below which the penalty has no time to act. */
import { getConvention, penaltyCoefficients } from '../conventions/index.js';
import type { ConventionId } from '../options/names.js';
import type { ConversionContext } from '../conventions/types.js';
import { InvalidOptionError } from '../errors.js';
import type { OptimizerSpec } from './optimizer.js';
import { penaltyStability } from './timescale.js';

/** Where the penalty stops being stable, in the convention's own value. */
export interface LambdaLimit {
  /** The limit value: λ must stay below it ('max'), or above it ('min': sklearn-logistic's C = 1/λ). */
  value: number;
  side: 'max' | 'min';
}

/**
 * The convention value at which the penalty alone becomes unstable (penaltyStability), for this
 * optimizer, learning rate, m and batch size; undefined when no λ is unstable (Adam with coupled L2).
 *
 * @example
 * safeLambdaLimit('seed', { m: 410, batchSize: 128, lr: 0.1, optimizer: 'sgd' }, { name: 'sgd' }); // { value: 8200, side: 'max' }
 */
export function safeLambdaLimit(convention: ConventionId, ctx: ConversionContext & { lr: number }, optimizer: OptimizerSpec): LambdaLimit | undefined {
  const conv = getConvention(convention);
  const ref = penaltyCoefficients(convention, 1, ctx);
  const s = penaltyStability({ optimizer, lr: ctx.lr, ...ref });
  if (!Number.isFinite(s.maxScale)) return undefined;
  // Coefficients are linear in the convention's hub value, so the limit is the reference hub scaled by s*.
  const toValue = (rate: number) => conv.fromHub(conv.scale === 'total' ? rate * (ctx.m as number) : rate, ctx);
  const rate = ref.coupled + ref.decoupled;
  const value = toValue(rate * s.maxScale);
  return { value, side: toValue(2 * rate) > toValue(rate) ? 'max' : 'min' };
}

/**
 * Throws when `lambda` makes the penalty step unstable, naming the largest safe λ (smallest C) and,
 * when the learning rate can fix it, the largest safe `--lr`. `owner` is the command ('train', 'tune').
 */
export function assertSafeLambda(convention: ConventionId, lambda: number, ctx: ConversionContext & { lr: number }, optimizer: OptimizerSpec, owner: string): void {
  const coefficients = penaltyCoefficients(convention, lambda, ctx);
  const s = penaltyStability({ optimizer, lr: ctx.lr, ...coefficients });
  if (s.stable) return;
  const limit = safeLambdaLimit(convention, ctx, optimizer)!;
  const symbol = getConvention(convention).symbol;
  const lrFix = getConvention(convention).needs.includes('lr') ? '' : `, or keep it and use --lr below ${fmt(ctx.lr * s.maxScale)}`;
  throw new InvalidOptionError(
    `The 'lambda' option of ${owner} makes the penalty step unstable: ${symbol} = ${lambda} (${convention}) under ${optimizer.name} with lr ${ctx.lr}${ctx.m !== undefined ? ` and m = ${ctx.m}` : ''} ` +
      `multiplies each weight by ${fmt(s.radius)} per step from the penalty alone, so the weights blow up whatever the data (docs/timescale.md). ` +
      `Use ${symbol} ${limit.side === 'max' ? 'below' : 'above'} ${fmt(limit.value)}, the ${limit.side === 'max' ? 'largest' : 'smallest'} safe ${symbol}${lrFix}.`,
  );
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));

/** extendLogRange's limits ([1e-8, 1e8] by default) narrowed so a range is never extended past the stability limit. */
export function safeExtensionLimits(limit: LambdaLimit | undefined): [number, number] {
  const [lo, hi] = [1e-8, 1e8];
  if (!limit) return [lo, hi];
  // Just inside the open limit: at it exactly the penalty step is already unstable.
  return limit.side === 'max' ? [lo, Math.max(lo * 2, Math.min(hi, limit.value * (1 - 1e-6)))] : [Math.min(hi / 2, Math.max(lo, limit.value * (1 + 1e-6))), hi];
}

/**
 * Throws when a λ grid (or range end) reaches past the stability limit: tune refuses up front rather than
 * dropping those λ, so the user sees the range that will actually be tried. Names the safe bound.
 * `owner` names the command (tune, ask) and `where` the setting the limit was computed for.
 */
export function assertSafeGrid(lambdas: readonly number[], limit: LambdaLimit | undefined, convention: ConventionId, what: string, owner = 'tune', where = 'on the smallest fold'): void {
  if (!limit) return;
  const bad = lambdas.filter((l) => (limit.side === 'max' ? l >= limit.value : l <= limit.value));
  if (bad.length === 0) return;
  const symbol = getConvention(convention).symbol;
  const worst = limit.side === 'max' ? Math.max(...bad) : Math.min(...bad);
  throw new InvalidOptionError(
    `The λ range of ${owner} reaches ${symbol} = ${worst} (${convention}), where the penalty step alone is unstable ${where} (docs/timescale.md): ${bad.length} of its values would blow up whatever the data. ` +
      `The ${limit.side === 'max' ? 'largest' : 'smallest'} safe ${symbol} is just ${limit.side === 'max' ? 'below' : 'above'} ${fmt(limit.value)}: give ${what} ${limit.side === 'max' ? 'ending below' : 'starting above'} it, or lower --lr.`,
  );
}

/**
 * The λ at which τ equals `epochs`, from one λ with timescale `tau`: τ is inversely proportional to
 * the penalty coefficient while τ ≫ 1 step (docs/timescale.md), so X = λ·τ/N, or C·N/τ for
 * conventions whose coefficient falls as the value grows (sklearn-logistic's C = 1/λ). Below X
 * (above it for C) λ has no time to act in N epochs.
 */
export function actThreshold(lambda: number, tau: number, epochs: number, convention: ConventionId): { threshold: number; side: 'below' | 'above' } {
  const conv = getConvention(convention);
  const ctx = { m: 2, batchSize: 1, lr: 1 };
  const increasing = conv.toHub(2, ctx) > conv.toHub(1, ctx);
  return increasing ? { threshold: (lambda * tau) / epochs, side: 'below' } : { threshold: (lambda * epochs) / tau, side: 'above' };
}
