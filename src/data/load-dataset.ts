/** `loadDataset`: a built-in name, or a path whose extension picks the loader. */
import { existsSync, statSync } from 'node:fs';
import { InvalidOptionError } from '../errors.js';
import { builtin, BUILTIN_NAMES } from './builtin.js';
import { readCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { loadIdx, requireLabelsPath } from './idx.js';
import { loadIdxDir } from './idx-dir.js';
import { IssueLog } from './issue-log.js';
import { readJson } from './json.js';
import type { LoadOptions } from './load-options.js';
import { readInput } from './read-input.js';

/**
 * Loads a built-in dataset by name (see `listDatasets()`), or a file by its extension: `.csv`,
 * `.json`, IDX images (`.gz`, `.idx`, `…-ubyte`; labels found by name or given as `labels`), or a
 * directory of IDX files. Throws on the first problem; `validateDataset` lists them all instead.
 * @example loadDataset('wine'); loadDataset('runs/houses.csv', { target: 'price' })
 */
export function loadDataset(nameOrPath: string, options: LoadOptions = {}): Dataset {
  return loadWith(nameOrPath, options, new IssueLog(false));
}

/** `loadDataset`, reporting bad values to `log`. */
export function loadWith(nameOrPath: string, options: LoadOptions, log: IssueLog): Dataset {
  const known = builtin(nameOrPath);
  if (known) {
    onlyOptions(options, [], `the built-in dataset '${nameOrPath}'`);
    return known.load();
  }
  const path = nameOrPath;
  if (existsSync(path) && statSync(path).isDirectory()) {
    onlyOptions(options, ['numClasses', 'classes'], `a directory of IDX files (${path})`);
    return loadIdxDir(path, { numClasses: options.numClasses, classes: options.classes });
  }
  if (/\.csv$/i.test(path)) {
    onlyOptions(options, ['target', 'task', 'numClasses', 'classes'], `a CSV file (${path})`);
    return readCsv(readInput(path).toString('utf8'), path, options, log);
  }
  if (/\.json$/i.test(path)) {
    onlyOptions(options, ['task', 'numClasses', 'classes'], `a JSON file (${path})`);
    return readJson(readInput(path).toString('utf8'), path, options, log);
  }
  if (/(\.gz|\.idx|-ubyte)$/i.test(path)) {
    onlyOptions(options, ['labels', 'numClasses', 'classes'], `IDX images (${path})`);
    return loadIdx(path, options.labels ?? requireLabelsPath(path), { numClasses: options.numClasses, classes: options.classes });
  }
  throw new InvalidOptionError(
    `Unknown dataset '${nameOrPath}'. Built-in datasets: ${BUILTIN_NAMES.join(', ')}. A path must end in .csv or .json (or be IDX images ending in .gz, .idx or -ubyte, or a directory of them).`,
  );
}

/** Rejects options that would be ignored for this kind of input. */
function onlyOptions(options: LoadOptions, allowed: (keyof LoadOptions)[], what: string): void {
  const extra = (Object.keys(options) as (keyof LoadOptions)[]).filter((k) => options[k] !== undefined && !allowed.includes(k));
  if (extra.length > 0) {
    throw new InvalidOptionError(
      `The '${extra[0]}' option does not apply to ${what}${allowed.length ? `, which takes only ${allowed.map((k) => `'${k}'`).join(', ')}` : ''}. Drop it.`,
    );
  }
}
