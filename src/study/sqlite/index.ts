/** The SQLite study storage: public names. */
export { SqliteStorage, openSqliteStorage, type SqliteStorageOptions } from './sqlite-storage.js';
export { SQLITE_SCHEMA } from './schema.js';
