/** The one number formatter: every table, report and message picks its digits and exponent style here. */

export interface NumberFormat {
  /** Significant digits, or decimals with `fixed`. */
  digits: number;
  /** Write `digits` decimals (toFixed) instead of `digits` significant digits. Default false. */
  fixed?: boolean;
  /** Exponent form from this magnitude up. Default 1e5. */
  expAbove?: number;
  /** Exponent form below this magnitude (0 never). Default 1e-3. */
  expBelow?: number;
  /** Mantissa decimals in exponent form. Default digits − 1. */
  expDigits?: number;
  /** Exponent style: 'js' as toExponential (1.0e+6), 'short' without '+' (1.0e6), 'trim' also without trailing zeros (1e6). Default 'js'. */
  exponent?: 'js' | 'short' | 'trim';
  /** Magnitudes ≥ 1000 as whole numbers with thousands separators (10,002). Default false. */
  grouped?: boolean;
}

/**
 * Formats a finite number by `f`; non-finite values as String(x) (NaN, Infinity).
 *
 * @example
 * formatNumber(0.123456, { digits: 4, fixed: true }); // '0.1235'
 * formatNumber(2.5e-7, { digits: 4, expDigits: 2, exponent: 'short' }); // '2.50e-7'
 */
export function formatNumber(x: number, f: NumberFormat): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < (f.expBelow ?? 1e-3) || a >= (f.expAbove ?? 1e5))) {
    const s = x.toExponential(f.expDigits ?? f.digits - 1);
    if (f.exponent === 'trim') return s.replace(/\.?0+e/, 'e').replace('e+', 'e');
    return f.exponent === 'short' ? s.replace('e+', 'e') : s;
  }
  if (f.grouped && a >= 1000) return Math.round(x).toLocaleString('en-US');
  return f.fixed ? x.toFixed(f.digits) : String(Number(x.toPrecision(f.digits)));
}
