import type Database from 'better-sqlite3';
import type { z } from 'zod';
import {
  parseOrThrow,
  StoreClosedError,
  StreamNotFoundError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type RawRecord,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@custodian/core';
import { checkExpectedRevision, checkRepeatedIds, validateAppend, validateExpectedRevision } from '@custodian/core/store-kit';
import { createGroupWriter, createSingleWriter, GroupCommitSetting, type AppendWriter, type WriteAppend } from './group-commit';
import { createReaders } from './readers';
import { openReadOnlyDatabase, ReadOnlyStoreError } from './read-only';
import { openDatabase } from './schema';
import { prepareStatements, type Statements } from './statements';

export interface SqliteEventStoreOptions {
  /** The database file; created with its schema if absent (unless `readonly`). */
  path: string;
  /**
   * Open an existing ledger for reading only: nothing is created, migrated or written, a
   * file that is not a ledger is refused (`NotALedgerError`), appends are refused
   * (`ReadOnlyStoreError`), and a write-protected copy in a folder that cannot be written
   * is read as a snapshot (see `openReadOnlyDatabase`). Default false.
   */
  readonly?: boolean;
  /** How often live subscriptions look for events appended by other processes (appends in this process wake them at once). Default 200 ms. */
  pollIntervalMs?: number;
  /** How long an append waits for another process's write lock before failing with SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * Appends made in one turn of the event loop share one transaction and one fsync, each in
   * its own savepoint, at most `maxBatch` (default 256) per transaction; `false` gives each
   * append a transaction of its own. Default on.
   */
  groupCommit?: GroupCommitSetting;
}

export interface SqliteEventStore extends EventStore {
  subscribeToAll(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription;
  /** The open connection, for SQL projections kept in the same file. Closed by `close()`. */
  readonly database: Database.Database;
}

/** What a test may do to a SQLite store behind the port's back. */
interface RawAccess {
  records(): RawRecord[];
  overwrite(stream: string, revision: bigint, bytes: Uint8Array): void;
}

// Raw access is no method of the store: a tamper-evident ledger ships no "overwrite". Each
// store registers its raw access here, and only this module's raw* functions, exported by
// the package's testing entry point (`@custodian/sqlite/testing`), read it.
const rawAccess = new WeakMap<SqliteEventStore, RawAccess>();

/**
 * One append, inside a transaction that holds the write lock (IMMEDIATE) before it reads
 * the stream's revision, so no other connection can append between the check and the
 * inserts. Throws, having inserted nothing, on a conflict or a repeated id.
 */
function appendWithin(sql: Statements): WriteAppend {
  return (stream, events, expected) => {
    const retried = checkRepeatedIds(stream, events, expected, sql.byId);
    if (retried) return retried;
    const actual = sql.lastRevision(stream);
    checkExpectedRevision(stream, expected, actual);
    let revision = actual === 'no_stream' ? -1n : actual;
    let position = -1n;
    for (const event of events) position = sql.insert(stream, ++revision, event.id, event.type, event.data);
    return { nextRevision: revision, position };
  };
}

function appendWriter(database: Database.Database, sql: Statements, groupCommit: z.output<typeof GroupCommitSetting>, committed: () => void): AppendWriter {
  if (groupCommit === false) return createSingleWriter(database, appendWithin(sql), committed);
  return createGroupWriter(database, appendWithin(sql), groupCommit.maxBatch, committed);
}

/** Opens (or creates) an event store in a SQLite file; with `readonly`, opens an existing ledger to read it. */
export function createSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const groupCommit = parseOrThrow(GroupCommitSetting, options.groupCommit, 'SqliteEventStoreOptions', { prefix: 'groupCommit' });
  const readonly = options.readonly === true;
  const open = readonly ? openReadOnlyDatabase : openDatabase;
  const database = open({ path: options.path, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  const sql = prepareStatements(database);
  const wakers = new Set<() => void>();
  let closed = false;

  const wakeAll = () => {
    for (const wake of wakers) wake();
  };
  const assertOpen = () => {
    if (closed) throw new StoreClosedError();
  };
  const assertWritable = (operation: string) => {
    if (readonly) throw new ReadOnlyStoreError(options.path, operation);
  };
  const writer = appendWriter(database, sql, groupCommit, wakeAll);
  const { stopPolling, ...readers } = createReaders({
    sql,
    assertOpen,
    isClosed: () => closed,
    wakers,
    pollIntervalMs: options.pollIntervalMs ?? 200,
    settleAppends: writer.flush,
  });

  const store: SqliteEventStore = {
    database,
    // `position` is the rowid: assigned from 1 inside the write transaction, never reused while rows are never deleted.
    positionsGapFreeFrom: 1n,
    async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
      assertOpen();
      assertWritable('append');
      validateAppend(stream, events);
      validateExpectedRevision(expected);
      return writer.append(stream, events, expected);
    },
    ...readers,
    // The unique index on id that refuses a repeated id answers this too: one lookup, no scan.
    async locate(eventId) {
      assertOpen();
      writer.flush();
      const found = sql.byId(eventId);
      return found && { stream: found.stream, revision: found.revision, position: found.position };
    },
    async close() {
      if (closed) return;
      // Appends made before the close were accepted: they are written, not dropped.
      writer.flush();
      closed = true;
      stopPolling();
      wakeAll();
      database.close();
    },
  };
  rawAccess.set(store, {
    records() {
      assertOpen();
      return sql.raw();
    },
    overwrite(stream, revision, bytes) {
      assertOpen();
      assertWritable('overwriteRaw');
      if (sql.overwrite(stream, revision, bytes) === 0) throw new StreamNotFoundError(`${stream}@${revision}`);
    },
  });
  return store;
}

function rawAccessOf(store: SqliteEventStore): RawAccess {
  const access = rawAccess.get(store);
  if (access === undefined) throw new TypeError('raw access needs a store made by createSqliteEventStore');
  return access;
}

/** Every stored record, in global order, as the exact bytes kept. For tests. */
export function rawRecords(store: SqliteEventStore): RawRecord[] {
  return rawAccessOf(store).records();
}

/** Replaces the bytes of one stored record, as an attacker with write access to the file could. For tests. */
export function overwriteRaw(store: SqliteEventStore, stream: string, revision: bigint, bytes: Uint8Array): void {
  rawAccessOf(store).overwrite(stream, revision, bytes);
}
