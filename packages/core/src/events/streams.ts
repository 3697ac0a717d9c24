import { CustodianError } from '../errors';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../store';
import { events } from './codec';
import type { CustodianEvent } from './catalog';
import { EventIdSet } from './event-id-set';

/**
 * A stream holds a record that does not belong there or does not hold: a decision or a
 * reading would rest on it, so it is refused until an auditor looks. `reason` is one of
 * `audit.verify()`'s: `hash_mismatch`, `stream_mismatch` (the record names another stream),
 * `duplicate_id`, `prev_hash_mismatch`…
 */
export class TamperedStreamError extends CustodianError {
  readonly code = 'STREAM_TAMPERED';
  constructor(
    readonly stream: string,
    readonly revision: bigint,
    readonly reason: string,
  ) {
    super(`stream ${stream} is broken at revision ${revision} (${reason}); run audit.verify()`);
  }
}

/** One stream per subject, one per recipient. */
export const subjectStream = (subjectId: string): string => `subject-${subjectId}`;
export const recipientStream = (recipientId: string): string => `recipient-${recipientId}`;
/** One stream per name an application records its own events under (`ledger.recordEvent`). */
export const applicationStream = (name: string): string => `app-${name}`;
/** Where every policy the ledger decided under is recorded. */
export const POLICY_STREAM = 'custodian-policy';

/**
 * Every event of one stream, decoded, with its global position; none when the stream does
 * not exist. A record that names another stream, or repeats an id, is refused with
 * `TamperedStreamError`: nothing is read from a stream a record was copied or moved into.
 */
export async function readDecoded(store: EventStore, stream: string): Promise<{ event: CustodianEvent; record: RecordedEvent }[]> {
  const out: { event: CustodianEvent; record: RecordedEvent }[] = [];
  const ids = new EventIdSet();
  try {
    for await (const record of store.readStream(stream)) {
      const event = events.decode(record.data);
      if (event.stream !== stream) throw new TamperedStreamError(stream, record.revision, 'stream_mismatch');
      if (ids.add(event.id, 0) !== undefined) throw new TamperedStreamError(stream, record.revision, 'duplicate_id');
      out.push({ event, record });
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return out;
}
