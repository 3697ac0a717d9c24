import type { CustodianEvent, RecordedEvent } from '@custodian/core';

/**
 * One analytics table (or a few kept together), brought up to date one event at a time.
 * `apply` runs inside the runner's transaction, so it is synchronous and never commits.
 */
export interface TableWriter {
  apply(event: CustodianEvent, record: RecordedEvent): void;
}
