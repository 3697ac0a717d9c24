import {
  consentProjection,
  consentStateAt,
  events,
  foldProjection,
  inventoryProjection,
  readDecoded,
  readRecordedPolicy,
  recipientsProjection,
  recipientStream,
  StreamNotFoundError,
  subjectStream,
  verifyChain,
  type CustodianEvent,
  type EventStore,
  type RecipientEntry,
  type RecordedEvent,
} from '@custodian/core';
import { oneStream } from '../tracked-store';
import { buildTimeline, type TimelineItem } from './timeline';
import { brokenWords } from './words';

/** One subject's data lifecycle, ready to print or render: categories and names, never values. */
export interface SubjectReport {
  readonly subjectId: string;
  readonly generatedAt: string;
  readonly ledger: string;
  readonly chain: {
    readonly ok: boolean;
    /** Events of this subject's stream whose links were checked. */
    readonly checked: number;
    readonly broken?: { readonly revision: bigint; readonly position: bigint; readonly eventId: string; readonly reason: string; readonly explanation: string } | undefined;
  };
  readonly overview: {
    readonly categories: readonly {
      readonly category: string;
      readonly source: string;
      readonly purposes: readonly string[];
      readonly collectedAt: string;
      readonly retainUntil: string;
    }[];
    readonly consents: readonly { readonly purpose: string; readonly status: string; readonly since: string }[];
    readonly recipients: readonly {
      readonly id: string;
      readonly name?: string | undefined;
      readonly country?: string | undefined;
      readonly agreement?: string | undefined;
      readonly categories: readonly string[];
      readonly purposes: readonly string[];
      readonly firstSharedAt: string;
      readonly revokedAt?: string | undefined;
      readonly erasure: string;
    }[];
    readonly erasureRequestedAt?: string | undefined;
    readonly erased: boolean;
    readonly erasedAt?: string | undefined;
  };
  readonly items: readonly TimelineItem[];
}

/** The subject's report, or undefined when the ledger holds nothing about them. */
export async function buildSubjectReport(store: EventStore, subjectId: string, options: { ledger: string; now: Date }): Promise<SubjectReport | undefined> {
  const stream = subjectStream(subjectId);
  const records: RecordedEvent[] = [];
  try {
    for await (const record of store.readStream(stream)) records.push(record);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return undefined;
    throw error;
  }
  const verified = await verifyChain(oneStream(store, stream));
  const broken = verified.broken[0];
  // Past a broken link nothing can be trusted, so the report stops before it.
  const trusted = broken ? records.filter((record) => record.revision < broken.revision) : records;
  const history = trusted.map((record) => events.decode(record.data));

  const recipients = await registry(store, history);
  const policy = await readRecordedPolicy(store);
  const fold = <S>(projection: Parameters<typeof foldProjection<S>>[0]) => foldProjection(projection, history).get(subjectId) ?? projection.initial(subjectId);
  const inventory = fold(inventoryProjection);
  const consents = consentStateAt(fold(consentProjection), options.now);

  return {
    subjectId,
    generatedAt: options.now.toISOString(),
    ledger: options.ledger,
    chain: {
      ok: verified.ok,
      checked: verified.checked,
      broken: broken && { revision: broken.revision, position: broken.position, eventId: broken.eventId, reason: broken.reason, explanation: brokenWords(broken.reason) },
    },
    overview: {
      categories: inventory.categories.map(({ category, source, purposes, collectedAt, retainUntil }) => ({ category, source, purposes, collectedAt, retainUntil })),
      consents: Object.entries(consents).map(([purpose, record]) => ({ purpose, status: record.status, since: record.since })),
      recipients: inventory.recipients.map(({ recipientId, categories, purposes, firstSharedAt, revokedAt, erasure }) => {
        const entry = recipients.get(recipientId);
        return { id: recipientId, name: entry?.name, country: entry?.country, agreement: entry?.agreement, categories, purposes, firstSharedAt, revokedAt, erasure };
      }),
      erasureRequestedAt: inventory.erasureRequestedAt,
      erased: inventory.erased,
      erasedAt: inventory.erasedAt,
    },
    items: buildTimeline(history, { subjectId, policy, recipients }),
  };
}

/** The registry entries of every recipient the subject's history names. */
async function registry(store: EventStore, history: readonly CustodianEvent[]): Promise<Map<string, RecipientEntry>> {
  const ids = new Set<string>();
  for (const event of history) {
    if (event.type === 'DataErased') event.data.recipientsNotified.forEach((id) => ids.add(id));
    else if ('recipientId' in event.data && typeof event.data.recipientId === 'string') ids.add(event.data.recipientId);
  }
  const out = new Map<string, RecipientEntry>();
  for (const id of ids) {
    const entry = foldProjection(
      recipientsProjection,
      (await readDecoded(store, recipientStream(id))).map(({ event }) => event),
    ).get(id);
    if (entry) out.set(id, entry);
  }
  return out;
}
