import Database from 'better-sqlite3';
import { readFileSync, statSync } from 'node:fs';
import { CustodianError } from '@custodian/core';
import { SCHEMA_VERSION, UnsupportedSchemaError } from './schema';

export type NotALedgerReason = 'not_sqlite' | 'no_events_table' | 'events_table_shape' | 'no_schema_version';

/** The file is not a Custodian ledger: a read-only open refuses it rather than read, or create, a table in it. */
export class NotALedgerError extends CustodianError {
  readonly code = 'NOT_A_LEDGER';
  constructor(
    readonly path: string,
    readonly reason: NotALedgerReason,
    /** What is wrong, for `events_table_shape` and `no_schema_version`. */
    readonly detail?: string,
  ) {
    super(
      reason === 'not_sqlite'
        ? `${path} is not a SQLite file, so not a Custodian ledger`
        : `${path} is a SQLite file but not a Custodian ledger: ${
            reason === 'no_events_table'
              ? 'it has no events table'
              : reason === 'events_table_shape'
                ? `its events table ${detail ?? 'has another layout'}`
                : `its schema version (user_version) is ${detail ?? '0'}`
          }`,
    );
  }
}

/** An append, or any other write, on a store opened read-only. */
export class ReadOnlyStoreError extends CustodianError {
  readonly code = 'READ_ONLY_STORE';
  constructor(
    readonly path: string,
    readonly operation: string,
  ) {
    super(`${operation} refused: ${path} was opened read-only`);
  }
}

/** A write-ahead log holds commits, and SQLite cannot read them without creating the -shm file in a folder it may not write. */
export class ReadOnlyWalError extends CustodianError {
  readonly code = 'READ_ONLY_WAL_UNREADABLE';
  constructor(readonly path: string) {
    super(
      `${path} cannot be read read-only: its write-ahead log ${path}-wal holds commits not yet in the file, and reading them needs ${path}-shm, which cannot be created in its folder; copy the file with its -wal to a folder you may write`,
    );
  }
}

// What the store reads; a later layout may add columns, never take these away.
const COLUMNS: Readonly<Record<string, string>> = { position: 'INTEGER', stream: 'TEXT', revision: 'INTEGER', id: 'TEXT', type: 'TEXT', data: 'BLOB' };

/**
 * Opens a ledger file for reading only: nothing is created, migrated or written in it, and
 * a file that is not a ledger is refused with `NotALedgerError`.
 *
 * A ledger is in WAL mode, and SQLite reads a WAL database through its -wal and -shm files,
 * creating them (empty) beside it if they are absent. Where the folder is not writable
 * (a write-protected copy) they cannot be created: then, if no write-ahead log holds
 * commits, the file is complete on its own and is read as an in-memory snapshot of its
 * bytes, taken once at open (the file is read in full, so it costs its size in memory, and
 * later appends by others are not seen). better-sqlite3 offers no per-connection URI
 * filenames, so SQLite's `immutable=1` cannot be used instead.
 */
export function openReadOnlyDatabase({ path, busyTimeoutMs }: { path: string; busyTimeoutMs: number }): Database.Database {
  let db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  try {
    // The first read is where SQLite opens the -wal and -shm files, or fails to.
    db.pragma('schema_version');
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB') throw new NotALedgerError(path, 'not_sqlite');
    if (!/^SQLITE_(CANTOPEN|READONLY)/.test(code)) throw error;
    if (walSize(path) > 0) throw new ReadOnlyWalError(path);
    db = snapshot(path, busyTimeoutMs);
  }
  try {
    checkLedger(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

function snapshot(path: string, busyTimeoutMs: number): Database.Database {
  const bytes = readFileSync(path);
  // Bytes 18 and 19 say "WAL": an in-memory database cannot have a WAL, so the copy says "rollback journal".
  if (bytes.length >= 100 && bytes[18] === 2 && bytes[19] === 2) bytes.fill(1, 18, 20);
  try {
    return new Database(bytes, { readonly: true, timeout: busyTimeoutMs });
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new NotALedgerError(path, 'not_sqlite');
    throw error;
  }
}

function checkLedger(db: Database.Database, path: string): void {
  let columns: { name: string; type: string; pk: number }[];
  let version: number;
  try {
    columns = db.prepare<[], { name: string; type: string; pk: number }>("SELECT name, type, pk FROM pragma_table_info('events')").all();
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new NotALedgerError(path, 'not_sqlite');
    throw error;
  }
  if (columns.length === 0) throw new NotALedgerError(path, 'no_events_table');
  if (version > SCHEMA_VERSION) throw new UnsupportedSchemaError(path, version);
  if (version < 1) throw new NotALedgerError(path, 'no_schema_version', String(version));
  for (const [name, type] of Object.entries(COLUMNS)) {
    const column = columns.find((c) => c.name === name);
    if (!column) throw new NotALedgerError(path, 'events_table_shape', `has no ${name} column`);
    if (column.type.toUpperCase() !== type) throw new NotALedgerError(path, 'events_table_shape', `has ${name} of type ${column.type || 'none'}, not ${type}`);
  }
  if (columns.find((c) => c.name === 'position')?.pk !== 1) throw new NotALedgerError(path, 'events_table_shape', 'does not key its rows by position');
}
