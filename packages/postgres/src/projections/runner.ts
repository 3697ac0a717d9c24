import { createProjectionRunner, type CatchUpResult, type EventStore, type Projection, type Subscription } from '@custodian/core';
import { Pool } from 'pg';
import { z } from 'zod';
import { ConnectionString, GivenPool, parseEither } from '../options';
import { createPostgresTablesCheckpointStore } from './checkpoints';
import { consentTable } from './consent-table';
import { historyTable } from './history-table';
import { inventoryTable } from './inventory-table';
import { recipientsTable } from './recipients-table';
import { requestsTable } from './requests-table';
import { CHECKPOINT_NAME, migrateProjections } from './schema';

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

const isEventStore = (value: unknown): value is EventStore =>
  typeof value === 'object' && value !== null && typeof (value as EventStore).append === 'function' && typeof (value as EventStore).readAll === 'function';

const Common = {
  /** The events to apply: any EventStore (this package's, SQLite's, EventStoreDB's). */
  store: z.custom<EventStore>(isEventStore, 'must be an EventStore'),
  /**
   * How many events are applied per transaction. Default 5,000: a batch costs a fixed
   * few round trips (one read and one write per table), so a large batch spreads them
   * and the commit over more events; the batch's events and states are held in memory.
   */
  batchSize: z.number().int().min(1).max(1_000_000).default(DEFAULT_BATCH_SIZE),
};
// The event store's forms and checks: pg would read "not a url" as a host named "base", and echo a malformed one in its error.
const ByUrl = z.strictObject({
  /** Where the tables live: the projections open a pool and end it on close. */
  connectionString: ConnectionString,
  ...Common,
});
const ByPool = z.strictObject({
  /** A pool the caller owns: used, and left open on close. */
  pool: GivenPool,
  ...Common,
});

/** Where the tables live (a connection string, or a pool of the caller's) and the events to apply. */
export type PostgresProjectionsOptions = z.input<typeof ByUrl> | z.input<typeof ByPool>;

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
export async function createPostgresProjections(input: PostgresProjectionsOptions): Promise<PostgresProjections> {
  const options = parseEither(ByUrl, ByPool, input, 'PostgresProjectionsOptions');
  const owned = !('pool' in options);
  const pool = 'pool' in options ? options.pool : new Pool({ connectionString: options.connectionString });
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
  const runner = createProjectionRunner({ store: options.store, projection: analytics, checkpoints, batchSize: options.batchSize });
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
