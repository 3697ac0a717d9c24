export { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store';
export type { PostgresEventStoreOptions } from './options';
export { SCHEMA_VERSION } from './schema';
export { ConnectionLostError, PostgresUnavailableError, ReadOnlyStoreError, SchemaMissingError, UnsupportedSchemaError, type DatabaseLocation } from './errors';
export { createPostgresSnapshotStore, type PostgresSnapshotStore, type PostgresSnapshotStoreOptions } from './snapshot-store';
export * from './projections';
