import type { CustodianEvent, Notice } from '../events';
import { appendLog, type AppendLog } from '../persistent';
import type { SubjectFacts } from '../policy';

export interface CollectedCategory {
  /** The event that collected or last rectified it. */
  readonly eventId: string;
  readonly collectedAt: string;
  readonly source: string;
  readonly purposes: readonly string[];
  readonly retainUntil: string;
  /** The sealed value; opens only with the subject's key. */
  readonly sealed: string;
}

export interface ConsentFact {
  readonly status: 'granted' | 'withdrawn';
  /** The grant while granted; the withdrawal once withdrawn. */
  readonly eventId: string;
  readonly grantEventId: string;
  readonly notice: Notice;
  readonly since: string;
  readonly expiresAt?: string | undefined;
}

export interface ShareFact {
  readonly eventIds: readonly string[];
  readonly categories: readonly string[];
  readonly purposes: readonly string[];
  readonly revokedEventId?: string | undefined;
}

/** A notice owed to a recipient (Art. 19): the event that owed it, and the one that confirmed it once confirmed. */
export interface RecipientNoticeFact {
  readonly noticeEventId: string;
  readonly confirmedEventId?: string | undefined;
}

/** A subject as its own stream tells it: what the rules and the read side need. */
export interface SubjectState extends SubjectFacts {
  readonly collected: ReadonlyMap<string, CollectedCategory>;
  readonly consents: ReadonlyMap<string, ConsentFact>;
  readonly objections: readonly { readonly eventId: string; readonly purposes?: readonly string[] | undefined }[];
  readonly shares: ReadonlyMap<string, ShareFact>;
  /** Recipients that confirmed erasing their copy, with the confirming event. */
  readonly erasureConfirmations: ReadonlyMap<string, string>;
  /**
   * By purpose, the recipients sent data on that purpose's consent since it was last
   * withdrawn, with the categories sent: whom a withdrawal of it must be told of.
   */
  readonly sharedOnConsent: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** Notices owed to recipients, by the change's event id, then by recipient. */
  readonly recipientNotices: ReadonlyMap<string, ReadonlyMap<string, RecipientNoticeFact>>;
  readonly openAccessRequests: ReadonlyMap<string, string>;
}

export const initialSubjectState: SubjectState = {
  collected: new Map(),
  consents: new Map(),
  objections: [],
  shares: new Map(),
  erasureConfirmations: new Map(),
  sharedOnConsent: new Map(),
  recipientNotices: new Map(),
  openAccessRequests: new Map(),
};

/** The shares' event ids grow with the stream: kept as a log (not enumerable), each share appends once instead of copying them. */
const EVENT_IDS = Symbol('share event ids');

function shareFact(log: AppendLog<string>, fields: Omit<ShareFact, 'eventIds'>): ShareFact {
  let eventIds: string[] | undefined;
  const fact: ShareFact = {
    get eventIds() {
      return (eventIds ??= log.toArray());
    },
    ...fields,
  };
  return Object.defineProperty(fact, EVENT_IDS, { value: log });
}

const eventIdsOf = (held: ShareFact | undefined): AppendLog<string> =>
  held ? ((held as { [EVENT_IDS]?: AppendLog<string> })[EVENT_IDS] ?? appendLog(held.eventIds)) : appendLog();

const put = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> => new Map(map).set(key, value);

function collect(held: SubjectState['collected'], event: CustodianEvent<'DataCollected'>): Map<string, CollectedCategory> {
  const collected = new Map(held);
  for (const category of event.data.categories) {
    collected.set(category, {
      eventId: event.id,
      collectedAt: event.occurredAt,
      source: event.data.source,
      purposes: event.data.purposes,
      retainUntil: event.data.retainUntil,
      sealed: event.data.values[category] ?? '',
    });
  }
  return collected;
}

function rectify(held: SubjectState['collected'], event: CustodianEvent<'DataRectified'>): Map<string, CollectedCategory> {
  const collected = new Map(held);
  for (const category of event.data.categories) {
    const before = collected.get(category);
    if (before) collected.set(category, { ...before, eventId: event.id, sealed: event.data.values[category] ?? before.sealed });
  }
  return collected;
}

function shareOnConsent(held: SubjectState['sharedOnConsent'], event: CustodianEvent<'DataShared'>): SubjectState['sharedOnConsent'] {
  const { purpose, recipientId, categories, basis } = event.data;
  if (basis.legalBasis !== 'consent') return held;
  const recipients = held.get(purpose) ?? new Map<string, readonly string[]>();
  const sent = [...new Set([...(recipients.get(recipientId) ?? []), ...categories])];
  return put(held, purpose, put(recipients, recipientId, sent));
}

function withdrawnFrom(held: SubjectState['sharedOnConsent'], purpose: string): SubjectState['sharedOnConsent'] {
  if (!held.has(purpose)) return held;
  const rest = new Map(held);
  rest.delete(purpose);
  return rest;
}

function noticeOwed(held: SubjectState['recipientNotices'], event: CustodianEvent<'RecipientNoticeOwed'>): SubjectState['recipientNotices'] {
  const { changeEventId, recipientId } = event.data;
  return put(held, changeEventId, put(held.get(changeEventId) ?? new Map<string, RecipientNoticeFact>(), recipientId, { noticeEventId: event.id }));
}

function noticeConfirmed(held: SubjectState['recipientNotices'], event: CustodianEvent<'RecipientNoticeConfirmed'>): SubjectState['recipientNotices'] {
  const { changeEventId, recipientId } = event.data;
  const notices = held.get(changeEventId);
  const notice = notices?.get(recipientId);
  if (!notices || !notice) return held;
  return put(held, changeEventId, put(notices, recipientId, { ...notice, confirmedEventId: event.id }));
}

/** Folds one event of a subject's stream into the state. Pure: returns a new state. */
export function evolveSubject(state: SubjectState, event: CustodianEvent): SubjectState {
  switch (event.type) {
    case 'DataCollected':
      return { ...state, collected: collect(state.collected, event) };
    case 'DataRectified':
      return { ...state, collected: rectify(state.collected, event) };
    case 'ConsentGranted':
      return {
        ...state,
        consents: put(state.consents, event.data.purpose, {
          status: 'granted',
          eventId: event.id,
          grantEventId: event.id,
          notice: event.data.notice,
          since: event.occurredAt,
          expiresAt: event.data.expiresAt,
        }),
      };
    case 'ConsentWithdrawn': {
      const held = state.consents.get(event.data.purpose);
      if (!held) return state;
      return {
        ...state,
        consents: put(state.consents, event.data.purpose, { ...held, status: 'withdrawn', eventId: event.id, since: event.occurredAt }),
        sharedOnConsent: withdrawnFrom(state.sharedOnConsent, event.data.purpose),
      };
    }
    case 'ObjectionRaised':
      return { ...state, objections: [...state.objections, { eventId: event.id, purposes: event.data.purposes }] };
    case 'ProcessingRestricted':
      return { ...state, restriction: { eventId: event.id } };
    case 'RestrictionLifted':
      return { ...state, restriction: undefined };
    case 'DataShared': {
      const held = state.shares.get(event.data.recipientId);
      return {
        ...state,
        shares: put(
          state.shares,
          event.data.recipientId,
          shareFact(eventIdsOf(held).append(event.id), {
            categories: [...new Set([...(held?.categories ?? []), ...event.data.categories])],
            purposes: [...new Set([...(held?.purposes ?? []), event.data.purpose])],
          }),
        ),
        sharedOnConsent: shareOnConsent(state.sharedOnConsent, event),
      };
    }
    case 'ShareRevoked': {
      const held = state.shares.get(event.data.recipientId);
      if (!held) return state;
      const revoked = shareFact(eventIdsOf(held), { categories: held.categories, purposes: held.purposes, revokedEventId: event.id });
      return { ...state, shares: put(state.shares, event.data.recipientId, revoked) };
    }
    case 'RecipientErasureConfirmed':
      return { ...state, erasureConfirmations: put(state.erasureConfirmations, event.data.recipientId, event.id) };
    case 'RecipientNoticeOwed':
      return { ...state, recipientNotices: noticeOwed(state.recipientNotices, event) };
    case 'RecipientNoticeConfirmed':
      return { ...state, recipientNotices: noticeConfirmed(state.recipientNotices, event) };
    case 'ErasureRequested':
      return { ...state, erasureRequested: { eventId: event.id } };
    case 'DataErased': {
      const collected = new Map([...state.collected].map(([category, held]) => [category, { ...held, sealed: '' }]));
      return { ...state, collected, erased: { eventId: event.id } };
    }
    case 'AccessRequestReceived':
      return { ...state, openAccessRequests: put(state.openAccessRequests, event.id, event.occurredAt) };
    case 'AccessRequestFulfilled': {
      const openAccessRequests = new Map(state.openAccessRequests);
      openAccessRequests.delete(event.data.requestEventId);
      return { ...state, openAccessRequests };
    }
    default:
      return state;
  }
}
