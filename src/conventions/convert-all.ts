/** convertAll(): one value in every convention, with the rows that cannot be computed marked instead of thrown. */
import { L2labError } from '../errors.js';
import { missingValue, validateContext, validateValue } from './context.js';
import { conversionFormula, convert } from './convert.js';
import { CONVENTIONS, getConvention } from './registry.js';
import type { Conversion, ConversionContext } from './types.js';
import type { ConventionId } from '../options/names.js';

/** One row of {@link convertAll}: the conversion, or why this target could not be computed. */
export type ConversionRow =
  | { to: ConventionId; ok: true; conversion: Conversion }
  | { to: ConventionId; ok: false; formula: string; error: string };

/**
 * Converts `value` from `from` into every convention, in table order.
 *
 * Problems with the input itself (unknown `from`, invalid value or context, a value `from` needs) throw as in
 * {@link convert}; a target that needs a missing value (m, batch size, learning rate) or has no finite value
 * (λ = 0 as sklearn-logistic's C) becomes an `ok: false` row naming what is missing.
 *
 * @example
 * convertAll(0.01, 'seed', { m: 50_000 }).find((r) => r.to === 'keras'); // { ok: true, conversion: { value: 1e-7, … } }
 */
export function convertAll(value: number, from: string, ctx: ConversionContext = {}): ConversionRow[] {
  const a = getConvention(from, 'from');
  validateContext(ctx);
  validateValue(value, a);
  const missing = a.needs.filter((f) => ctx[f] === undefined);
  if (missing.length > 0) throw missingValue(missing, `Converting from ${a.id}`, a.toSeed);
  return CONVENTIONS.map((b): ConversionRow => {
    try {
      return { to: b.id, ok: true, conversion: convert(value, a.id, b.id, ctx) };
    } catch (e) {
      if (!(e instanceof L2labError)) throw e;
      return { to: b.id, ok: false, formula: conversionFormula(a, b), error: e.message };
    }
  });
}

/** One row of {@link convertAll} as JSON (`l2lab convert --to all --json`, tune's `conversions`): value null, with `error`, when it could not be computed. */
export interface ConversionJson {
  to: ConventionId;
  value: number | null;
  formula: string;
  exact: boolean;
  note: string;
  error?: string;
}

/** A {@link ConversionRow} in its JSON form. */
export function conversionJson(r: ConversionRow): ConversionJson {
  return r.ok
    ? { to: r.to, value: r.conversion.value, formula: r.conversion.formula, exact: r.conversion.exact, note: r.conversion.note }
    : { to: r.to, value: null, formula: r.formula, exact: false, note: r.error, error: r.error };
}
