import { parallelismFor, verifyChain, type VerifyResult } from '../audit';
import { events, readDecoded, recipientStream, subjectStream, type CustodianEvent } from '../events';
import { asOfFilter, recipientsProjection, applyToProjection, type AsOf, type RecipientEntry } from '../projections';
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
  const verdictOn = asOfFilter(options.at);
  const read: { record: RecordedEvent; event: CustodianEvent; folded: boolean }[] = [];
  try {
    for await (const record of store.readStream(stream)) {
      const event = events.decode(record.data);
      // As the ledger's read side answers: the live events are a prefix, a backfilled one counts from its original time.
      const verdict = verdictOn(record, event);
      if (verdict === 'stop') break;
      read.push({ record, event, folded: verdict === 'fold' });
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return undefined;
    throw error;
  }
  const included = read.filter((entry) => entry.folded);
  if (included.length === 0) return undefined;
  // The chain is checked over every record read, left out or not: a link skips none of them.
  const chain = await verifyChain(iterate(read.map((entry) => entry.record)), {}, parallelismFor(read.length));
  const broken = chain.broken[0];
  const trustedUpTo = broken === undefined ? read.length : Number(broken.revision);
  const trusted = read.filter((entry, i) => entry.folded && i < trustedUpTo);
  const records = included.map((entry) => entry.record);
  const history = trusted.map((entry) => entry.event);
  const positions = trusted.map((entry) => entry.record.position);
  return { subjectId, stream, records, chain, events: history, recipients: await recipientsOf(store, history, positions, options.at) };
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
async function recipientsOf(store: EventStore, history: readonly CustodianEvent[], positions: readonly bigint[], at: AsOf | undefined): Promise<Map<string, RecipientEntry>> {
  const states = new Map<string, RecipientEntry>();
  for (const id of recipientIds(history)) {
    const own: { position: bigint; event: CustodianEvent }[] = [];
    const verdictOn = asOfFilter(at);
    for (const { event, record } of await readDecoded(store, recipientStream(id))) {
      const verdict = verdictOn(record, event);
      if (verdict === 'stop') break;
      if (verdict === 'fold') own.push({ position: record.position, event });
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
