import type { CustodianEvent } from '../events';
import type { RecordedEvent } from '../store';

/** A moment to read the ledger at: a time (what had been recorded by then) or a global position (inclusive). */
export type AsOf = Date | bigint;

/**
 * Whether an event belongs to the ledger as it stood at `asOf`. Readers stop at the
 * first event that does not, so the answer is always a prefix of the log: a state that
 * existed, even when writers' clocks disagreed about `recordedAt`.
 */
export function recordedBy(asOf: AsOf | undefined): (record: RecordedEvent, event: CustodianEvent) => boolean {
  if (asOf === undefined) return () => true;
  if (typeof asOf === 'bigint') return (record) => record.position <= asOf;
  const limit = asOf.getTime();
  return (_record, event) => Date.parse(event.recordedAt) <= limit;
}
