export { createSqlProjections, ProjectionsClosedError, type CatchUpResult, type SqlProjections, type SqlProjectionsOptions } from './runner';
export { CHECKPOINT_NAME, PROJECTION_TABLES, PROJECTIONS_SCHEMA_VERSION } from './schema';
