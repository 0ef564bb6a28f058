/** `validateDataset`: loads a dataset without throwing and lists every problem, for checking before a long run. */
import { L2labError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { IssueLog } from './issue-log.js';
import { loadWith } from './load-dataset.js';
import type { LoadOptions } from './load-options.js';

export type DatasetValidation = { ok: true; data: Dataset } | { ok: false; issues: string[] };

/**
 * Like `loadDataset`, but returns `{ ok: false, issues }` instead of throwing; for CSV and JSON,
 * `issues` lists every bad value (the first 20, then a count), not only the first.
 * @example
 * const v = validateDataset('houses.csv', { target: 'price' });
 * if (!v.ok) console.error(v.issues.join('\n'));
 */
export function validateDataset(nameOrPath: string, options: LoadOptions = {}): DatasetValidation {
  const log = new IssueLog(true);
  try {
    const data = loadWith(nameOrPath, options, log);
    const issues = log.all();
    return issues.length === 0 ? { ok: true, data } : { ok: false, issues };
  } catch (e) {
    if (e instanceof L2labError) return { ok: false, issues: [...log.all(), e.message] };
    throw e;
  }
}
