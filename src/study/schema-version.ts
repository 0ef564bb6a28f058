/** The storage schema's identity, written to every backend's `meta` table and checked when a database is opened. */
import { StorageError } from './errors.js';

/** `meta.application`: marks a database as an l2lab study storage. */
export const STORAGE_APPLICATION = 'l2lab';

/**
 * `meta.schema_version`: bumped whenever a table changes. A database with a lower version is
 * migrated on open; one with a higher version (written by a newer l2lab) is refused.
 *
 * History: 1 — meta, studies, study_attrs, trials, trial_values.
 */
export const STORAGE_SCHEMA_VERSION = 1;

/** Checks the `meta` rows (key → value) of an existing database; throws a StorageError that names `location` and the fix. */
export function checkMeta(meta: Map<string, string>, location: string): void {
  if (meta.get('application') !== STORAGE_APPLICATION) {
    throw new StorageError(`${location} has a 'meta' table but is not an l2lab study database (meta.application is ${JSON.stringify(meta.get('application') ?? null)}, expected "${STORAGE_APPLICATION}"). Pass --storage a new location or an l2lab database.`);
  }
  const version = Number(meta.get('schema_version'));
  if (!Number.isInteger(version) || version < 1) throw new StorageError(`${location} is an l2lab database with an unreadable schema_version ${JSON.stringify(meta.get('schema_version') ?? null)}; it may be damaged. Pass --storage a new location or an l2lab database.`);
  if (version > STORAGE_SCHEMA_VERSION) {
    throw new StorageError(`${location} was written by a newer l2lab (storage schema ${version}; this l2lab reads up to ${STORAGE_SCHEMA_VERSION}). Upgrade l2lab, or use another --storage.`);
  }
}
