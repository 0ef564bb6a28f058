/** Prepared statements compiled once per connection instead of once per call. */
import type Database from 'better-sqlite3';

/**
 * Makes `db.prepare(sql)` return the statement compiled the first time that text was prepared.
 * The store prepares the same few statements for every trial of a pass (about 30 per trial, ~15 µs
 * each, as much as the exact solver's whole work on a small table); SQLite re-prepares a cached
 * statement by itself after a schema change. Safe because every call runs its statement to the
 * end synchronously (get, all, run: none iterates) and each text is always used in one mode
 * (only plucked texts are plucked).
 */
export function withStatementCache(db: Database.Database): Database.Database {
  const compiled = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    let statement = compiled.get(sql);
    if (!statement) {
      statement = prepare(sql);
      compiled.set(sql, statement);
    }
    return statement;
  }) as typeof db.prepare;
  return db;
}
