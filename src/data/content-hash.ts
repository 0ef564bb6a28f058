/** A dataset's content as a short hash, so a study keyed on it never mixes trials of an old and a changed data file. */
import { createHash } from 'node:crypto';
import type { Dataset } from './dataset.js';

/**
 * The first 16 hex digits of the SHA-256 of everything training reads: the features, the targets,
 * the feature names and (for classification) the class names. Equal for equal content whatever
 * the file's name; different when any value, row order or name changes.
 */
export function datasetHash(data: Dataset): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ task: data.task, n: data.n, d: data.d, features: data.featureNames, classes: data.task === 'classification' ? data.classes : null }));
  h.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  h.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return h.digest('hex').slice(0, 16);
}
