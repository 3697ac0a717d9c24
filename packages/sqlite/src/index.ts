export { createSqliteEventStore, type SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
export { SCHEMA_VERSION, SchemaMigrationError, UnsupportedSchemaError } from './schema';
export { NotALedgerError, ReadOnlyStoreError, ReadOnlyWalError, type NotALedgerReason } from './read-only';
export {
  createSqlProjections,
  createSqliteCheckpointStore,
  createSqlTablesCheckpointStore,
  ProjectionsClosedError,
  CHECKPOINT_NAME,
  PROJECTION_TABLES,
  PROJECTIONS_SCHEMA_VERSION,
  type CatchUpResult,
  type SqlProjections,
  type SqlProjectionsOptions,
  type SqlTablesCheckpointStore,
  type TableWriter,
} from './projections';
export { createSqliteSnapshotStore, type SqliteSnapshotStore, type SqliteSnapshotStoreOptions } from './snapshot-store';
