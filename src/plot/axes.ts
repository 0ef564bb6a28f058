/** Helpers shared by the plots: log-axis domains, plot size options, short number labels. */

import { InvalidOptionError } from '../errors.js';

/** Plot size in pixels of the data area (axes, title and legend come on top). */
export interface PlotSize {
  /** Width of the data area in pixels, an integer in [100, 4000] (default 560). */
  width?: number;
  /** Height of the data area in pixels, an integer in [80, 4000] (default 340). */
  height?: number;
}

/** The checked width and height of {@link PlotSize}. */
export function plotSize(options: PlotSize, owner: string): { width: number; height: number } {
  const width = options.width ?? 560;
  const height = options.height ?? 340;
  if (!(Number.isInteger(width) && width >= 100 && width <= 4000)) throw new InvalidOptionError(`The 'width' option of ${owner} must be an integer in [100, 4000]. Got ${String(width)} instead.`);
  if (!(Number.isInteger(height) && height >= 80 && height <= 4000)) throw new InvalidOptionError(`The 'height' option of ${owner} must be an integer in [80, 4000]. Got ${String(height)} instead.`);
  return { width, height };
}

/** A log-axis domain around positive values, padded by a tenth of a decade each side so no point sits on the frame. */
export function logDomain(values: readonly number[]): [number, number] {
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  return [10 ** (lo - 0.1), 10 ** (hi + 0.1)];
}

/**
 * Axis settings for a log axis over [lo, hi]: ticks at {@link logTicks}, labelled plainly (0.01, 100)
 * from 1e-3 up to 1e4 and in short exponent form (1e-5, 2e6) outside.
 */
export function logAxis(lo: number, hi: number): Record<string, unknown> {
  const values = logTicks(lo, hi);
  return {
    ...(values ? { values } : {}),
    labelExpr: "datum.value >= 1e4 || datum.value < 1e-3 ? replace(format(datum.value, '~e'), '+', '') : format(datum.value, '~g')",
  };
}

/** A number in at most 4 significant digits for labels: 0.1, 0.0316, 1.2e-5. */
export function shortNumber(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * Tick values for a log axis over [lo, hi]: the powers of 10 inside, plus their 2× and 5×
 * multiples when the axis spans at most two decades; `undefined` (Vega's own ticks) when that gives
 * fewer than two.
 */
export function logTicks(lo: number, hi: number): number[] | undefined {
  const out: number[] = [];
  const multiples = Math.log10(hi / lo) <= 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of multiples) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out.length >= 2 ? out : undefined;
}
