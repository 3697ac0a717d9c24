import { openValue, type KeyStore } from '../crypto';
import { readDecoded, recipientStream, subjectStream, type CustodianEvent } from '../events';
import type { Policy } from '../policy';
import { consentProjection, consentStateAt, foldProjection, historyProjection, inventoryProjection, recipientsProjection } from '../projections';
import type { ConsentState, HistoryEntry } from '../projections';
import type { EventStore } from '../store';

/**
 * What a subject may see about themself (GDPR Art. 15) in a machine-readable form they
 * can take elsewhere (Art. 20). The shape is documented in docs/privacy-model.md.
 */
export interface SubjectExport {
  readonly format: 'custodian.subject-export/1';
  readonly subjectId: string;
  readonly generatedAt: string;
  readonly erased: boolean;
  readonly erasedAt?: string | undefined;
  readonly data: readonly {
    readonly category: string;
    /** The value, or null once erased. */
    readonly value: string | null;
    readonly source: string;
    readonly collectedAt: string;
    readonly rectifiedAt?: string | undefined;
    readonly purposes: readonly string[];
    readonly retainUntil: string;
  }[];
  readonly purposes: readonly {
    readonly purpose: string;
    readonly legalBasis: string;
    readonly description?: string | undefined;
    readonly retention: string;
    readonly categories: readonly string[];
    readonly sharing: boolean;
  }[];
  readonly consents: ConsentState;
  readonly recipients: readonly {
    readonly recipientId: string;
    readonly name?: string | undefined;
    readonly country?: string | undefined;
    readonly agreement?: string | undefined;
    readonly categories: readonly string[];
    readonly purposes: readonly string[];
    readonly firstSharedAt: string;
    readonly revokedAt?: string | undefined;
    readonly erasure: string;
  }[];
  readonly history: readonly HistoryEntry[];
  readonly requests: readonly { readonly type: string; readonly at: string; readonly eventId: string }[];
}

const REQUEST_TYPES = new Set([
  'AccessRequestReceived',
  'AccessRequestFulfilled',
  'ErasureRequested',
  'DataErased',
  'ObjectionRaised',
  'ProcessingRestricted',
  'RestrictionLifted',
]);

export async function exportSubject(deps: { store: EventStore; keys: KeyStore; policy: Policy; clock: () => Date }, subjectId: string): Promise<SubjectExport> {
  const { store, keys, policy, clock } = deps;
  const stream = (await readDecoded(store, subjectStream(subjectId))).map(({ event }) => event);
  const fold = <S>(projection: Parameters<typeof foldProjection<S>>[0]) => foldProjection(projection, stream).get(subjectId) ?? projection.initial(subjectId);
  const inventory = fold(inventoryProjection);
  const now = clock();
  const key = inventory.erased ? undefined : await keys.get(subjectId);
  const sealedNow = latestSealed(stream);

  const recipients = [];
  for (const copy of inventory.recipients) {
    const registry = foldProjection(
      recipientsProjection,
      (await readDecoded(store, recipientStream(copy.recipientId))).map(({ event }) => event),
    ).get(copy.recipientId);
    recipients.push({ ...copy, name: registry?.name, country: registry?.country, agreement: registry?.agreement });
  }
  const purposesNamed = new Set(inventory.categories.flatMap((held) => held.purposes));
  return {
    format: 'custodian.subject-export/1',
    subjectId,
    generatedAt: now.toISOString(),
    erased: inventory.erased,
    erasedAt: inventory.erasedAt,
    data: inventory.categories.map((held) => {
      const sealed = sealedNow.get(held.category);
      return {
        category: held.category,
        value: key && sealed ? openValue(key, sealed, `${subjectId}/${held.category}`) : null,
        source: held.source,
        collectedAt: held.collectedAt,
        rectifiedAt: held.rectifiedAt,
        purposes: held.purposes,
        retainUntil: held.retainUntil,
      };
    }),
    purposes: [...policy.purposes]
      .filter(([purpose]) => purposesNamed.has(purpose))
      .map(([purpose, rule]) => ({
        purpose,
        legalBasis: rule.legalBasis,
        description: rule.description,
        retention: rule.retention,
        categories: rule.categories,
        sharing: rule.sharing,
      })),
    consents: consentStateAt(fold(consentProjection), now),
    recipients,
    history: fold(historyProjection),
    requests: stream.filter((event) => REQUEST_TYPES.has(event.type)).map((event) => ({ type: event.type, at: event.occurredAt, eventId: event.id })),
  };
}

function latestSealed(stream: readonly CustodianEvent[]): Map<string, string> {
  const sealed = new Map<string, string>();
  for (const event of stream)
    if (event.type === 'DataCollected' || event.type === 'DataRectified') for (const [category, value] of Object.entries(event.data.values)) sealed.set(category, value);
  return sealed;
}
