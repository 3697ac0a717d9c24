export { createSqliteEventStore, type SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
export { SCHEMA_VERSION, UnsupportedSchemaError } from './schema';
