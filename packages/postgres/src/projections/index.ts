export { createPostgresProjections, type PostgresProjections, type PostgresProjectionsOptions } from './runner';
export { createPostgresCheckpointStore, createPostgresTablesCheckpointStore, type PostgresTablesCheckpointStore } from './checkpoints';
export type { BatchEvent, TableWriter } from './table';
export { CHECKPOINT_NAME, PROJECTION_TABLES, PROJECTIONS_SCHEMA_VERSION, migrateProjections } from './schema';
export { ProjectionsSchemaTooNewError, ProjectionTableConflictError } from './errors';
