import { verifyChain, type VerifyResult } from '../audit';
import { events, readDecoded, recipientStream, subjectStream, type CustodianEvent } from '../events';
import { recipientsProjection, recordedBy, applyToProjection, type AsOf, type RecipientEntry } from '../projections';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../store';

/** What one subject's question reads: their stream, checked link by link, and the recipients it names. */
export interface SubjectStreams {
  readonly subjectId: string;
  readonly stream: string;
  /** The subject's records (those recorded by `at`, if given). */
  readonly records: readonly RecordedEvent[];
  /** Their chain, checked on its own: no other stream is read for it. */
  readonly chain: VerifyResult;
  /** The subject's events before the first broken link, decoded: past it nothing can be trusted. */
  readonly events: readonly CustodianEvent[];
  /** Each recipient the trusted events name: its own stream folded with this subject's shares and notices. */
  readonly recipients: ReadonlyMap<string, RecipientEntry>;
}

/**
 * Reads one subject's stream and the streams of the recipients it names, and nothing else:
 * the cost of the answer is this subject's events, however large the log. Undefined when
 * the ledger holds nothing about the subject (by `at`, when given).
 */
export async function readSubjectStreams(store: EventStore, subjectId: string, options: { at?: AsOf | undefined } = {}): Promise<SubjectStreams | undefined> {
  const stream = subjectStream(subjectId);
  const included = recordedBy(options.at);
  const records: RecordedEvent[] = [];
  const decoded: CustodianEvent[] = [];
  try {
    for await (const record of store.readStream(stream)) {
      const event = events.decode(record.data);
      // A prefix, as the ledger's read side answers: the state that existed then.
      if (!included(record, event)) break;
      records.push(record);
      decoded.push(event);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return undefined;
    throw error;
  }
  if (records.length === 0) return undefined;
  const chain = await verifyChain(iterate(records));
  const broken = chain.broken[0];
  const trusted = broken === undefined ? decoded : decoded.slice(0, Number(broken.revision));
  const positions = records.map((record) => record.position);
  return { subjectId, stream, records, chain, events: trusted, recipients: await recipientsOf(store, trusted, positions, included) };
}

async function* iterate(records: readonly RecordedEvent[]): AsyncGenerator<RecordedEvent> {
  yield* records;
}

/** Every recipient the subject's events name. */
export function recipientIds(history: readonly CustodianEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const event of history) {
    if (event.type === 'DataErased') event.data.recipientsNotified.forEach((id) => ids.add(id));
    else if ('recipientId' in event.data && typeof event.data.recipientId === 'string') ids.add(event.data.recipientId);
  }
  return ids;
}

/** The registry entry of each recipient named, as its own stream and this subject's events make it, in global order. */
async function recipientsOf(
  store: EventStore,
  history: readonly CustodianEvent[],
  positions: readonly bigint[],
  included: ReturnType<typeof recordedBy>,
): Promise<Map<string, RecipientEntry>> {
  const states = new Map<string, RecipientEntry>();
  for (const id of recipientIds(history)) {
    const own: { position: bigint; event: CustodianEvent }[] = [];
    for (const { event, record } of await readDecoded(store, recipientStream(id))) {
      if (!included(record, event)) break;
      own.push({ position: record.position, event });
    }
    const mine = history.map((event, i) => ({ position: positions[i] ?? 0n, event }));
    const merged = [...own, ...mine].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    const folded = new Map<string, RecipientEntry>();
    for (const { event } of merged) applyToProjection(recipientsProjection, folded, event);
    const entry = folded.get(id);
    if (entry) states.set(id, entry);
  }
  return states;
}
