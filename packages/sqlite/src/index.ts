export { createSqliteEventStore, type SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
export { SCHEMA_VERSION, SchemaMigrationError, UnsupportedSchemaError } from './schema';
export {
  createSqlProjections,
  ProjectionsClosedError,
  CHECKPOINT_NAME,
  PROJECTION_TABLES,
  PROJECTIONS_SCHEMA_VERSION,
  type CatchUpResult,
  type SqlProjections,
  type SqlProjectionsOptions,
} from './projections';
