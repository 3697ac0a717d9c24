import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../store';
import { events } from './codec';
import type { CustodianEvent } from './catalog';

/** One stream per subject, one per recipient. */
export const subjectStream = (subjectId: string): string => `subject-${subjectId}`;
export const recipientStream = (recipientId: string): string => `recipient-${recipientId}`;
/** Where every policy the ledger decided under is recorded. */
export const POLICY_STREAM = 'custodian-policy';

/** Every event of one stream, decoded, with its global position; none when the stream does not exist. */
export async function readDecoded(store: EventStore, stream: string): Promise<{ event: CustodianEvent; record: RecordedEvent }[]> {
  const out: { event: CustodianEvent; record: RecordedEvent }[] = [];
  try {
    for await (const record of store.readStream(stream)) out.push({ event: events.decode(record.data), record });
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return out;
}
