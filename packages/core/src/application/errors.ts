import { CustodianError } from '../errors';

/** Why `createLedger` refused the application's event types or their upcasters. */
export type ApplicationCatalogProblem =
  'bad_name' | 'custodian_type' | 'bad_schema_version' | 'not_a_schema' | 'unknown_type' | 'upcaster_missing' | 'upcaster_beyond_current' | 'not_a_function';

/**
 * The application's event types, or their upcasters, cannot be used: a name that is not
 * PascalCase or is one of Custodian's, a schema version that is no positive integer, a gap in
 * the chain of upcasters (`versions` names the steps missing), an upcaster for a version at or
 * past the current one or for a type not registered. Thrown by `createLedger`, before anything
 * is read or written.
 */
export class ApplicationCatalogError extends CustodianError {
  readonly code = 'APPLICATION_CATALOG_INVALID';
  constructor(
    readonly type: string,
    readonly problem: ApplicationCatalogProblem,
    detail: string,
    readonly versions: readonly number[] = [],
  ) {
    super(`application event type ${type}: ${detail}`);
  }
}

/** Why a stored application event could not be read as its type's current version. */
export type ApplicationReadProblem = 'unknown_type' | 'newer_version' | 'upcaster_threw' | 'output_invalid';

/**
 * A stored application event could not be brought to its type's current schema version: its
 * type is not registered with this ledger, it was written at a version newer than this ledger
 * knows, an upcaster threw (its message is not kept: it may quote the data), or what the
 * upcasters made fails the current schema (`issues` name the fields, never the values). The
 * stored record is untouched.
 */
export class ApplicationEventUnreadableError extends CustodianError {
  readonly code = 'APPLICATION_EVENT_UNREADABLE';
  constructor(
    readonly eventId: string,
    readonly type: string,
    /** The version the record was written at. */
    readonly storedVersion: number,
    /** The version this ledger reads it as; undefined for a type it does not know. */
    readonly currentVersion: number | undefined,
    readonly problem: ApplicationReadProblem,
    detail: string,
    readonly issues: readonly string[] = [],
  ) {
    super(
      `application event ${eventId} (${type}, written at schema version ${storedVersion}) cannot be read${currentVersion === undefined ? '' : ` at version ${currentVersion}`}: ${detail}`,
    );
  }
}
