/** The conventions table, in display order, and lookup by id with an error that lists the known ones. */
import { InvalidOptionError } from '../errors.js';
import { bayes } from './bayes.js';
import { composer } from './composer.js';
import { glmnet } from './glmnet.js';
import { keras, kerasDecoupled } from './keras.js';
import { adamw, pytorch } from './pytorch.js';
import { seed } from './seed.js';
import { sklearnLogistic, sklearnMlp, sklearnRidge } from './sklearn.js';
import { CONVENTION_IDS, type ConventionId } from '../options/names.js';
import type { Convention } from './types.js';

/** Every convention by its id. */
const BY_ID: Record<ConventionId, Convention> = {
  seed,
  keras,
  pytorch,
  adamw,
  'keras-decoupled': kerasDecoupled,
  composer,
  'sklearn-mlp': sklearnMlp,
  'sklearn-ridge': sklearnRidge,
  'sklearn-logistic': sklearnLogistic,
  glmnet,
  bayes,
};

/** Every convention, in the order of {@link CONVENTION_IDS} (seed first). */
export const CONVENTIONS: readonly Convention[] = CONVENTION_IDS.map((id) => BY_ID[id]);

/** Whether `id` names a convention of {@link CONVENTIONS} (`seed`, `keras`, `pytorch`, …). */
export function isConventionId(id: string): id is ConventionId {
  return (CONVENTION_IDS as readonly string[]).includes(id);
}

/**
 * The convention with this id.
 * @param role - the option the id came from, named in the error ("from" → "in --from"). Default: none.
 * @throws InvalidOptionError naming the unknown id and listing the known ones.
 */
export function getConvention(id: string, role?: string): Convention {
  const found = CONVENTIONS.find((c) => c.id === id);
  if (!found) {
    throw new InvalidOptionError(`Unknown convention '${id}'${role ? ` in --${role}` : ''}. Known conventions: ${CONVENTION_IDS.join(', ')}.`);
  }
  return found;
}
