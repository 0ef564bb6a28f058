/** `openStorage(spec)`: the one place that maps a `--storage` value to a backend, importing only the backend it needs. */
import { StorageError } from './errors.js';
import type { StorageOptions, StudyStorage } from './storage.js';

/** `--storage` when none is given: a SQLite file in the working directory. */
export const DEFAULT_STORAGE = './l2lab.db';

/** Options of {@link openStorage}: the shared ones, plus each backend's (ignored by the others). */
export interface OpenStorageOptions extends StorageOptions {
  /** SQLite only: ms a write waits for another process's lock. Default 30 000. */
  busyTimeoutMs?: number;
  /** SQLite only: refuse to create the file when it does not exist (commands that only read). Default false. */
  mustExist?: boolean;
  /** PostgreSQL only: most connections this process opens. Default 4. */
  maxConnections?: number;
  /** PostgreSQL only: ms to wait for a connection. Default 10 000. */
  connectTimeoutMs?: number;
}

/**
 * Opens a study storage from a `--storage` value:
 * - `postgres://…` or `postgresql://…` → PostgreSQL (`user:password@host:port/database`; add
 *   `?options=-c search_path=myschema` to keep the tables in a schema of their own);
 * - `:memory:` → a private in-memory SQLite database (tests);
 * - anything else → a SQLite file at that path, created when absent unless `mustExist` (default {@link DEFAULT_STORAGE}).
 *
 * The backend module (and its driver) is imported only when used.
 *
 * @example
 * const storage = await openStorage(values.storage ?? DEFAULT_STORAGE);
 * try { … } finally { await storage.close(); }
 */
export async function openStorage(spec: string = DEFAULT_STORAGE, options: OpenStorageOptions = {}): Promise<StudyStorage> {
  const s = spec.trim() === '' ? DEFAULT_STORAGE : spec;
  if (/^postgres(ql)?:\/\//i.test(s)) {
    const { openPostgresStorage } = await import('./postgres/postgres-storage.js');
    return openPostgresStorage(s, options);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  if (scheme !== null) {
    throw new StorageError(`Unsupported --storage URL scheme '${scheme[1]}:'. Use a SQLite file path (e.g. ./l2lab.db) or a postgres:// URL.`);
  }
  const { openSqliteStorage } = await import('./sqlite/sqlite-storage.js');
  return openSqliteStorage(s, options);
}
