import { CustodianError } from '@custodian/core';

/** Where a store's tables are, said without the credentials of its URL. */
export interface DatabaseLocation {
  /** `host:port/database`, or `(given pool)` when the store was handed a pool. */
  readonly database: string;
  /** The PostgreSQL schema that holds the ledger's tables. */
  readonly schema: string;
}

const at = ({ database, schema }: DatabaseLocation) => `schema "${schema}" of ${database}`;

/** The database holds no ledger where the store looks, and the store was told not to create one. */
export class SchemaMissingError extends CustodianError {
  readonly code = 'POSTGRES_SCHEMA_MISSING';
  constructor(readonly location: DatabaseLocation) {
    super(`${at(location)} holds no Custodian ledger; open it once without readonly (and with migrate left on) to create it, or check the URL and the schema name`);
  }
}

/** The ledger's tables are of a layout this version of the package does not read: reading them could misread them. */
export class UnsupportedSchemaError extends CustodianError {
  readonly code = 'UNSUPPORTED_SCHEMA';
  constructor(
    readonly location: DatabaseLocation,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      found > supported
        ? `${at(location)} has schema version ${found}, written by a newer @custodian/postgres; this version reads version ${supported}: upgrade @custodian/postgres`
        : `${at(location)} has schema version ${found}; this version reads version ${supported}: open it once with migrate left on to bring it up to date`,
    );
  }
}

/** The server could not be reached or refused the connection: nothing was read or written. */
export class PostgresUnavailableError extends CustodianError {
  readonly code = 'POSTGRES_UNAVAILABLE';
  constructor(
    readonly database: string,
    /** The server's SQLSTATE or the socket's error code, when there is one. */
    readonly reason: string,
  ) {
    super(`cannot open the Custodian ledger on ${database} (${reason}): check that the server runs, and the URL's host, port, database, user and password`);
  }
}

/**
 * The connection broke, or the server went away, during an operation. An append may have
 * landed or not: retry it with the same event ids, and a retry of an append that landed is
 * recognised and answered with its original result, so it lands once either way. A read
 * changed nothing: read again once the server is back.
 */
export class ConnectionLostError extends CustodianError {
  readonly code = 'POSTGRES_CONNECTION_LOST';
  constructor(
    /** `append`, or the query of the read under way (`forwards`, `all`, `after`, `by-id`...). */
    readonly operation: string,
    /** The server's SQLSTATE or the socket's error code, when there is one. */
    readonly reason: string,
    /** The stream of the append, for an append. */
    readonly stream?: string,
  ) {
    super(
      stream === undefined
        ? `the connection to PostgreSQL broke during the store's ${operation} query (${reason}); nothing was changed: try again once the server is back`
        : `the connection to PostgreSQL broke during an append to ${stream} (${reason}); it may or may not have landed: retry it with the same event ids`,
    );
  }
}

/** An append on a store opened read-only. */
export class ReadOnlyStoreError extends CustodianError {
  readonly code = 'READ_ONLY_STORE';
  constructor(
    readonly location: DatabaseLocation,
    readonly operation: string,
  ) {
    super(`${operation} refused: ${at(location)} was opened read-only`);
  }
}
