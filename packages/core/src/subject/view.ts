import type { Policy } from '../policy';
import { readRecordedPolicy } from '../policy';
import {
  consentProjection,
  consentStateAt,
  foldProjection,
  historyProjection,
  inventoryProjection,
  type ConsentState,
  type ErasedCategory,
  type HistoryEntry,
  type Inventory,
  type ReadModel,
  type RecipientNotice,
} from '../projections';
import { openRequestsProjection } from '../projections';
import { deadlinesAt, type RequestDeadline } from '../requests';
import type { EventStore } from '../store';
import { readSubjectStreams, type SubjectStreams } from './read';
import { buildTimeline, type TimelineItem } from './timeline';
import { brokenWords } from './words';

/** Where one subject's data stands and how it got there, for people: categories and names, never values. */
export interface SubjectReport {
  readonly subjectId: string;
  readonly generatedAt: string;
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
      /** Each purpose it was collected for, with when that purpose's own retention runs out. */
      readonly retention: Readonly<Record<string, string>>;
    }[];
    /** Categories erased on their own (the subject kept), until collected again. */
    readonly erasedCategories: readonly ErasedCategory[];
    readonly consents: readonly { readonly purpose: string; readonly status: string; readonly since: string }[];
    readonly recipients: readonly (SubjectRecipient & { readonly id: string })[];
    /** Notices of a correction, restriction or withdrawal recipients are still owed (Art. 19), oldest first. */
    readonly noticesOwed: readonly SubjectNoticeOwed[];
    readonly erasureRequestedAt?: string | undefined;
    readonly erased: boolean;
    readonly erasedAt?: string | undefined;
    /** Requests not yet answered, soonest due first, with the days left at `generatedAt` (GDPR Art. 12(3)). */
    readonly openRequests: readonly RequestDeadline[];
  };
  /** The readable timeline, oldest first. */
  readonly items: readonly TimelineItem[];
}

/** A right the subject exercised: access, erasure, objection, restriction, and their outcomes. */
/** A recipient as one subject's view shows it: what of theirs it was sent, and where its copy stands. */
export interface SubjectRecipient {
  readonly name?: string | undefined;
  readonly country?: string | undefined;
  readonly agreement?: string | undefined;
  readonly categories: readonly string[];
  readonly purposes: readonly string[];
  readonly firstSharedAt: string;
  readonly revokedAt?: string | undefined;
  /** Where the recipient's copy stands after an erasure: `pending` until it confirms (Art. 19). */
  readonly erasure: string;
}

/** A notice a recipient is still owed, as one subject's view shows it. */
export interface SubjectNoticeOwed {
  readonly recipientId: string;
  readonly name?: string | undefined;
  readonly reason: RecipientNotice['reason'];
  readonly categories: readonly string[];
  readonly purpose?: string | undefined;
  readonly owedAt: string;
  readonly changeEventId: string;
}

export interface SubjectRequest {
  readonly type: string;
  readonly at: string;
  readonly eventId: string;
}

/** The purposes the subject's data is held for, as the policy declares them. */
export interface SubjectPurpose {
  readonly purpose: string;
  readonly legalBasis: string;
  readonly description?: string | undefined;
  readonly retention: string;
  readonly categories: readonly string[];
  readonly sharing: boolean;
}

/**
 * Everything about one subject, built from their stream, the recipient streams it names and
 * the policy stream: what `custodian report`, `custodian export`, the HTML report and the
 * privacy center render. No personal value: `exportSubject` opens them with the key store.
 */
export interface SubjectView extends SubjectReport {
  readonly inventory: Inventory;
  readonly consents: ConsentState;
  readonly history: readonly HistoryEntry[];
  readonly requests: readonly SubjectRequest[];
  readonly purposes: readonly SubjectPurpose[];
}

export interface SubjectViewOptions {
  /** The moment consents are judged at (expiry), and the view's `generatedAt`. */
  readonly now: Date;
  /** The policy whose words and purposes the view uses; by default the one the log records last. */
  readonly policy?: Policy | undefined;
}

const REQUEST_TYPES = new Set([
  'AccessRequestReceived',
  'AccessRequestFulfilled',
  'RequestDeadlineExtended',
  'ErasureRequested',
  'DataErased',
  'ObjectionRaised',
  'PrivacySignalApplied',
  'ProcessingRestricted',
  'RestrictionLifted',
]);

/** The subject's view, or undefined when the ledger holds nothing about them. */
export async function readSubject(store: EventStore, subjectId: string, options: SubjectViewOptions): Promise<SubjectView | undefined> {
  const streams = await readSubjectStreams(store, subjectId);
  if (!streams) return undefined;
  return viewOf(streams, { ...options, policy: options.policy ?? (await readRecordedPolicy(store)) });
}

interface Derived {
  readonly policy: Policy | undefined;
  readonly folds: Map<ReadModel<unknown>, unknown>;
  items?: readonly TimelineItem[];
}

/**
 * The folds and the timeline of a view depend on the streams and the policy, not on `now`:
 * for a streams object a caller keeps (the privacy center keeps hers between her visits),
 * they are made once. A streams object is a value, never changed once read.
 */
const derivedOf = new WeakMap<SubjectStreams, Derived>();

function derived(streams: SubjectStreams, policy: Policy | undefined): Derived {
  const found = derivedOf.get(streams);
  if (found !== undefined && found.policy === policy) return found;
  const fresh: Derived = { policy, folds: new Map() };
  derivedOf.set(streams, fresh);
  return fresh;
}

/** The view of streams already read. */
export function viewOf(streams: SubjectStreams, options: SubjectViewOptions): SubjectView {
  const { subjectId, events, recipients } = streams;
  const made = derived(streams, options.policy);
  const fold = <S>(model: ReadModel<S>): S => {
    if (!made.folds.has(model)) made.folds.set(model, foldProjection(model, events).get(subjectId) ?? model.initial(subjectId));
    return made.folds.get(model) as S;
  };
  const inventory = fold(inventoryProjection);
  const consents = consentStateAt(fold(consentProjection), options.now);
  return {
    subjectId,
    generatedAt: options.now.toISOString(),
    chain: chainOf(streams),
    overview: {
      categories: inventory.categories.map(({ category, source, purposes, collectedAt, retainUntil, retention }) => ({
        category,
        source,
        purposes,
        collectedAt,
        retainUntil,
        retention: retention ?? Object.fromEntries(purposes.map((purpose) => [purpose, retainUntil])),
      })),
      erasedCategories: inventory.erasedCategories ?? [],
      consents: Object.entries(consents).map(([purpose, record]) => ({ purpose, status: record.status, since: record.since })),
      recipients: inventory.recipients.map(({ recipientId, categories, purposes, firstSharedAt, revokedAt, erasure }) => {
        const entry = recipients.get(recipientId);
        return { id: recipientId, name: entry?.name, country: entry?.country, agreement: entry?.agreement, categories, purposes, firstSharedAt, revokedAt, erasure };
      }),
      noticesOwed: inventory.recipientNotices
        .filter((notice) => notice.status === 'pending')
        .map(({ recipientId, reason, categories, purpose, owedAt, changeEventId }) => ({
          recipientId,
          name: recipients.get(recipientId)?.name,
          reason,
          categories,
          purpose,
          owedAt,
          changeEventId,
        })),
      erasureRequestedAt: inventory.erasureRequestedAt,
      erased: inventory.erased,
      erasedAt: inventory.erasedAt,
      openRequests: deadlinesAt(fold(openRequestsProjection), options.now),
    },
    items: (made.items ??= buildTimeline(events, { subjectId, policy: options.policy, recipients })),
    inventory,
    consents,
    history: fold(historyProjection),
    requests: events.filter((event) => REQUEST_TYPES.has(event.type)).map((event) => ({ type: event.type, at: event.occurredAt, eventId: event.id })),
    purposes: purposesOf(inventory, options.policy),
  };
}

function chainOf({ chain }: SubjectStreams): SubjectReport['chain'] {
  const broken = chain.broken[0];
  return {
    ok: chain.ok,
    checked: chain.checked,
    broken: broken && { revision: broken.revision, position: broken.position, eventId: broken.eventId, reason: broken.reason, explanation: brokenWords(broken.reason) },
  };
}

function purposesOf(inventory: Inventory, policy: Policy | undefined): SubjectPurpose[] {
  const named = new Set(inventory.categories.flatMap((held) => held.purposes));
  return [...(policy?.purposes ?? [])]
    .filter(([purpose]) => named.has(purpose))
    .map(([purpose, rule]) => ({
      purpose,
      legalBasis: rule.legalBasis,
      description: rule.description,
      retention: rule.retention,
      categories: rule.categories,
      sharing: rule.sharing,
    }));
}
