/** convert(): translate an L2 constant from one convention to another through the seed λ. */
import { missingValue, validateContext, validateValue } from './context.js';
import { couplingEquivalence } from './equivalence.js';
import { getConvention } from './registry.js';
import type { Caveat, Conversion, ConversionContext, Convention, NeededValue } from './types.js';

/**
 * The mapping written through the seed λ: "wd = λ/m, where λ = 2m·l". Between two per-sample conventions it
 * goes through λ/m instead ("wd = λ/m, where λ/m = 2·l"), which shows that m cancels.
 */
export function conversionFormula(a: Convention, b: Convention): string {
  if (a.id === b.id) return `${a.symbol} unchanged`;
  if (a.id === 'seed') return b.fromSeed;
  if (b.id === 'seed') return a.toSeed;
  const via = a.scale === 'per-sample' && b.scale === 'per-sample' && a.toRate !== undefined ? a.toRate : a.toSeed;
  return `${b.fromSeed}, where ${via}`;
}

/** The context fields a conversion from a to b needs that ctx lacks. */
function missingFields(a: Convention, b: Convention, ctx: ConversionContext): NeededValue[] {
  const fields = new Set<NeededValue>();
  if (a.scale !== b.scale) fields.add('m');
  for (const f of [...a.needs, ...b.needs]) fields.add(f);
  return [...fields].filter((f) => ctx[f] === undefined);
}

/** How the two sides relate when their coupling matches. */
function sameCoupling(a: Convention): Caveat {
  return a.coupling === 'coupled'
    ? { exact: true, note: 'Both sides are the same L2-penalized objective up to a positive factor, so this holds for every optimizer.' }
    : { exact: true, note: 'Both decay θ ← θ − lr·c·θ each step outside the optimizer, so this holds for every optimizer.' };
}

/**
 * Converts an L2 constant from convention `from` to convention `to`.
 *
 * Every conversion goes through the seed: value → λ (or λ/m, the seed's per-step gradient coefficient) → value.
 * m is needed only when one side sums over the training set and the other averages; sklearn-mlp also needs the
 * batch size and composer the learning rate. `exact` is false when the two sides do not give the same training
 * (coupled ↔ decoupled under momentum/Adam or with the optimizer unknown, a partial last minibatch in
 * scikit-learn, glmnet's standardization, an assumed noise precision); `note` says why.
 *
 * @param value - the constant in `from`'s units, finite and ≥ 0 (> 0 for sklearn-logistic's C).
 * @param from - a {@link ConventionId}.
 * @param to - a {@link ConventionId}.
 * @param ctx - m, batchSize, lr, optimizer, noisePrecision; see {@link ConversionContext}. Default: {}.
 * @throws InvalidOptionError for an unknown convention, an out-of-range value or context field, a missing m /
 *   batch size / learning rate (naming it and the formula), or λ = 0 into sklearn-logistic.
 * @example
 * convert(0.01, 'seed', 'pytorch', { m: 50_000 }).value; // 2e-7
 * convert(0.01, 'seed', 'keras', { m: 50_000 }).value;   // 1e-7
 */
export function convert(value: number, from: string, to: string, ctx: ConversionContext = {}): Conversion {
  const a = getConvention(from, 'from');
  const b = getConvention(to, 'to');
  validateContext(ctx);
  validateValue(value, a);
  if (a.id === b.id) {
    return { value, from: a.id, to: b.id, formula: conversionFormula(a, b), exact: true, note: 'Same convention: the value is unchanged.' };
  }

  const formula = conversionFormula(a, b);
  const missing = missingFields(a, b, ctx);
  if (missing.length > 0) {
    const purpose = `Converting from ${a.id} to ${b.id}`;
    // One missing side-specific value: show that side's own formula, as the user will look it up there.
    const owner = missing.length === 1 && missing[0] !== 'm' ? [b, a].find((c) => c.needs.includes(missing[0])) : undefined;
    throw missingValue(missing, purpose, owner ? owner.fromSeed : formula);
  }

  let hub = a.toHub(value, ctx);
  if (a.scale === 'total' && b.scale === 'per-sample') hub /= ctx.m as number;
  if (a.scale === 'per-sample' && b.scale === 'total') hub *= ctx.m as number;
  const out = b.fromHub(hub, ctx);

  const caveats = [a.coupling === b.coupling ? sameCoupling(a) : couplingEquivalence(ctx.optimizer), a.caveat(ctx), b.caveat(ctx)];
  const notes = [...new Set(caveats.map((c) => c.note).filter((n) => n !== ''))];
  return { value: out, from: a.id, to: b.id, formula, exact: caveats.every((c) => c.exact), note: notes.join(' ') };
}
