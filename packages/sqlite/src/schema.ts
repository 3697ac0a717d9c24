import Database from 'better-sqlite3';
import { CustodianError } from '@custodian/core';

/** The layout this version of the package reads and writes, kept in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 2;

// Make the table append-only for every client of the file, not only for this package.
export const NO_UPDATE_TRIGGER = "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;";
const NO_DELETE_TRIGGER = "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;";

/**
 * `position` is an alias of the rowid: SQLite assigns it inside the write transaction and
 * writers are serialised, so readers only ever see a gap-free prefix of positions. Without
 * AUTOINCREMENT a rowid could be reused after a delete, but rows are never deleted (the
 * triggers above refuse it) and AUTOINCREMENT would cost a write per append. Being the
 * INTEGER PRIMARY KEY, it also keeps its values through a VACUUM.
 *
 * UNIQUE (stream, revision) is the database's own guard on expected revisions: even a
 * writer that skipped the check could not put two events at one revision of a stream.
 * The unique index on id (version 2) is its guard on event ids: one id, one record, in the
 * whole log, so a copy of a stream cannot be slipped in beside it with an INSERT.
 */
const UNIQUE_IDS = 'CREATE UNIQUE INDEX events_id ON events (id);';

const DDL = `
CREATE TABLE events (
  position INTEGER PRIMARY KEY,
  stream   TEXT    NOT NULL,
  revision INTEGER NOT NULL,
  id       TEXT    NOT NULL,
  type     TEXT    NOT NULL,
  data     BLOB    NOT NULL,
  UNIQUE (stream, revision)
);
${NO_UPDATE_TRIGGER}
${NO_DELETE_TRIGGER}
${UNIQUE_IDS}
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/** The file was written by a newer Custodian (or is not a Custodian store): reading it could misread it. */
export class UnsupportedSchemaError extends CustodianError {
  readonly code = 'UNSUPPORTED_SCHEMA';
  constructor(
    readonly path: string,
    readonly found: number,
  ) {
    super(`${path} has schema version ${found}; this version of @custodian/sqlite reads version ${SCHEMA_VERSION}`);
  }
}

/** A file of an older layout could not be brought up to this one. */
export class SchemaMigrationError extends CustodianError {
  readonly code = 'SCHEMA_MIGRATION_FAILED';
  constructor(
    readonly path: string,
    readonly from: number,
    readonly to: number,
    readonly reason: string,
  ) {
    super(`${path} cannot be migrated from schema version ${from} to ${to}: ${reason}`);
  }
}

export interface OpenOptions {
  path: string;
  /** How long a write waits for another connection's write lock before failing with SQLITE_BUSY. */
  busyTimeoutMs: number;
}

/**
 * Opens the file with the durability the store promises: WAL, so readers never block the
 * writer, and synchronous=FULL, so the WAL is fsynced at every commit and an acknowledged
 * append survives a power cut, not only a process crash (NORMAL would lose the last
 * commits on power loss).
 */
export function openDatabase({ path, busyTimeoutMs }: OpenOptions): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Database.Database, path: string): void {
  // IMMEDIATE so two processes opening a new file at once cannot both create the table.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === SCHEMA_VERSION) return;
    if (version === 0) return db.exec(DDL);
    if (version !== 1) throw new UnsupportedSchemaError(path, version);
    // Version 1 had no index on id. A file that holds an id twice was written around the
    // store: it is refused, not repaired, so an auditor sees it as it is.
    try {
      db.exec(`${UNIQUE_IDS} PRAGMA user_version = ${SCHEMA_VERSION};`);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      throw new SchemaMigrationError(path, version, SCHEMA_VERSION, 'it holds an event id twice; run custodian verify on a copy');
    }
  }).immediate();
}
