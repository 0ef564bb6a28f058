/** CSV loader: a header row, a target column chosen by name, numeric features. */
import { InvalidDataError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { csvRecords } from './csv-records.js';
import { IssueLog } from './issue-log.js';
import type { LoadOptions } from './load-options.js';
import { isNonFiniteLiteral, parseDecimal, parseField } from './numbers.js';
import { readInput } from './read-input.js';
import { encodeTargets, withTargets } from './targets.js';

/** The CSV options: `target` (default `'target'`), `task`, `numClasses`, `classes`. */
export type CsvOptions = Pick<LoadOptions, 'target' | 'task' | 'numClasses' | 'classes'>;

/**
 * Loads a CSV file whose first row names the columns. String targets become classes (sorted names →
 * 0, 1, …); numeric targets are regression unless `task: 'classification'`.
 * Throws an InvalidDataError naming the line and column of the first bad value.
 * @example loadCsv('houses.csv', { target: 'price' })
 */
export function loadCsv(path: string, options: CsvOptions = {}): Dataset {
  return readCsv(readInput(path).toString('utf8'), path, options, new IssueLog(false));
}

/** `loadCsv` on text already in memory; `source` names it in messages and becomes the dataset's name. */
export function parseCsv(text: string, source: string, options: CsvOptions = {}): Dataset {
  return readCsv(text, source, options, new IssueLog(false));
}

/** The CSV reader behind both, reporting bad values to `log`. */
export function readCsv(text: string, source: string, options: CsvOptions, log: IssueLog): Dataset {
  const targetName = options.target ?? 'target';
  const records = csvRecords(text, source);
  const first = records.next();
  if (first.done) {
    throw new InvalidDataError(`${source}: the file is empty. Write a header row naming the columns (one of them '${targetName}'), then one row per sample.`);
  }
  const header = first.value.fields.map((f) => f.trim());
  refuseOtherDelimiter(header, source, first.value.line);
  // A repeated name makes the target or a feature ambiguous (which 'age' is the target?).
  const twice = header.findIndex((h, j) => header.indexOf(h) !== j);
  if (twice >= 0) {
    throw new InvalidDataError(
      `${source}, line ${first.value.line}: the header names column '${header[twice]}' twice (columns ${header.indexOf(header[twice]) + 1} and ${twice + 1}). Give every column its own name.`,
    );
  }
  const t = header.indexOf(targetName);
  if (t < 0) {
    throw new InvalidDataError(
      `${source}, line ${first.value.line}: there is no column named '${targetName}'. The columns are: ${header.join(', ')}. Name the target column with the 'target' option.`,
    );
  }
  if (header.length < 2) {
    throw new InvalidDataError(`${source}: the only column is the target '${targetName}'. Add at least one feature column.`);
  }
  const at = (line: number, j: number): string => `${source}, line ${line}, column ${j + 1} ('${header[j]}')`;
  const x: number[] = [];
  const targetTexts: string[] = [];
  const targetLines: number[] = [];
  for (const { fields, line } of records) {
    if (fields.length !== header.length) {
      log.add(
        `${source}, line ${line}, column ${Math.min(fields.length, header.length) + 1}: the row has ${fields.length} fields but the header has ${header.length}. Give every row one value per header column (quote fields that contain commas).`,
      );
      continue;
    }
    for (let j = 0; j < fields.length; j++) {
      if (j !== t) x.push(parseField(fields[j], () => at(line, j), log));
    }
    targetTexts.push(fields[t].trim());
    targetLines.push(line);
  }
  const n = targetTexts.length;
  if (n === 0) {
    throw new InvalidDataError(`${source}: the header is there but there are no data rows. Add one row per sample below the header.`);
  }
  const where = (i: number): string => at(targetLines[i], t);
  const numbers = targetTexts.map((s, i) => (isNamed(s) ? NaN : parseField(s, () => where(i), log)));
  const values = targetTexts.some(isNamed) ? targetTexts : numbers;
  return withTargets(
    { name: source, n, d: header.length - 1, x: Float32Array.from(x), featureNames: header.filter((_, j) => j !== t), targetName },
    encodeTargets(values, options, source, where, log),
  );
}

/**
 * A header read as one column that holds semicolons or tabs is a file with another delimiter
 * (spreadsheets in many locales save ';'): say so, rather than that the target column is missing.
 */
function refuseOtherDelimiter(header: string[], source: string, line: number): void {
  if (header.length !== 1) return;
  const count = (c: string) => header[0].split(c).length - 1;
  const [semicolons, tabs] = [count(';'), count('\t')];
  if (semicolons === 0 && tabs === 0) return;
  const name = semicolons >= tabs ? 'semicolon' : 'tab';
  throw new InvalidDataError(
    `${source}, line ${line}: the header is one column, '${header[0].replace(/\t/g, '\\t')}', whose fields are separated by ${name}s: l2lab reads comma-separated values. Save the file with commas between the fields (and points as decimal marks).`,
  );
}

/** A target that names a class: neither a number nor a blank or NaN/Inf (those are bad values). */
function isNamed(text: string): boolean {
  return text !== '' && !isNonFiniteLiteral(text) && parseDecimal(text) === undefined;
}
