import { createProjectionRunner, type CatchUpResult, type EventStore, type Projection, type Subscription } from '@custodian/core';
import { Pool } from 'pg';
import { createPostgresTablesCheckpointStore } from './checkpoints';
import { consentTable } from './consent-table';
import { historyTable } from './history-table';
import { inventoryTable } from './inventory-table';
import { recipientsTable } from './recipients-table';
import { requestsTable } from './requests-table';
import { InvalidConnectionStringError } from './errors';
import { CHECKPOINT_NAME, migrateProjections } from './schema';

/** Where the tables live: a connection string (the projections open a pool and end it on close) or a pool of the caller's. */
export type PostgresConnection = { connectionString: string; pool?: never } | { pool: Pool; connectionString?: never };

export type PostgresProjectionsOptions = PostgresConnection & {
  /** The events to apply: any EventStore (this package's, SQLite's, EventStoreDB's). */
  store: EventStore;
  /**
   * How many events are applied per transaction. Default 5,000: a batch costs a fixed
   * few round trips (one read and one write per table), so a large batch spreads them
   * and the commit over more events; the batch's events and states are held in memory.
   */
  batchSize?: number;
};

export interface PostgresProjections {
  /**
   * Applies every event after the checkpoint, batch by batch, each batch in one transaction
   * with the checkpoint: `{ applied, position }`, the position undefined while no event was.
   */
  catchUp(): Promise<CatchUpResult>;
  /** Follows the store's appends from the checkpoint until closed. `done` rejects if applying an event fails. */
  start(): Subscription;
  /** Empties the tables, sets the checkpoint to the start and replays every event. */
  rebuild(): Promise<CatchUpResult>;
  /** The global position of the last event the tables reflect, as committed in the database (undefined: none yet). */
  checkpoint(): Promise<bigint | undefined>;
  /** Stops following the store and waits for any batch in progress; ends the pool if the projections opened it. The store stays open. */
  close(): Promise<void>;
}

const DEFAULT_BATCH_SIZE = 5_000;

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/** pg would read "not a url" as a host named "base", and echo a malformed one in its error: both are refused here first. */
function checkedUrl(connectionString: unknown): string {
  if (typeof connectionString !== 'string' || connectionString.length === 0) throw new InvalidConnectionStringError('is missing');
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new InvalidConnectionStringError('is not a URL');
  }
  if (!PROTOCOLS.has(url.protocol)) throw new InvalidConnectionStringError('is not a postgres:// or postgresql:// URL');
  return connectionString;
}

/** The tables are the state: the checkpoint store writes them, so the fold itself carries nothing. */
const analytics: Projection<undefined> = { name: CHECKPOINT_NAME, initial: () => undefined, evolve: () => undefined };

/**
 * Keeps the analytics tables of docs/analytics.md in PostgreSQL: core's runner, with the
 * tables' checkpoint store, which applies each batch to the tables and moves the checkpoint
 * in one transaction. A crash (of the process, the connection or the server) leaves either
 * the whole batch or none of it, and a batch read while another runner on the database
 * moved the checkpoint is read again: many instances can run it against one database.
 * The tables are made or brought to this version's layout first (`migrateProjections`).
 */
export async function createPostgresProjections(options: PostgresProjectionsOptions): Promise<PostgresProjections> {
  const owned = options.pool === undefined;
  const pool = options.pool ?? new Pool({ connectionString: checkedUrl(options.connectionString) });
  // An idle connection the server drops (a restart, pg_terminate_backend) is reported on the
  // pool, and pg would throw it at the process: the pool forgets it, and the next batch
  // meets the trouble, if it lasts, on a connection of its own.
  if (owned) pool.on('error', () => undefined);
  try {
    await migrateProjections(pool);
  } catch (error) {
    if (owned) await pool.end();
    throw error;
  }
  const writers = [consentTable(), historyTable(), inventoryTable(), recipientsTable(), requestsTable()];
  const checkpoints = createPostgresTablesCheckpointStore(pool, CHECKPOINT_NAME, writers);
  const runner = createProjectionRunner({ store: options.store, projection: analytics, checkpoints, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE });
  let ended: Promise<void> | undefined;
  return {
    catchUp: () => runner.catchUp(),
    start: () => runner.start(),
    rebuild: () => runner.rebuild(),
    checkpoint: checkpoints.position,
    close() {
      ended ??= runner.close().then(() => (owned ? pool.end() : undefined));
      return ended;
    },
  };
}
