import { lastEnd, retentionOfCategory, type CustodianEvent, type Notice, type RecipientNoticeReason } from '../events';
import { appendLog, type AppendLog } from '../persistent';
import type { SubjectFacts } from '../policy';
import { evolveOpenRequests, type OpenRequests } from '../requests';
import type { KeyRef } from '../subject-keys';

export interface CollectedCategory {
  /** The event that collected or last rectified it. */
  readonly eventId: string;
  /** When it was last collected. */
  readonly collectedAt: string;
  readonly source: string;
  /** The purposes it was collected for, over its collections since it was last erased. */
  readonly purposes: readonly string[];
  /** When the last of its purposes' retention runs out: then no purpose may keep it. */
  readonly retainUntil: string;
  /** Each purpose it was collected for, with when that purpose's retention runs out (its latest collection for that purpose counts). */
  readonly retention: Readonly<Record<string, string>>;
  /** The sealed value; opens only with `key`. */
  readonly sealed: string;
  readonly key: KeyRef;
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

export interface OptOutFact {
  readonly eventId: string;
  readonly signal: string;
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
  readonly reason: RecipientNoticeReason;
  readonly confirmedEventId?: string | undefined;
}

/** A subject as its own stream tells it: what the rules and the read side need. */
export interface SubjectState extends SubjectFacts {
  readonly collected: ReadonlyMap<string, CollectedCategory>;
  readonly consents: ReadonlyMap<string, ConsentFact>;
  readonly objections: readonly { readonly eventId: string; readonly purposes?: readonly string[] | undefined }[];
  readonly shares: ReadonlyMap<string, ShareFact>;
  /** The purposes a privacy signal opted the subject out of, with the signal's event, until her own grant lifts it. */
  readonly optOuts: ReadonlyMap<string, OptOutFact>;
  /** Per direct-marketing purpose, the objection the subject's own later grant lifted. */
  readonly objectionOverrides: ReadonlyMap<string, string>;
  /** Recipients that confirmed erasing their copy, with the confirming event. */
  readonly erasureConfirmations: ReadonlyMap<string, string>;
  /** Access, portability and erasure requests not yet answered, by request event id, each with its deadline. */
  readonly openRequests: OpenRequests;
  readonly erasedCategories: ReadonlyMap<string, string>;
  /** Per category erased on its own, the generation its next key has (absent: 0). */
  readonly keyGenerations: ReadonlyMap<string, number>;
  /** Categories with a value, now or earlier, sealed under the subject's one key, while that key stands. */
  readonly subjectKeyHolds: readonly string[];
  /**
   * By purpose, the recipients sent data on that purpose's consent since it was last
   * withdrawn, with the categories sent: whom a withdrawal of it must be told of.
   */
  readonly sharedOnConsent: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** Notices owed to recipients, by the change's event id, then by recipient. */
  readonly recipientNotices: ReadonlyMap<string, ReadonlyMap<string, RecipientNoticeFact>>;
}

export const initialSubjectState: SubjectState = {
  collected: new Map(),
  erasedCategories: new Map(),
  keyGenerations: new Map(),
  subjectKeyHolds: [],
  consents: new Map(),
  objections: [],
  shares: new Map(),
  optOuts: new Map(),
  objectionOverrides: new Map(),
  erasureConfirmations: new Map(),
  openRequests: new Map(),
  sharedOnConsent: new Map(),
  recipientNotices: new Map(),
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

function without<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

/** The generation the next key of `category` has: one more for each time it was erased on its own. */
export const keyGenerationOf = (state: Pick<SubjectState, 'keyGenerations'>, category: string): number => state.keyGenerations.get(category) ?? 0;

type Sealing = CustodianEvent<'DataCollected' | 'DataRectified'>['data']['sealedWith'];

/** Whether the event's values are sealed under the subject's one key: so are those of an event that does not say, as before schema version 2. */
const underSubjectKey = (sealedWith: Sealing): sealedWith is 'subject-key' | undefined => sealedWith === undefined || sealedWith === 'subject-key';

/** The key a value of the event opens with. */
const keyOf = (sealedWith: Sealing, category: string, state: SubjectState): KeyRef =>
  underSubjectKey(sealedWith) ? 'subject' : (sealedWith[category] ?? keyGenerationOf(state, category));

const holding = (holds: readonly string[], categories: readonly string[]): readonly string[] => {
  const added = categories.filter((category) => !holds.includes(category));
  return added.length > 0 ? [...holds, ...added] : holds;
};

function collect(state: SubjectState, event: CustodianEvent<'DataCollected'>): SubjectState {
  const collected = new Map(state.collected);
  const erasedCategories = new Map(state.erasedCategories);
  for (const category of event.data.categories) {
    const before = collected.get(category);
    const retention = { ...before?.retention, ...retentionOfCategory(event.data, category) };
    collected.set(category, {
      eventId: event.id,
      collectedAt: event.occurredAt,
      source: event.data.source,
      purposes: Object.keys(retention),
      retainUntil: lastEnd(Object.values(retention), event.data.retainUntil),
      retention,
      sealed: event.data.values[category] ?? '',
      key: keyOf(event.data.sealedWith, category, state),
    });
    erasedCategories.delete(category);
  }
  const holds = underSubjectKey(event.data.sealedWith) ? holding(state.subjectKeyHolds, event.data.categories) : state.subjectKeyHolds;
  return { ...state, collected, erasedCategories, subjectKeyHolds: holds };
}

function rectify(state: SubjectState, event: CustodianEvent<'DataRectified'>): SubjectState {
  const collected = new Map(state.collected);
  const rectified: string[] = [];
  for (const category of event.data.categories) {
    const before = collected.get(category);
    if (!before) continue;
    collected.set(category, { ...before, eventId: event.id, sealed: event.data.values[category] ?? before.sealed, key: keyOf(event.data.sealedWith, category, state) });
    rectified.push(category);
  }
  const holds = underSubjectKey(event.data.sealedWith) ? holding(state.subjectKeyHolds, rectified) : state.subjectKeyHolds;
  return { ...state, collected, subjectKeyHolds: holds };
}

/** Categories erased on their own: gone from what is held, their keys a generation on; the subject stays. */
function eraseCategories(state: SubjectState, event: CustodianEvent<'DataErased'>, categories: readonly string[]): SubjectState {
  const collected = new Map(state.collected);
  const erasedCategories = new Map(state.erasedCategories);
  const keyGenerations = new Map(state.keyGenerations);
  for (const category of categories) {
    collected.delete(category);
    erasedCategories.set(category, event.id);
    keyGenerations.set(category, keyGenerationOf(state, category) + 1);
  }
  return { ...state, collected, erasedCategories, keyGenerations, subjectKeyHolds: state.subjectKeyHolds.filter((category) => !categories.includes(category)) };
}

function share(state: SubjectState, event: CustodianEvent<'DataShared'>): SubjectState {
  const held = state.shares.get(event.data.recipientId);
  const fact = shareFact(eventIdsOf(held).append(event.id), {
    categories: [...new Set([...(held?.categories ?? []), ...event.data.categories])],
    purposes: [...new Set([...(held?.purposes ?? []), event.data.purpose])],
  });
  return { ...state, shares: put(state.shares, event.data.recipientId, fact), sharedOnConsent: shareOnConsent(state.sharedOnConsent, event) };
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
  const { changeEventId, recipientId, reason } = event.data;
  return put(held, changeEventId, put(held.get(changeEventId) ?? new Map<string, RecipientNoticeFact>(), recipientId, { noticeEventId: event.id, reason }));
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
      return collect(state, event);
    case 'DataRectified':
      return rectify(state, event);
    case 'ConsentGranted': {
      const { purpose, overridesSignal, overridesObjection } = event.data;
      return {
        ...state,
        consents: put(state.consents, purpose, {
          status: 'granted',
          eventId: event.id,
          grantEventId: event.id,
          notice: event.data.notice,
          since: event.occurredAt,
          expiresAt: event.data.expiresAt,
        }),
        ...(overridesSignal !== undefined && { optOuts: without(state.optOuts, purpose) }),
        ...(overridesObjection !== undefined && { objectionOverrides: put(state.objectionOverrides, purpose, overridesObjection) }),
      };
    }
    case 'PrivacySignalApplied': {
      const optOuts = new Map(state.optOuts);
      for (const purpose of event.data.purposes) optOuts.set(purpose, { eventId: event.id, signal: event.data.signal });
      return { ...state, optOuts };
    }
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
    case 'DataShared':
      return share(state, event);
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
      return { ...state, erasureRequested: { eventId: event.id }, openRequests: evolveOpenRequests(state.openRequests, event) };
    case 'DataErased': {
      if (event.data.scope === 'categories') return eraseCategories(state, event, event.data.categories ?? []);
      const collected = new Map([...state.collected].map(([category, held]) => [category, { ...held, sealed: '' }]));
      return { ...state, collected, erased: { eventId: event.id }, openRequests: evolveOpenRequests(state.openRequests, event) };
    }
    case 'AccessRequestReceived':
    case 'AccessRequestFulfilled':
    case 'RequestDeadlineExtended':
      return { ...state, openRequests: evolveOpenRequests(state.openRequests, event) };
    default:
      return state;
  }
}
