import type { KeyStore } from '../crypto';
import { TamperedStreamError, type CustodianEvent } from '../events';
import type { Policy } from '../policy';
import type { ConsentState, ErasedCategory, HistoryEntry, RecipientNotice } from '../projections';
import type { RequestDeadline } from '../requests';
import { openHeldValues, type HeldValue } from '../subject-keys';
import type { EventStore } from '../store';
import { readSubjectStreams } from './read';
import { viewOf, type SubjectPurpose, type SubjectRecipient, type SubjectRequest, type SubjectView } from './view';

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
    /** When the last of its purposes' retention runs out: it is erased then. */
    readonly retainUntil: string;
    /** Each purpose it was collected for, with when that purpose's own retention runs out. */
    readonly retention: Readonly<Record<string, string>>;
  }[];
  /** Categories erased on their own, the rest of the data kept: when, why, and who was told. */
  readonly erasedCategories: readonly ErasedCategory[];
  readonly purposes: readonly SubjectPurpose[];
  readonly consents: ConsentState;
  readonly recipients: readonly (SubjectRecipient & { readonly recipientId: string })[];
  /** Every notice of a correction, restriction or withdrawal owed to a recipient, and whether it confirmed (Art. 19). */
  readonly recipientNotices: readonly RecipientNotice[];
  readonly history: readonly HistoryEntry[];
  readonly requests: readonly SubjectRequest[];
  /** The requests not yet answered, with the days left to answer each at `generatedAt` (GDPR Art. 12(3)). */
  readonly openRequests: readonly RequestDeadline[];
}

/**
 * The subject's view with their values opened by the key store: it reads what the view
 * reads and nothing more. A stream with a broken link is refused (`TamperedStreamError`),
 * as a decision on it is: an export handed over under its digest must not rest on it.
 */
export async function exportSubject(deps: { store: EventStore; keys: KeyStore; policy: Policy; clock: () => Date }, subjectId: string): Promise<SubjectExport> {
  const { store, keys, policy, clock } = deps;
  const streams = await readSubjectStreams(store, subjectId);
  const broken = streams?.chain.broken[0];
  if (broken) throw new TamperedStreamError(broken.stream, broken.revision, broken.reason);
  const view = viewOf(streams ?? { subjectId, stream: '', records: [], chain: NOTHING_READ, events: [], recipients: new Map() }, { now: clock(), policy });
  const sealed = view.inventory.erased ? new Map<string, HeldValue>() : latestSealed(streams?.events ?? []);
  const opened = await openHeldValues(keys, subjectId, sealed);
  return {
    format: 'custodian.subject-export/1',
    subjectId,
    generatedAt: view.generatedAt,
    erased: view.inventory.erased,
    erasedAt: view.inventory.erasedAt,
    data: view.overview.categories.map((held) => ({
      category: held.category,
      value: opened.get(held.category) ?? null,
      source: held.source,
      collectedAt: held.collectedAt,
      rectifiedAt: view.inventory.categories.find((c) => c.category === held.category)?.rectifiedAt,
      purposes: held.purposes,
      retainUntil: held.retainUntil,
      retention: held.retention,
    })),
    erasedCategories: view.overview.erasedCategories,
    purposes: view.purposes,
    consents: view.consents,
    recipients: recipientsOf(view),
    recipientNotices: view.inventory.recipientNotices,
    history: view.history,
    requests: view.requests,
    openRequests: view.overview.openRequests,
  };
}

const NOTHING_READ = { ok: true, checked: 0, broken: [], positionGaps: [], tailUnverified: true } as const;

function recipientsOf(view: SubjectView): SubjectExport['recipients'] {
  return view.inventory.recipients.map((copy) => {
    const named = view.overview.recipients.find((recipient) => recipient.id === copy.recipientId);
    return { ...copy, name: named?.name, country: named?.country, agreement: named?.agreement };
  });
}

/** Each category's latest sealed value and the key it opens with; a category erased on its own has none. */
function latestSealed(stream: readonly CustodianEvent[]): Map<string, HeldValue> {
  const sealed = new Map<string, HeldValue>();
  for (const event of stream) {
    if (event.type === 'DataCollected' || event.type === 'DataRectified') {
      const { sealedWith } = event.data;
      for (const [category, value] of Object.entries(event.data.values))
        sealed.set(category, { sealed: value, key: sealedWith === undefined || sealedWith === 'subject-key' ? 'subject' : (sealedWith[category] ?? 0) });
    }
    if (event.type === 'DataErased' && event.data.scope === 'categories') for (const category of event.data.categories ?? []) sealed.delete(category);
  }
  return sealed;
}
