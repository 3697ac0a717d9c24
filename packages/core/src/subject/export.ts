import { openValue, type KeyStore } from '../crypto';
import { TamperedStreamError, type CustodianEvent } from '../events';
import type { Policy } from '../policy';
import type { ConsentState, HistoryEntry, RecipientNotice } from '../projections';
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
    readonly retainUntil: string;
  }[];
  readonly purposes: readonly SubjectPurpose[];
  readonly consents: ConsentState;
  readonly recipients: readonly (SubjectRecipient & { readonly recipientId: string })[];
  /** Every notice of a correction, restriction or withdrawal owed to a recipient, and whether it confirmed (Art. 19). */
  readonly recipientNotices: readonly RecipientNotice[];
  readonly history: readonly HistoryEntry[];
  readonly requests: readonly SubjectRequest[];
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
  const key = view.inventory.erased ? undefined : await keys.get(subjectId);
  const sealed = latestSealed(streams?.events ?? []);
  return {
    format: 'custodian.subject-export/1',
    subjectId,
    generatedAt: view.generatedAt,
    erased: view.inventory.erased,
    erasedAt: view.inventory.erasedAt,
    data: view.inventory.categories.map((held) => {
      const value = sealed.get(held.category);
      return {
        category: held.category,
        value: key && value ? openValue(key, value, `${subjectId}/${held.category}`) : null,
        source: held.source,
        collectedAt: held.collectedAt,
        rectifiedAt: held.rectifiedAt,
        purposes: held.purposes,
        retainUntil: held.retainUntil,
      };
    }),
    purposes: view.purposes,
    consents: view.consents,
    recipients: recipientsOf(view),
    recipientNotices: view.inventory.recipientNotices,
    history: view.history,
    requests: view.requests,
  };
}

const NOTHING_READ = { ok: true, checked: 0, broken: [], positionGaps: [], tailUnverified: true } as const;

function recipientsOf(view: SubjectView): SubjectExport['recipients'] {
  return view.inventory.recipients.map((copy) => {
    const named = view.overview.recipients.find((recipient) => recipient.id === copy.recipientId);
    return { ...copy, name: named?.name, country: named?.country, agreement: named?.agreement };
  });
}

function latestSealed(stream: readonly CustodianEvent[]): Map<string, string> {
  const sealed = new Map<string, string>();
  for (const event of stream)
    if (event.type === 'DataCollected' || event.type === 'DataRectified') for (const [category, value] of Object.entries(event.data.values)) sealed.set(category, value);
  return sealed;
}
