/** A dataset's feature columns in the order a trained model reads them, matched by the names its sidecar stores. */
import type { Dataset } from '../data/index.js';
import { InvalidDataError } from '../errors.js';

/**
 * The features of `data` as the model's rows [n, features.length]: the columns named `features`,
 * in that order, whatever order (or extra columns) the data has. Throws naming the missing columns
 * when some are absent, or the counts when the data's columns are unnamed alike.
 */
export function alignFeatures(data: Dataset, features: readonly string[], model: string): Float32Array {
  const d = features.length;
  if (data.featureNames.length === d && data.featureNames.every((f, j) => f === features[j])) return data.x;
  const index = new Map(data.featureNames.map((f, j) => [f, j]));
  const missing = features.filter((f) => !index.has(f));
  if (missing.length > 0) {
    const list = (names: readonly string[]) => `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
    const what =
      data.d !== d
        ? `${data.name} has ${data.d} features but the model ${model} was trained on ${d} (${list(features)})`
        : `${data.name} lacks the model's columns ${list(missing)} (the model ${model} was trained on ${list(features)}; the data has ${list(data.featureNames)})`;
    throw new InvalidDataError(`${what}. Use data with the same feature columns.`);
  }
  const cols = features.map((f) => index.get(f)!);
  const x = new Float32Array(data.n * d);
  for (let i = 0; i < data.n; i++) for (let j = 0; j < d; j++) x[i * d + j] = data.x[i * data.d + cols[j]];
  return x;
}
