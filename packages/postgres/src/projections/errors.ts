import { CustodianError } from '@custodian/core';

/** The database holds the analytics tables in a layout this version does not know: it was written by a newer one. */
export class ProjectionsSchemaTooNewError extends CustodianError {
  readonly code = 'PROJECTIONS_SCHEMA_TOO_NEW';
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `the analytics tables in this database are in layout ${found}, newer than the layout ${supported} this version of @custodian/postgres keeps: ` +
        `upgrade @custodian/postgres on this host, or give this version a database (or search_path schema) of its own; nothing was changed`,
    );
  }
}

/** A table the projections would create already exists without their checkpoint row: it is someone else's, and is left alone. */
export class ProjectionTableConflictError extends CustodianError {
  readonly code = 'PROJECTION_TABLE_CONFLICT';
  constructor(readonly table: string) {
    super(
      `a table named ${table} already exists, and these analytics tables did not make it (projection_checkpoints has no 'analytics' row): ` +
        `keep the projections in a database or schema of their own (search_path); nothing was changed`,
    );
  }
}
