import type { Actor, EventData, EventType, LegalBasis, Notice } from '../events';
import { checkUse, type Policy } from '../policy';
import { CommandRefusedError, type RefusalReason } from './errors';
import { noticesOwed } from './notices';
import type { RecipientState } from './recipient-state';
import type { SubjectState } from './subject-state';

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
      values: Record<string, Sealed>;
    }
  // A change recipients may have to be told of carries the id it is to be recorded under (a uuid the shell makes), for its notices to name.
  | { type: 'rectify'; values: Record<string, Sealed>; eventId: string }
  | { type: 'grantConsent'; purpose: string; notice: Notice; method: EventData<'ConsentGranted'>['method']; evidence?: Sealed; expiresAt?: string }
  | { type: 'withdrawConsent'; purpose: string; method?: EventData<'ConsentWithdrawn'>['method']; eventId: string }
  | { type: 'object'; purposes?: string[]; reason?: Sealed }
  | { type: 'restrict'; reason?: Sealed; eventId: string }
  | { type: 'liftRestriction' }
  | { type: 'use'; actor: Actor; purpose: string; categories: string[]; activity: string; now: Date }
  | { type: 'access'; actor: Actor; purpose: string; categories: string[]; now: Date }
  | { type: 'share'; actor: Actor; recipientId: string; purpose: string; categories: string[]; now: Date; recipient: RecipientState }
  | { type: 'revokeShare'; recipientId: string; reason?: Sealed }
  | { type: 'requestErasure'; reason?: Sealed }
  | { type: 'erase' }
  | { type: 'confirmRecipientErasure'; recipientId: string; erasureEventId?: string }
  | { type: 'confirmRecipientNotice'; recipientId: string; changeEventId: string }
  | { type: 'requestAccess'; right: 'access' | 'portability' }
  | { type: 'fulfilAccessRequest'; requestEventId: string; digest: string };

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
      const { type: _, values, ...rest } = command;
      return [{ type: 'DataCollected', data: { ...rest, categories: Object.keys(values), values } }];
    }
    case 'rectify': {
      if (state.erased) refuse('subject_erased', 'the subject was erased');
      const unknown = Object.keys(command.values).filter((category) => !state.collected.has(category));
      if (unknown.length > 0) refuse('category_not_collected', `cannot rectify ${unknown.length} of the categories given: never collected`);
      const categories = Object.keys(command.values);
      return [
        { id: command.eventId, type: 'DataRectified', data: { categories, values: command.values } },
        ...noticesOwed({ reason: 'rectification', changeEventId: command.eventId, categories }, state),
      ];
    }
    case 'grantConsent': {
      if (state.erased) refuse('subject_erased', 'the subject was erased');
      const { type: _, ...data } = command;
      return [{ type: 'ConsentGranted', data }];
    }
    case 'withdrawConsent': {
      if (state.consents.get(command.purpose)?.status !== 'granted') refuse('consent_not_granted', 'there is no consent for this purpose to withdraw');
      const { type: _, eventId, ...data } = command;
      return [{ id: eventId, type: 'ConsentWithdrawn', data }, ...noticesOwed({ reason: 'consent_withdrawn', changeEventId: eventId, purpose: command.purpose }, state)];
    }
    case 'object': {
      const { type: _, ...data } = command;
      return [{ type: 'ObjectionRaised', data }];
    }
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
    case 'requestErasure':
      if (state.erased) refuse('already_erased', 'the subject was already erased');
      return [{ type: 'ErasureRequested', data: command.reason ? { reason: command.reason } : {} }];
    case 'erase':
      if (state.erased) refuse('already_erased', 'the subject was already erased');
      return [{ type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: [...state.shares.keys()] } }];
    case 'confirmRecipientErasure': {
      const erased = state.erased;
      if (!erased) return refuse('not_erased', 'the subject has not been erased');
      if (!state.shares.has(command.recipientId)) refuse('not_a_recipient', "this recipient never received this subject's data");
      if (state.erasureConfirmations.has(command.recipientId)) refuse('already_confirmed', 'this recipient already confirmed');
      return [{ type: 'RecipientErasureConfirmed', data: { recipientId: command.recipientId, erasureEventId: erased.eventId } }];
    }
    case 'confirmRecipientNotice': {
      const { recipientId, changeEventId } = command;
      if (!state.shares.has(recipientId)) refuse('not_a_recipient', "this recipient never received this subject's data");
      const notice = state.recipientNotices.get(changeEventId)?.get(recipientId);
      if (!notice) return refuse('no_notice_owed', 'no notice of this change is owed to this recipient');
      if (notice.confirmedEventId) refuse('already_confirmed', 'this recipient already confirmed');
      return [{ type: 'RecipientNoticeConfirmed', data: { recipientId, changeEventId } }];
    }
    case 'requestAccess':
      return [{ type: 'AccessRequestReceived', data: { right: command.right } }];
    case 'fulfilAccessRequest':
      if (!state.openAccessRequests.has(command.requestEventId)) refuse('no_open_request', 'there is no such open access request');
      return [{ type: 'AccessRequestFulfilled', data: { requestEventId: command.requestEventId, format: 'application/json', digest: command.digest } }];
  }
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
