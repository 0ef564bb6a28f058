/**
 * The atlas's results file: one JSON line per finished (cell, strategy), kept in the repository so a
 * fresh machine — a new clone without the study store — resumes from it. A line carries the cell
 * (sizes, seed, training settings), the outcome record (λ*, validation and test curves, τ/T, the
 * initialization's penalty and data loss, cost) and the hash of every setting that decided it; the
 * atlas uses a line only while that hash matches the spec, so an edited cell is computed anew.
 *
 * The file is only ever appended to (one write per line, so workers on one checkout may share it,
 * and git's `merge=union` joins the files of several machines); for a key, the last line wins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { pairHash, type AtlasCell } from './cells.js';
import type { StrategyOutcomeRecord } from './outcome-record.js';
import type { AtlasStrategy } from './spec.js';

/** One line of a results file. */
export interface ResultLine {
  /** Format version. */
  v: 1;
  /** The (cell, strategy) it belongs to: `cell:<cell key>:<strategy>`, as in the store. */
  key: string;
  /** {@link pairHash} of the cell and strategy: the line is used only while the spec gives the same. */
  settings: string;
  cell: AtlasCell;
  record: StrategyOutcomeRecord;
}

/** The lines of a results file by key (the last line of a key wins); empty when the file does not exist yet. */
export type Results = Map<string, ResultLine>;

/** The record the results file holds for this (cell, strategy) under the current settings, if any. */
export function findResult(results: Results, key: string, cell: AtlasCell, strategy: AtlasStrategy): StrategyOutcomeRecord | undefined {
  const line = results.get(key);
  return line && line.settings === pairHash(cell, strategy) ? line.record : undefined;
}

export function resultLine(key: string, cell: AtlasCell, strategy: AtlasStrategy, record: StrategyOutcomeRecord): ResultLine {
  return { v: 1, key, settings: pairHash(cell, strategy), cell, record };
}

function isResultLine(v: unknown): v is ResultLine {
  const o = v as Partial<ResultLine> | null;
  return typeof o === 'object' && o !== null && o.v === 1 && typeof o.key === 'string' && typeof o.settings === 'string' && typeof o.cell === 'object' && typeof o.record === 'object' && o.record !== null && typeof o.record.status === 'string';
}

/**
 * Reads a results file. A line that is not a results line — a write a killed process cut short, or
 * a bad merge — is skipped and named through `onSkip`: its cell, unless the store holds it, is simply
 * computed again, so a damaged line never stops an atlas.
 */
export function readResults(file: string, onSkip: (message: string) => void = () => {}): Results {
  const out: Results = new Map();
  if (!fs.existsSync(file)) return out;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (isResultLine(parsed)) out.set(parsed.key, parsed);
    else onSkip(`${file}:${i + 1} is not a results line (a write cut short, or a bad merge): ignored. Delete or repair it; its cell, if the store lacks it, is computed again.`);
  });
  return out;
}

/**
 * Appends lines (one write each) and records them in `results`. A line equal in key, settings and
 * finish time to the one the file holds is skipped, so syncing a store into the file twice adds nothing.
 */
export function appendResults(file: string, results: Results, lines: readonly ResultLine[]): number {
  let added = 0;
  for (const line of lines) {
    const have = results.get(line.key);
    if (have && have.settings === line.settings && have.record.finished_at === line.record.finished_at) continue;
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    const lastByte = size > 0 ? lastByteOf(file, size) : '\n';
    fs.appendFileSync(file, `${lastByte === '\n' ? '' : '\n'}${JSON.stringify(line)}\n`);
    results.set(line.key, line);
    added++;
  }
  return added;
}

function lastByteOf(file: string, size: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b.toString('latin1');
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates the file's folder and checks, before any training, that the file can be appended to. */
export function prepareResultsFile(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(file, '');
  } catch (e) {
    throw new InvalidOptionError(`Cannot write the atlas results file '${file}': ${(e as Error).message}. Fix its folder's permissions or set the spec's "results" to another path.`);
  }
}
