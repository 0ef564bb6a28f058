/** Plain-text tables and number formatting for the CLI. */
import { formatNumber } from '../util/format-number.js';

/** `digits` decimals; exponent form outside [1e-3, 1e5). */
export function fmt(x: number | undefined, digits = 4): string {
  return x === undefined ? '' : formatNumber(x, { digits, fixed: true });
}

/** Four significant digits, exponent form outside [1e-3, 1e5) without trailing zeros: 4.642, 10, 1e-5, 2.154e-4. */
export function sig(x: number): string {
  return formatNumber(x, { digits: 4, exponent: 'trim' });
}

export function pct(x: number | undefined): string {
  return x === undefined ? '' : `${(100 * x).toFixed(2)}%`;
}

/** Right-aligned columns under a header; no line ends in spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A trial as the tables show it. */
export interface TrialState {
  lambda: number;
  dropout: number;
  state: string;
  reason?: string | null;
}

/**
 * The state cell of each trial ('' when COMPLETE) and the lines that give, below the table, the
 * reason of each trial that did not complete: in a cell, one long reason (a pruned trial's) would
 * widen every row of the table to its length.
 */
export function trialStates(trials: readonly TrialState[]): { cells: string[]; notes: string[] } {
  const why = trials.filter((t) => t.state !== 'COMPLETE' && t.reason);
  return {
    cells: trials.map((t) => (t.state === 'COMPLETE' ? '' : t.state)),
    notes: why.length === 0 ? [] : ['', 'pruned or failed:', ...why.map((t) => `  λ = ${sig(t.lambda)}${t.dropout ? `, dropout ${t.dropout}` : ''}: ${t.reason}`)],
  };
}

/** One row at a time, for tables printed as training goes. */
export class StreamingTable {
  private readonly widths: number[];

  constructor(private readonly header: string[], minWidth = 9) {
    this.widths = header.map((h) => Math.max(h.length, minWidth));
  }

  head(): string {
    return this.format(this.header);
  }

  row(cells: string[]): string {
    return this.format(cells);
  }

  private format(cells: string[]): string {
    return cells.map((c, i) => c.padStart(this.widths[i])).join('  ');
  }
}
