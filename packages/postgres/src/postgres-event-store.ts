import { Pool } from 'pg';
import {
  StoreClosedError,
  type AppendResult,
  type EventLocation,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@custodian/core';
import { validateAppend, validateExpectedRevision } from '@custodian/core/store-kit';
import { createAppendWriter } from './append-writer';
import { failureReason, isConnectionLost } from './connection';
import { PostgresUnavailableError, ReadOnlyStoreError, type DatabaseLocation } from './errors';
import { describeUrl, parseOptions, type PostgresEventStoreOptions } from './options';
import { createReaders } from './readers';
import { checkSchema, migrate } from './schema';
import { createStatements } from './statements';

export interface PostgresEventStore extends EventStore {
  subscribeToAll(options: SubscribeOptions, handler: (event: RecordedEvent) => Promise<void>): Subscription;
  readonly positionsGapFreeFrom: bigint;
  locate(eventId: string): Promise<EventLocation | undefined>;
  /** The pool the store runs on: its own (ended by `close()`), or the one it was given (left open). */
  readonly pool: Pool;
  /** Where the ledger is: `host:port/database` and the schema, never the credentials. */
  readonly location: DatabaseLocation;
}

/** Opening fails on an unreachable server as a typed error that says what to check; the schema's own errors pass as they are. */
async function open(pool: Pool, location: DatabaseLocation, options: { readonly: boolean; migrate: boolean }): Promise<void> {
  try {
    if (options.readonly || !options.migrate) await checkSchema(pool, location);
    else await migrate(pool, location);
  } catch (error) {
    if (isConnectionLost(error) || /^(28|3D)/.test(failureReason(error)) || (error as { code?: unknown }).code === 'ENOTFOUND') {
      throw new PostgresUnavailableError(location.database, failureReason(error));
    }
    throw error;
  }
}

/**
 * Opens an event store on PostgreSQL: its tables in `schema` (default `custodian`), created
 * or migrated on open unless `readonly` or `migrate: false`. Appends from every process on the
 * database are serialised by an advisory lock, so positions run from 1 with no gap in commit
 * order (see the package README for the technique and its cost).
 */
export async function createPostgresEventStore(input: PostgresEventStoreOptions): Promise<PostgresEventStore> {
  const options = parseOptions(input);
  const owned = 'connectionString' in options;
  const pool = owned
    ? new Pool({
        connectionString: options.connectionString,
        max: options.poolSize,
        application_name: 'custodian',
        // A read-only store's sessions refuse writes on the server too.
        ...(options.readonly && { options: '-c default_transaction_read_only=on' }),
      })
    : options.pool;
  // An idle connection that breaks is the pool's to replace; without a listener it would crash the process.
  if (owned) pool.on('error', () => undefined);
  const location: DatabaseLocation = { database: owned ? describeUrl(options.connectionString) : '(given pool)', schema: options.schema };
  try {
    await open(pool, location, options);
  } catch (error) {
    if (owned) await pool.end();
    throw error;
  }

  const sql = createStatements(pool, options.schema);
  const wakers = new Set<() => void>();
  let closed = false;
  const wakeAll = () => {
    for (const wake of wakers) wake();
  };
  const assertOpen = () => {
    if (closed) throw new StoreClosedError();
  };
  const writer = createAppendWriter(sql, options.maxBatch, wakeAll);
  const { stopPolling, ...readers } = createReaders({ sql, assertOpen, isClosed: () => closed, wakers, pollIntervalMs: options.pollIntervalMs });
  let closing: Promise<void> | undefined;
  const shut = async () => {
    // Appends made before the close were accepted: they are answered, not dropped.
    await writer.settle();
    closed = true;
    stopPolling();
    wakeAll();
    await sql.quiet();
    if (owned && !pool.ended) await pool.end();
  };

  return {
    pool,
    location,
    positionsGapFreeFrom: 1n,
    async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
      assertOpen();
      if (options.readonly) throw new ReadOnlyStoreError(location, 'append');
      validateAppend(stream, events);
      validateExpectedRevision(expected);
      return writer.append(stream, events, expected);
    },
    ...readers,
    // The unique index on id that refuses a repeated id answers this too: one lookup, no scan.
    async locate(eventId) {
      assertOpen();
      const found = await sql.byId(eventId);
      return found && { stream: found.stream, revision: found.revision, position: found.position };
    },
    close() {
      closing ??= shut();
      return closing;
    },
  };
}
