/** JSON loader: `{"x": number[][], "y": number[] | string[], "task"?, "features"?}`. */
import { InvalidDataError } from '../errors.js';
import { readArrays, type ArraysOptions } from './arrays.js';
import type { Dataset } from './dataset.js';
import { IssueLog } from './issue-log.js';
import { readInput } from './read-input.js';

/**
 * Loads a JSON dataset file; `options.task` overrides the file's `"task"`.
 * Throws an InvalidDataError naming the first bad entry (e.g. `x[5][2]`) and the fix.
 * @example loadJson('toy.json', { task: 'classification' })
 */
export function loadJson(path: string, options: Omit<ArraysOptions, 'name'> = {}): Dataset {
  return readJson(readInput(path).toString('utf8'), path, options, new IssueLog(false));
}

/** Parses JSON text, reporting bad values to `log`. */
export function readJson(text: string, source: string, options: Omit<ArraysOptions, 'name'>, log: IssueLog): Dataset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InvalidDataError(`${source}: not valid JSON (${(e as Error).message}). Fix the syntax; NaN and Infinity are not JSON, write finite numbers.`);
  }
  return readArrays(parsed, source, options, log);
}
