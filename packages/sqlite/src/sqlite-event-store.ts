import type Database from 'better-sqlite3';
import {
  StoreClosedError,
  StreamNotFoundError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type RawRecord,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@custodian/core';
import {
  checkExpectedRevision,
  checkRepeatedIds,
  subscriptionLoop,
  validateAppend,
  validateExpectedRevision,
  validateReadAllOptions,
  validateReadStreamOptions,
  validateSubscribeOptions,
} from '@custodian/core/store-kit';
import { openReadOnlyDatabase, ReadOnlyStoreError } from './read-only';
import { openDatabase } from './schema';
import { prepareStatements } from './statements';

// Reads go page by page, never through a live cursor: better-sqlite3 refuses every other
// statement on the connection while an iterator is open, and a reader may pause at any
// `await` while appends run. Small enough to bound memory with large events.
const PAGE_SIZE = 256;

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

/** Opens (or creates) an event store in a SQLite file; with `readonly`, opens an existing ledger to read it. */
export function createSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const readonly = options.readonly === true;
  const open = readonly ? openReadOnlyDatabase : openDatabase;
  const database = open({ path: options.path, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  const sql = prepareStatements(database);
  const wakers = new Set<() => void>();
  let poller: NodeJS.Timeout | undefined;
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

  // The check and the inserts share one IMMEDIATE transaction: it takes the write lock
  // before reading the stream's revision, so no other connection can append in between.
  const appendTransaction = database.transaction((stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendResult => {
    const retried = checkRepeatedIds(stream, events, expected, sql.byId);
    if (retried) return retried;
    const actual = sql.lastRevision(stream);
    checkExpectedRevision(stream, expected, actual);
    let revision = actual === 'no_stream' ? -1n : actual;
    let position = -1n;
    for (const event of events) position = sql.insert(stream, ++revision, event.id, event.type, event.data);
    return { nextRevision: revision, position };
  });

  async function* readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    assertOpen();
    validateReadStreamOptions(stream, options);
    // The stream's end when reading starts bounds the read, so it is one consistent view
    // even if appends land between pages.
    const last = sql.lastRevision(stream);
    if (last === 'no_stream') throw new StreamNotFoundError(stream);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (options.direction === 'backwards') {
      let from = options.fromRevision === undefined || options.fromRevision > last ? last : options.fromRevision;
      while (remaining > 0 && from >= 0n) {
        assertOpen();
        const page = sql.backwards(stream, from, Math.min(PAGE_SIZE, remaining));
        if (page.length === 0) return;
        remaining -= page.length;
        from = (page[page.length - 1] as RecordedEvent).revision - 1n;
        yield* page;
      }
    } else {
      let from = options.fromRevision ?? 0n;
      while (remaining > 0 && from <= last) {
        assertOpen();
        const page = sql.forwards(stream, from, last, Math.min(PAGE_SIZE, remaining));
        if (page.length === 0) return;
        remaining -= page.length;
        from = (page[page.length - 1] as RecordedEvent).revision + 1n;
        yield* page;
      }
    }
  }

  async function* readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    assertOpen();
    validateReadAllOptions(options);
    const last = sql.lastPosition();
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let from = options.fromPosition ?? 0n;
    while (remaining > 0 && from <= last) {
      assertOpen();
      const page = sql.all(from, last, Math.min(PAGE_SIZE, remaining));
      if (page.length === 0) return;
      remaining -= page.length;
      from = (page[page.length - 1] as RecordedEvent).position + 1n;
      yield* page;
    }
  }

  function subscribeToAll(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription {
    assertOpen();
    validateSubscribeOptions(options, handler);
    let checkpoint = options.fromPosition ?? -1n;
    let page: RecordedEvent[] = [];
    let next = 0;
    const subscription = subscriptionLoop(
      wakers,
      () => closed,
      async () => {
        if (next === page.length) {
          page = sql.after(checkpoint, PAGE_SIZE);
          next = 0;
          if (page.length === 0) return false;
        }
        const event = page[next++] as RecordedEvent;
        checkpoint = event.position;
        await handler(event);
        return true;
      },
    );
    // Another process's appends cannot wake this one, so live subscriptions also look on a
    // timer. The timer keeps the process alive while one is open, as a socket would.
    poller ??= setInterval(wakeAll, pollIntervalMs);
    const stopPollingIfIdle = () => {
      if (wakers.size > 0 || poller === undefined) return;
      clearInterval(poller);
      poller = undefined;
    };
    subscription.done.then(stopPollingIfIdle, stopPollingIfIdle);
    return subscription;
  }

  const store: SqliteEventStore = {
    database,
    // `position` is the rowid: assigned from 1 inside the write transaction, never reused while rows are never deleted.
    positionsGapFreeFrom: 1n,
    async append(stream, events, expected) {
      assertOpen();
      assertWritable('append');
      validateAppend(stream, events);
      validateExpectedRevision(expected);
      const result = appendTransaction.immediate(stream, events, expected);
      wakeAll();
      return result;
    },
    readStream,
    readAll,
    subscribeToAll,
    // The unique index on id that refuses a repeated id answers this too: one lookup, no scan.
    async locate(eventId) {
      assertOpen();
      const found = sql.byId(eventId);
      return found && { stream: found.stream, revision: found.revision, position: found.position };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (poller !== undefined) clearInterval(poller);
      poller = undefined;
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
