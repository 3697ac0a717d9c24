import type { CustodianEvent, RecordedEvent } from '@custodian/core';
import type { PoolClient } from 'pg';

/** One event of a batch, decoded once for every table. */
export interface BatchEvent {
  readonly event: CustodianEvent;
  readonly record: RecordedEvent;
}

/**
 * One analytics table (or a few kept together). `write` reads the rows the batch's events
 * touch in one statement per table, evolves them in memory by every event of the batch in
 * order, and writes them back in one statement per table, all on `client` inside the
 * batch's transaction: a batch costs a few round trips, not a few per event.
 */
export interface TableWriter {
  write(client: PoolClient, batch: readonly BatchEvent[]): Promise<void>;
}
