/** The PostgreSQL study storage: public names. */
export { PostgresStorage, openPostgresStorage, type PostgresStorageOptions } from './postgres-storage.js';
export { POSTGRES_SCHEMA } from './schema.js';
