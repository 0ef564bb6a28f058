/** The SQLite schema (version 1) and the checks that a file is an l2lab study database before anything is written to it. */
import type Database from 'better-sqlite3';
import { StorageError } from '../errors.js';
import { checkMeta, STORAGE_APPLICATION, STORAGE_SCHEMA_VERSION } from '../schema-version.js';

/**
 * Per-epoch records of every trial member (added to schema 1 without a bump: older l2labs ignore
 * the table). `seq` grows with every write (AUTOINCREMENT never reuses a value), so a reader asks
 * for what changed since the largest seq it saw; a rewritten epoch gets a new seq.
 */
const SQLITE_EPOCHS_TABLE = `
CREATE TABLE IF NOT EXISTS trial_epochs (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  trial_id    INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  member      INTEGER NOT NULL,
  epoch       INTEGER NOT NULL,
  train_loss  REAL,
  val_loss    REAL,
  val_accuracy REAL,
  penalty     REAL,
  sum_squares REAL,
  at          INTEGER NOT NULL,
  UNIQUE (trial_id, member, epoch)
);
CREATE INDEX IF NOT EXISTS trial_epochs_by_trial ON trial_epochs (trial_id, seq);
`;

/**
 * Tables. Times are integer milliseconds since the Unix epoch; JSON columns hold key-sorted JSON
 * text. `trial_values` holds the intermediate values of a trial's current attempt.
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS studies (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  direction  TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
  config     TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS study_attrs (
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (study_id, key)
);
CREATE TABLE IF NOT EXISTS trials (
  id           INTEGER PRIMARY KEY,
  study_id     INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  key          TEXT NOT NULL,
  params       TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL')),
  value        REAL,
  result       TEXT,
  reason       TEXT,
  owner_pid    INTEGER,
  owner_host   TEXT,
  heartbeat_at INTEGER,
  attempt      INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  UNIQUE (study_id, key),
  UNIQUE (study_id, number)
);
CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study_id, state, number);
CREATE TABLE IF NOT EXISTS trial_values (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  step     INTEGER NOT NULL,
  value    REAL NOT NULL,
  extra    TEXT,
  PRIMARY KEY (trial_id, step)
);
${SQLITE_EPOCHS_TABLE}`;


/**
 * Refuses files that are not l2lab databases, using reads only, so a foreign SQLite file is never
 * modified. Returns whether the schema still has to be created (an empty database).
 */
export function inspectDatabase(db: Database.Database, location: string): 'empty' | 'ready' {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  if (tables.length === 0) return 'empty';
  if (!tables.includes('meta')) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    throw new StorageError(`${location} is a SQLite database but not an l2lab study database: it has tables ${shown} and no l2lab 'meta' table. Pass --storage a new file (e.g. --storage ./l2lab.db) or an l2lab database.`);
  }
  const meta = new Map<string, string>();
  try {
    for (const row of db.prepare('SELECT key, value FROM meta').all() as { key: unknown; value: unknown }[]) meta.set(String(row.key), String(row.value));
  } catch (e) {
    throw new StorageError(`${location} has a 'meta' table that is not l2lab's (${(e as Error).message}). Pass --storage a new file (e.g. --storage ./l2lab.db) or an l2lab database.`);
  }
  checkMeta(meta, location);
  return 'ready';
}

/** Creates the tables and meta rows; run inside an immediate transaction so concurrent openers do it once. */
export function createSchema(db: Database.Database): void {
  db.exec(SQLITE_SCHEMA);
  const put = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
  put.run('application', STORAGE_APPLICATION);
  put.run('schema_version', String(STORAGE_SCHEMA_VERSION));
  put.run('created_at', new Date().toISOString());
}

/** Adds the epoch table to a database created before it existed; run inside an immediate transaction. */
export function addEpochsTable(db: Database.Database): void {
  db.exec(SQLITE_EPOCHS_TABLE);
}

/** Whether the database lacks the epoch table (reads only). */
export function lacksEpochsTable(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'trial_epochs'").get() === undefined;
}
