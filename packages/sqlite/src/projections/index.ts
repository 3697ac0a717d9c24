export { createSqlProjections, type CatchUpResult, type SqlProjections, type SqlProjectionsOptions } from './runner';
export { createSqliteCheckpointStore, createSqlTablesCheckpointStore, type SqlTablesCheckpointStore } from './checkpoints';
export type { TableWriter } from './table';
export { CHECKPOINT_NAME, PROJECTION_TABLES, PROJECTIONS_SCHEMA_VERSION } from './schema';
// The runner's error is core's now; re-exported so `@custodian/sqlite` users keep their import.
export { ProjectionsClosedError } from '@custodian/core';
