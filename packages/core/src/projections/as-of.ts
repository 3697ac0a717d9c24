import type { CustodianEvent } from '../events';
import type { RecordedEvent } from '../store';

/** A moment to read the ledger at: a time (what had been recorded by then) or a global position (inclusive). */
export type AsOf = Date | bigint;

export function recordedBy(asOf: AsOf | undefined): (record: RecordedEvent, event: CustodianEvent) => boolean {
  if (asOf === undefined) return () => true;
  if (typeof asOf === 'bigint') return (record) => record.position <= asOf;
  const limit = asOf.getTime();
  return (_record, event) => Date.parse(event.recordedAt) <= limit;
}
