import { CustodianError, events, type RecordedEvent, type Subscription } from '@custodian/core';
import type { SqliteEventStore } from '../sqlite-event-store';
import { consentTable } from './consent-table';
import { historyTable } from './history-table';
import { inventoryTable } from './inventory-table';
import { recipientsTable } from './recipients-table';
import { requestsTable } from './requests-table';
import { CHECKPOINT_NAME, clearProjections, ensureProjectionSchema } from './schema';
import type { TableWriter } from './table';

export interface SqlProjectionsOptions {
  /** How many events are applied per transaction (and so per fsync). Default 500. */
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
  /** Catches up, then follows the store's appends until closed. `done` rejects if applying an event fails. */
  start(): Subscription;
  /** Empties the tables, sets the checkpoint to the start and replays every event. */
  rebuild(): Promise<CatchUpResult>;
  /** The global position the tables reflect, as committed in the file. */
  checkpoint(): bigint;
  /** Stops following the store and waits for any batch in progress; the store stays open. */
  close(): Promise<void>;
}

/** The runner was closed; it applies nothing more. */
export class ProjectionsClosedError extends CustodianError {
  readonly code = 'PROJECTIONS_CLOSED';
  constructor() {
    super('the SQL projections were closed');
  }
}

/**
 * Keeps the analytics tables in the store's own file. The tables always reflect exactly
 * the events up to the checkpoint: every batch updates them and the checkpoint in one
 * IMMEDIATE transaction, so a crash leaves either the whole batch or none of it, and
 * events already reflected are skipped, even when another runner shares the file.
 */
export function createSqlProjections(store: SqliteEventStore, options: SqlProjectionsOptions = {}): SqlProjections {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  const db = store.database;
  ensureProjectionSchema(db);
  const tables: TableWriter[] = [consentTable(db), historyTable(db), inventoryTable(db), recipientsTable(db), requestsTable(db)];
  const selectCheckpoint = db.prepare<[string], { position: bigint }>('SELECT position FROM projection_checkpoints WHERE name = ?').safeIntegers(true);
  const updateCheckpoint = db.prepare<[bigint, string]>('UPDATE projection_checkpoints SET position = ? WHERE name = ?');

  const checkpoint = (): bigint => selectCheckpoint.get(CHECKPOINT_NAME)?.position ?? 0n;

  /**
   * `batch` is every event after `readFrom`, read when the checkpoint stood there. If it has
   * moved on since (another runner), the events up to it are already in the tables and are
   * skipped; if it went back (a rebuild), the batch no longer starts where the tables end.
   */
  const applyBatch = db.transaction((readFrom: bigint, batch: readonly RecordedEvent[]): CatchUpResult | 'rewound' => {
    const current = checkpoint();
    if (current < readFrom) return 'rewound';
    let applied = 0;
    let position = current;
    for (const record of batch) {
      if (record.position <= current) continue;
      const event = events.decode(record.data);
      for (const table of tables) table.apply(event, record);
      applied++;
      position = record.position;
    }
    if (position !== current) updateCheckpoint.run(position, CHECKPOINT_NAME);
    return { applied, position };
  });

  async function readBatch(after: bigint): Promise<RecordedEvent[]> {
    const batch: RecordedEvent[] = [];
    for await (const record of store.readAll({ fromPosition: after + 1n, maxCount: batchSize })) batch.push(record);
    return batch;
  }

  async function runCatchUp(): Promise<CatchUpResult> {
    let applied = 0;
    for (;;) {
      const readFrom = checkpoint();
      const batch = await readBatch(readFrom);
      if (batch.length === 0) return { applied, position: readFrom };
      const result = applyBatch.immediate(readFrom, batch);
      if (result === 'rewound') continue;
      applied += result.applied;
      // A short batch reached the end of the log as it stood when read.
      if (batch.length < batchSize) return { applied, position: result.position };
    }
  }

  // One catch-up or rebuild at a time in this process: a rebuild must not interleave
  // with a catch-up reading from the old checkpoint.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  function serially<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(() => {
      if (closed) throw new ProjectionsClosedError();
      return work();
    });
    queue = run.catch(() => undefined);
    return run;
  }

  const catchUp = () => serially(runCatchUp);
  const live = new Set<Subscription>();

  function start(): Subscription {
    if (closed) throw new ProjectionsClosedError();
    let subscription: Subscription | undefined;
    let stopped = false;
    const done = (async () => {
      // Catching up in batches first spares a long backlog one transaction per event.
      const { position } = await catchUp();
      if (stopped) return;
      // Each delivery only says the log grew: catching up from the checkpoint, rather than
      // applying the event delivered, stays right when a rebuild or another runner has
      // moved the checkpoint meanwhile, and takes a burst of appends as one batch.
      subscription = store.subscribeToAll({ fromPosition: position }, async (record) => {
        if (record.position > checkpoint()) await catchUp();
      });
      await subscription.done;
    })();
    const handle: Subscription = {
      done,
      async close() {
        stopped = true;
        await subscription?.close();
        await done.catch(() => undefined);
        live.delete(handle);
      },
    };
    live.add(handle);
    return handle;
  }

  return {
    catchUp,
    start,
    rebuild: () =>
      serially(async () => {
        clearProjections(db);
        return runCatchUp();
      }),
    checkpoint,
    async close() {
      if (closed) return;
      await Promise.all([...live].map((subscription) => subscription.close()));
      closed = true;
      await queue;
    },
  };
}
