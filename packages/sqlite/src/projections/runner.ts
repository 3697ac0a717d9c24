import { createProjectionRunner, type Projection, type Subscription } from '@custodian/core';
import type { SqliteEventStore } from '../sqlite-event-store';
import { createSqlTablesCheckpointStore } from './checkpoints';
import { consentTable } from './consent-table';
import { historyTable } from './history-table';
import { inventoryTable } from './inventory-table';
import { recipientsTable } from './recipients-table';
import { requestsTable } from './requests-table';
import { CHECKPOINT_NAME, createQueryIndexes, dropQueryIndexes, ensureProjectionSchema } from './schema';

export interface SqlProjectionsOptions {
  /**
   * How many events are applied per transaction (and so per fsync). Default 5,000: each
   * subject's rows are read and written once per batch, so a large batch saves both the
   * fsyncs and the rows' round trips; the batch's events and states are held in memory.
   */
  batchSize?: number;
}

export interface CatchUpResult {
  /** Events this call applied; 0 when the tables were already current. */
  applied: number;
  /** The checkpoint afterwards: the global position of the last event the tables reflect (0n: none). */
  position: bigint;
}

export interface SqlProjections {
  /** Applies every event after the checkpoint, batch by batch, each batch in one transaction with the checkpoint. */
  catchUp(): Promise<CatchUpResult>;
  /** Follows the store's appends from the checkpoint until closed. `done` rejects if applying an event fails. */
  start(): Subscription;
  /** Empties the tables, sets the checkpoint to the start and replays every event. */
  rebuild(): Promise<CatchUpResult>;
  /** The global position the tables reflect, as committed in the file. */
  checkpoint(): bigint;
  /** Stops following the store and waits for any batch in progress; the store stays open. */
  close(): Promise<void>;
}

const DEFAULT_BATCH_SIZE = 5_000;

/** The tables are the state: the checkpoint store writes them, so the fold itself carries nothing. */
const analytics: Projection<undefined> = { name: CHECKPOINT_NAME, initial: () => undefined, evolve: () => undefined };

/**
 * Keeps the analytics tables in the store's own file: core's runner, with the tables'
 * checkpoint store, which applies each batch to the tables and moves the checkpoint in
 * one IMMEDIATE transaction. A crash leaves either the whole batch or none of it, and a
 * batch read while another runner on the file moved the checkpoint is read again.
 */
export function createSqlProjections(store: SqliteEventStore, options: SqlProjectionsOptions = {}): SqlProjections {
  const db = store.database;
  ensureProjectionSchema(db);
  const writers = [consentTable(db), historyTable(db), inventoryTable(db), recipientsTable(db), requestsTable(db)];
  const checkpoints = createSqlTablesCheckpointStore(db, CHECKPOINT_NAME, writers);
  // A rebuild fills the tables without the analysts' indexes and builds them at its end (or
  // the next time the tables are opened, if it died first): cheaper than row by row.
  let rebuilding = false;
  const reset = async (): Promise<void> => {
    dropQueryIndexes(db);
    rebuilding = true;
    await checkpoints.reset();
  };
  const runner = createProjectionRunner({
    store,
    projection: analytics,
    checkpoints: { ...checkpoints, reset },
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
  });
  const result = ({ applied, position }: { applied: number; position: bigint | undefined }): CatchUpResult => ({ applied, position: position ?? 0n });
  return {
    catchUp: async () => result(await runner.catchUp()),
    start: () => runner.start(),
    async rebuild() {
      try {
        return result(await runner.rebuild());
      } finally {
        if (rebuilding) createQueryIndexes(db);
        rebuilding = false;
      }
    },
    checkpoint: checkpoints.position,
    close: () => runner.close(),
  };
}
