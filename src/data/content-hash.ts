/** A dataset's content hash: the same rows, targets and classes give the same hash, whatever file or name they came from. */
import { createHash } from 'node:crypto';
import type { Dataset } from './dataset.js';

/** SHA-256 (hex) of the shape, task, class names, features and targets of `data` (its name and column names do not count). */
export function contentHash(data: Dataset): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ n: data.n, d: data.d, task: data.task, classes: data.task === 'classification' ? data.classes : null }));
  h.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  h.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return h.digest('hex');
}
