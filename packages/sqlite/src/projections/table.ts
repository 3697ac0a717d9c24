import type { CustodianEvent, RecordedEvent } from '@custodian/core';

/**
 * One analytics table (or a few kept together), brought up to date one event at a time.
 * Every method runs inside the checkpoint store's transaction, so each is synchronous and
 * never commits. A writer may read, at `preload`, the rows of every key the batch's events
 * touch (one query for the batch instead of one per key), keep what the batch changed in
 * memory and write it at `flush`, at the batch's end; `discard` drops it when the batch's
 * transaction is rolled back.
 */
export interface TableWriter {
  preload?(events: readonly CustodianEvent[]): void;
  apply(event: CustodianEvent, record: RecordedEvent): void;
  flush?(): void;
  discard?(): void;
}
