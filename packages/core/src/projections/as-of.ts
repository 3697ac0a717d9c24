import type { CustodianEvent } from '../events';
import type { RecordedEvent } from '../store';

/** A moment to read the ledger at: a time (what had been recorded by then) or a global position (inclusive). */
export type AsOf = Date | bigint;

/** What a reader does with the next event in log order: fold it in, leave it out and read on, or stop reading. */
export type AsOfVerdict = 'fold' | 'skip' | 'stop';

/**
 * Which events belong to the ledger as it stood at `asOf`, asked of each event in log
 * order (a stream's, or the whole log's); keeps state, so make one per read.
 *
 * - A position: every event up to it, inclusive; the reader stops after it.
 * - A time: the events the ledger had recorded by then, always a prefix of its live events:
 *   once one was recorded later, no live event after it is folded, so the answer is a state
 *   that existed even when writers' clocks disagreed about `recordedAt`. A backfilled event
 *   (`backfill` set) counts from its original time, `occurredAt`: the company had it on file
 *   since then, in the system it was imported from. It may sit anywhere in the log (an import
 *   runs after the policy and the live events it adopts), so a time is read to the end.
 */
export function asOfFilter(asOf: AsOf | undefined): (record: RecordedEvent, event: CustodianEvent) => AsOfVerdict {
  if (asOf === undefined) return () => 'fold';
  if (typeof asOf === 'bigint') return (record) => (record.position <= asOf ? 'fold' : 'stop');
  const limit = asOf.getTime();
  let liveEnded = false;
  return (_record, event) => {
    if (event.backfill !== undefined) return Date.parse(event.occurredAt) <= limit ? 'fold' : 'skip';
    liveEnded ||= Date.parse(event.recordedAt) > limit;
    return liveEnded ? 'skip' : 'fold';
  };
}
