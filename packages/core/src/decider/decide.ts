import type { Actor, ErasureReason, EventData, EventType, ExtensionReason, GrantMethod, LegalBasis, Notice, PrivacySignal, PurposeRetention, SignalSource } from '../events';
import { checkUse, standingObjection, type Policy } from '../policy';
import { endOfDay, longestExtension, requestDeadline } from '../requests';
import { CommandRefusedError, type RefusalReason } from './errors';
import { noticesOwed } from './notices';
import type { RecipientState } from './recipient-state';
import { keyGenerationOf, type SubjectState } from './subject-state';

/**
 * An event as a decider produces it: the shell adds times, actor and chain links, and its id
 * unless the draft names it (a change that notices of the same append refer to).
 */
export type EventDraft = { [T in EventType]: { id?: string; type: T; data: EventData<T> } }[EventType];

type Sealed = string;

/** Commands on a subject, already validated, with personal values already sealed. */
export type SubjectCommand =
  | {
      type: 'collect';
      source: string;
      purposes: string[];
      legalBases: Record<string, LegalBasis>;
      notice: Notice;
      retainUntil: string;
      retention: PurposeRetention;
      values: Record<string, Sealed>;
      /** The generation of each category's key its value was sealed under: its current one, or the command is refused (`key_changed`). */
      sealedWith: Record<string, number>;
    }
  // A change recipients may have to be told of carries the id it is to be recorded under (a uuid the shell makes), for its notices to name.
  | { type: 'rectify'; values: Record<string, Sealed>; sealedWith: Record<string, number>; eventId: string }
  | { type: 'grantConsent'; actor: Actor; purpose: string; notice: Notice; method: GrantMethod; evidence?: Sealed; expiresAt?: string }
  | { type: 'withdrawConsent'; purpose: string; method?: EventData<'ConsentWithdrawn'>['method']; eventId: string }
  | { type: 'object'; purposes?: string[]; reason?: Sealed }
  | { type: 'applyPrivacySignal'; signal: PrivacySignal; source: SignalSource; receivedAt?: string; eventId: string }
  | { type: 'restrict'; reason?: Sealed; eventId: string }
  | { type: 'liftRestriction' }
  | { type: 'use'; actor: Actor; purpose: string; categories: string[]; activity: string; now: Date }
  | { type: 'access'; actor: Actor; purpose: string; categories: string[]; now: Date }
  | { type: 'share'; actor: Actor; recipientId: string; purpose: string; categories: string[]; now: Date; recipient: RecipientState }
  | { type: 'revokeShare'; recipientId: string; reason?: Sealed }
  | { type: 'requestErasure'; reason?: Sealed; now: Date }
  | { type: 'erase'; categories?: string[]; reason?: ErasureReason; eventId: string }
  | { type: 'enforceRetention'; now: Date; eventId: string }
  | { type: 'confirmRecipientErasure'; recipientId: string; erasureEventId?: string }
  | { type: 'confirmRecipientNotice'; recipientId: string; changeEventId: string }
  | { type: 'requestAccess'; right: 'access' | 'portability'; now: Date }
  | { type: 'fulfilAccessRequest'; requestEventId: string; digest: string }
  /** `until` absent: the longest extension the law allows. */
  | { type: 'extendRequestDeadline'; requestEventId: string; until?: Date; reason: ExtensionReason; note?: Sealed; now: Date };

export type RecipientCommand =
  | { type: 'registerRecipient'; recipientId: string; name: string; agreement: string; country: string }
  | { type: 'verifyRecipient'; recipientId: string; evidence?: string }
  | { type: 'suspendRecipient'; recipientId: string; reason: string };

// A refusal's detail never quotes the command: its purpose, ids and keys are the caller's strings.
const refuse = (reason: RefusalReason, detail: string): never => {
  throw new CommandRefusedError(reason, detail);
};

/** What a command on a subject writes, given the subject's stream as it stands. Pure. */
export function decideSubject(command: SubjectCommand, state: SubjectState, policy: Policy): EventDraft[] {
  switch (command.type) {
    case 'collect': {
      if (state.erased) refuse('subject_erased', 'the subject was erased; nothing more is collected for them');
      checkKeys(command.sealedWith, state);
      const { type: _, values, ...rest } = command;
      return [{ type: 'DataCollected', data: { ...rest, categories: Object.keys(values), values } }];
    }
    case 'rectify':
      return decideRectification(command, state);
    case 'grantConsent':
      return [grant(command, state, policy)];
    case 'withdrawConsent': {
      if (state.consents.get(command.purpose)?.status !== 'granted') refuse('consent_not_granted', 'there is no consent for this purpose to withdraw');
      const { type: _, eventId, ...data } = command;
      return [{ id: eventId, type: 'ConsentWithdrawn', data }, ...noticesOwed({ reason: 'consent_withdrawn', changeEventId: eventId, purpose: command.purpose }, state)];
    }
    case 'object': {
      const { type: _, ...data } = command;
      return [{ type: 'ObjectionRaised', data }];
    }
    case 'applyPrivacySignal':
      return decideSignal(command, state, policy);
    case 'restrict': {
      if (state.restriction) refuse('already_restricted', 'processing is already restricted');
      const { type: _, eventId, ...data } = command;
      return [{ id: eventId, type: 'ProcessingRestricted', data }, ...noticesOwed({ reason: 'restriction', changeEventId: eventId }, state)];
    }
    case 'liftRestriction':
      if (!state.restriction) refuse('not_restricted', 'processing is not restricted');
      return [{ type: 'RestrictionLifted', data: {} }];
    case 'use':
    case 'access':
    case 'share':
      return [decideUse(command, state, policy)];
    case 'revokeShare': {
      const share = state.shares.get(command.recipientId);
      if (!share || share.revokedEventId) refuse('no_share', 'nothing shared with this recipient is left to revoke');
      const { type: _, ...data } = command;
      return [{ type: 'ShareRevoked', data }];
    }
    case 'requestErasure': {
      if (state.erased) refuse('already_erased', 'the subject was already erased');
      const dueBy = requestDeadline(command.now).toISOString();
      return [{ type: 'ErasureRequested', data: command.reason ? { reason: command.reason, dueBy } : { dueBy } }];
    }
    case 'erase':
      return decideErasure(command, state);
    case 'enforceRetention':
      return decideRetention(command, state);
    case 'confirmRecipientErasure':
      return decideErasureConfirmation(command, state);
    case 'confirmRecipientNotice':
      return [decideNoticeConfirmation(command, state)];
    case 'requestAccess':
      return [{ type: 'AccessRequestReceived', data: { right: command.right, dueBy: requestDeadline(command.now).toISOString() } }];
    case 'fulfilAccessRequest': {
      const right = state.openRequests.get(command.requestEventId)?.right;
      if (right !== 'access' && right !== 'portability') refuse('no_open_request', 'there is no such open access request');
      return [{ type: 'AccessRequestFulfilled', data: { requestEventId: command.requestEventId, format: 'application/json', digest: command.digest } }];
    }
    case 'extendRequestDeadline':
      return [decideExtension(command, state)];
  }
}

/** A correction of categories held (Art. 16), with the notices it owes the recipients holding a copy of one of them (Art. 19). */
function decideRectification(command: Extract<SubjectCommand, { type: 'rectify' }>, state: SubjectState): EventDraft[] {
  if (state.erased) refuse('subject_erased', 'the subject was erased');
  const unknown = Object.keys(command.values).filter((category) => !state.collected.has(category));
  if (unknown.length > 0) refuse('category_not_collected', `cannot rectify ${unknown.length} of the categories given: never collected, or erased`);
  checkKeys(command.sealedWith, state);
  const categories = Object.keys(command.values);
  return [
    { id: command.eventId, type: 'DataRectified', data: { categories, values: command.values, sealedWith: command.sealedWith } },
    ...noticesOwed({ reason: 'rectification', changeEventId: command.eventId, categories }, state),
  ];
}

/**
 * The purposes a privacy signal opts the subject out of: those the policy marks with it that no standing signal already did,
 * with a notice owed to each recipient that received data for one of them.
 */
function decideSignal(command: Extract<SubjectCommand, { type: 'applyPrivacySignal' }>, state: SubjectState, policy: Policy): EventDraft[] {
  const { type: _, eventId, ...data } = command;
  const marked = [...policy.purposes].filter(([, rule]) => rule.optOutSignals?.includes(command.signal)).map(([purpose]) => purpose);
  if (marked.length === 0) refuse('nothing_to_opt_out', `the policy marks no purpose as one a ${command.signal} signal opts out of`);
  const purposes = marked.filter((purpose) => !state.optOuts.has(purpose));
  if (purposes.length === 0) refuse('nothing_to_opt_out', `the subject is already opted out of every purpose a ${command.signal} signal opts out of`);
  return [{ id: eventId, type: 'PrivacySignalApplied', data: { ...data, purposes } }, ...noticesOwed({ reason: 'opted_out', changeEventId: eventId, purposes }, state)];
}

/**
 * A recipient confirmed erasing its copy: of everything, once the subject is erased; before that, of the categories an
 * erasure of some of them (`erasureEventId`, or every one still awaiting this recipient) owed it a notice of.
 */
function decideErasureConfirmation(command: Extract<SubjectCommand, { type: 'confirmRecipientErasure' }>, state: SubjectState): EventDraft[] {
  const { recipientId, erasureEventId } = command;
  if (!state.shares.has(recipientId)) refuse('not_a_recipient', "this recipient never received this subject's data");
  const erased = state.erased;
  if (erased && (erasureEventId === undefined || erasureEventId === erased.eventId)) {
    if (state.erasureConfirmations.has(recipientId)) refuse('already_confirmed', 'this recipient already confirmed');
    return [{ type: 'RecipientErasureConfirmed', data: { recipientId, erasureEventId: erased.eventId } }];
  }
  const owed = [...state.recipientNotices]
    .filter(([changeEventId]) => erasureEventId === undefined || changeEventId === erasureEventId)
    .filter(([, notices]) => notices.get(recipientId)?.reason === 'erasure' && notices.get(recipientId)?.confirmedEventId === undefined)
    .map(([changeEventId]) => changeEventId);
  if (owed.length === 0) {
    if (erasureEventId !== undefined) refuse('no_notice_owed', "erasureEventId names no erasure of this subject's data awaiting this recipient's confirmation");
    refuse('not_erased', 'the subject has not been erased, and no erasure of some of her categories awaits this recipient');
  }
  return owed.map((changeEventId) => ({ type: 'RecipientNoticeConfirmed', data: { recipientId, changeEventId } }));
}

function decideNoticeConfirmation(command: Extract<SubjectCommand, { type: 'confirmRecipientNotice' }>, state: SubjectState): EventDraft {
  const { recipientId, changeEventId } = command;
  if (!state.shares.has(recipientId)) refuse('not_a_recipient', "this recipient never received this subject's data");
  const notice = state.recipientNotices.get(changeEventId)?.get(recipientId);
  if (!notice) return refuse('no_notice_owed', 'no notice of this change is owed to this recipient');
  if (notice.confirmedEventId) refuse('already_confirmed', 'this recipient already confirmed');
  return { type: 'RecipientNoticeConfirmed', data: { recipientId, changeEventId } };
}

/**
 * Art. 12(3): a deadline may be extended once, by at most two further months, and the subject
 * must be told within the first month, so not after the deadline it extends has passed.
 */
function decideExtension(command: Extract<SubjectCommand, { type: 'extendRequestDeadline' }>, state: SubjectState): EventDraft {
  const open = state.openRequests.get(command.requestEventId);
  if (!open) return refuse('no_open_request', 'requestEventId names no open access, portability or erasure request of this subject');
  if (open.extension) refuse('already_extended', 'the deadline of this request was already extended; Art. 12(3) allows one extension');
  if (command.now.getTime() > Date.parse(open.dueBy)) refuse('deadline_passed', 'the deadline of this request has passed; an extension must be recorded before it');
  const longest = longestExtension(new Date(open.receivedAt));
  const until = command.until === undefined ? longest : endOfDay(command.until);
  if (until.getTime() <= Date.parse(open.dueBy)) refuse('extension_not_later', 'until must be a day after the deadline it extends');
  if (until.getTime() > longest.getTime()) refuse('extension_too_long', 'until may be at most two months past the deadline: three calendar months from receipt');
  const { requestEventId, reason, note } = command;
  return { type: 'RequestDeadlineExtended', data: { requestEventId, until: until.toISOString(), reason, ...(note && { note }) } };
}

/** The whole subject, or the categories named, erased; refused before any key is destroyed when the history does not allow it. */
function decideErasure(command: Extract<SubjectCommand, { type: 'erase' }>, state: SubjectState): EventDraft[] {
  if (state.erased) refuse('already_erased', 'the subject was already erased');
  const reason = command.reason ?? 'erasure_request';
  if (command.categories === undefined)
    return [
      {
        id: command.eventId,
        type: 'DataErased',
        data: { scope: 'all', method: 'crypto-shred', reason, categories: [...state.collected.keys()], recipientsNotified: [...state.shares.keys()] },
      },
    ];
  const erased = command.categories.filter((category) => state.erasedCategories.has(category) && !state.collected.has(category));
  if (erased.length > 0) refuse('already_erased', `${erased.length} of the categories given were already erased`);
  const missing = command.categories.filter((category) => !state.collected.has(category));
  if (missing.length > 0) refuse('category_not_collected', `cannot erase ${missing.length} of the categories given: never collected`);
  return categoriesErased(state, command.categories, reason, command.eventId);
}

/** Every category held that no purpose may keep at `now`, erased in one event; nothing when there is none. */
function decideRetention({ now, eventId }: Extract<SubjectCommand, { type: 'enforceRetention' }>, state: SubjectState): EventDraft[] {
  if (state.erased) return [];
  const expired = [...state.collected].filter(([, held]) => Date.parse(held.retainUntil) <= now.getTime()).map(([category]) => category);
  return expired.length > 0 ? categoriesErased(state, expired, 'retention_expired', eventId) : [];
}

/** Values sealed under a category key that an erasure has since moved on would be unreadable from the start: they are sealed again. */
function checkKeys(sealedWith: Readonly<Record<string, number>>, state: SubjectState): void {
  const stale = Object.entries(sealedWith).filter(([category, generation]) => generation !== keyGenerationOf(state, category));
  if (stale.length > 0) refuse('key_changed', `${stale.length} of the categories given were erased since their values were sealed: seal them again under their new key`);
}

/**
 * Erases some categories and keeps the subject. A category with a value under the subject's
 * one key (recorded before per-category keys) cannot be erased alone, since the store is
 * never rewritten: that key is shredded, and every category it holds is erased with it. Each
 * recipient holding a copy of one of them is owed a notice (Art. 19), which
 * `confirmRecipientErasure` confirms.
 */
function categoriesErased(state: SubjectState, categories: readonly string[], reason: ErasureReason, eventId: string): EventDraft[] {
  const viaSubjectKey = categories.some((category) => state.subjectKeyHolds.includes(category));
  const erased = viaSubjectKey ? [...new Set([...categories, ...state.subjectKeyHolds])] : [...categories];
  const notices = noticesOwed({ reason: 'erasure', changeEventId: eventId, categories: erased }, state);
  const recipientsNotified = notices.map((notice) => notice.data.recipientId);
  return [{ id: eventId, type: 'DataErased', data: { scope: 'categories', method: 'crypto-shred', reason, categories: erased, recipientsNotified } }, ...notices];
}

/**
 * A grant, which lifts for its purpose a standing opt-out by signal and a standing objection to
 * direct marketing only when the subject gives it herself: the event names what it lifts. Anyone
 * else's grant there (a support agent's, a service's default) is refused: it would re-enable what
 * she stopped. The method is never `gpc`: a signal only opts out.
 */
function grant(command: Extract<SubjectCommand, { type: 'grantConsent' }>, state: SubjectState, policy: Policy): EventDraft {
  if (state.erased) refuse('subject_erased', 'the subject was erased');
  const { type: _, actor, ...data } = command;
  const optOut = state.optOuts.get(command.purpose);
  const objection = policy.purposes.get(command.purpose)?.directMarketing ? standingObjection(state, command.purpose) : undefined;
  if (actor.kind !== 'subject') {
    if (optOut) refuse('opted_out_by_signal', `the subject opted out of this purpose by a ${optOut.signal} signal; only her own explicit grant lifts it`);
    if (objection) refuse('objection_stands', 'the subject objected to direct marketing for this purpose; only her own explicit grant lifts it');
  }
  return { type: 'ConsentGranted', data: { ...data, ...(optOut && { overridesSignal: optOut.eventId }), ...(objection && { overridesObjection: objection.eventId }) } };
}

function decideUse(command: Extract<SubjectCommand, { type: 'use' | 'access' | 'share' }>, state: SubjectState, policy: Policy): EventDraft {
  const outcome = checkUse(policy, state, {
    operation: command.type,
    actor: command.actor,
    purpose: command.purpose,
    categories: command.categories,
    now: command.now,
    recipient: command.type === 'share' ? command.recipient : undefined,
  });
  if (!outcome.allowed) {
    return {
      type: 'UseDenied',
      data: {
        operation: command.type,
        purpose: command.purpose,
        categories: command.categories,
        activity: command.type === 'use' ? command.activity : undefined,
        recipientId: command.type === 'share' ? command.recipientId : undefined,
        reason: outcome.reason,
        detail: outcome.detail,
      },
    };
  }
  const { purpose, categories } = command;
  switch (command.type) {
    case 'use':
      return { type: 'DataUsed', data: { purpose, categories, activity: command.activity, basis: outcome.basis } };
    case 'access':
      return { type: 'DataAccessed', data: { purpose, categories, basis: outcome.basis } };
    case 'share':
      return {
        type: 'DataShared',
        data: { recipientId: command.recipientId, purpose, categories, agreement: command.recipient.registered?.agreement ?? '', basis: outcome.basis },
      };
  }
}

/** What a command on a recipient writes, given the recipient's stream as it stands. Pure. */
export function decideRecipient(command: RecipientCommand, state: RecipientState): EventDraft[] {
  switch (command.type) {
    case 'registerRecipient': {
      if (state.registered) refuse('already_registered', 'the recipient is already registered');
      const { type: _, ...data } = command;
      return [{ type: 'RecipientRegistered', data }];
    }
    case 'verifyRecipient': {
      if (!state.registered) refuse('recipient_unknown', 'the recipient is not registered');
      if (state.verified && !state.suspended) refuse('already_verified', 'the recipient is already verified');
      const { type: _, ...data } = command;
      return [{ type: 'RecipientVerified', data }];
    }
    case 'suspendRecipient': {
      if (!state.registered) refuse('recipient_unknown', 'the recipient is not registered');
      if (state.suspended) refuse('already_suspended', 'the recipient is already suspended');
      const { type: _, ...data } = command;
      return [{ type: 'RecipientSuspended', data }];
    }
  }
}
