import type { Actor, Basis, CustodianEvent, Policy, RecipientEntry } from '@custodian/core';
import type { TimelineKind } from './kinds';
import { actorWords, basisWords, dayWords, list, refusalWords, timeWords } from './words';

export interface TimelineRecipient {
  readonly id: string;
  readonly name?: string | undefined;
  readonly country?: string | undefined;
  readonly agreement?: string | undefined;
}

/** One step of the lifecycle: what happened, who did it and why, in plain words. No personal values. */
export interface TimelineItem {
  readonly kind: TimelineKind;
  readonly at: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly what: string;
  readonly who: string;
  readonly why: string;
  readonly actor: Actor;
  readonly purposes: readonly string[];
  readonly categories: readonly string[];
  readonly recipients: readonly TimelineRecipient[];
  /** What the processing was, in the words of the service that did it: `campaign:spring-sale`. */
  readonly activity?: string | undefined;
  /** The legal basis code that allowed it, for an allowed use, access or share. */
  readonly basis?: string | undefined;
  /** The refusal reason code, for a refused attempt. */
  readonly reason?: string | undefined;
  /** The ledger's own sentence about a refusal. */
  readonly detail?: string | undefined;
}

export interface TimelineContext {
  readonly subjectId: string;
  readonly policy?: Policy | undefined;
  readonly recipients: ReadonlyMap<string, RecipientEntry>;
}

/** The subject's stream as a timeline, oldest first. */
export function buildTimeline(events: readonly CustodianEvent[], context: TimelineContext): TimelineItem[] {
  const items: TimelineItem[] = [];
  const consents = new Map<string, Extract<CustodianEvent, { type: 'ConsentGranted' }>>();
  for (const event of events) {
    if (event.type === 'ConsentGranted') consents.set(event.id, event);
    const item = describe(event, context, consents);
    if (item) items.push(item);
  }
  return items;
}

type Described = Pick<TimelineItem, 'kind' | 'what' | 'why'> & Partial<Pick<TimelineItem, 'purposes' | 'categories' | 'recipients' | 'activity' | 'basis' | 'reason' | 'detail'>>;

function describe(event: CustodianEvent, context: TimelineContext, consents: ReadonlyMap<string, Extract<CustodianEvent, { type: 'ConsentGranted' }>>): TimelineItem | undefined {
  // "offers by email (marketing.email)" where the policy describes the purpose.
  const purpose = (name: string) => {
    const description = context.policy?.purposes.get(name)?.description;
    return description ? `${description} (${name})` : name;
  };
  const recipient = (id: string): TimelineRecipient => {
    const entry = context.recipients.get(id);
    return { id, name: entry?.name, country: entry?.country, agreement: entry?.agreement };
  };
  const recipientName = (id: string) => {
    const r = recipient(id);
    return r.name ? `${r.name}${r.country ? ` (${r.country})` : ''}` : id;
  };
  const allowedBy = (basis: Basis) => {
    const consent = basis.consentEventId ? consents.get(basis.consentEventId) : undefined;
    if (basis.legalBasis === 'consent' && consent)
      return `Allowed by the customer's consent to ${consent.data.purpose}, given on ${timeWords(consent.occurredAt)} (${consent.data.method}).`;
    return `Allowed on the legal basis of ${basisWords(basis.legalBasis)}.`;
  };

  let described: Described | undefined;
  switch (event.type) {
    case 'DataCollected': {
      const { data } = event;
      const why = data.purposes.map((p) => `${p} (legal basis: ${basisWords(data.legalBases[p] ?? 'consent')})`);
      described = {
        kind: 'collected',
        what: `Collected ${list(data.categories)} from ${data.source}.`,
        why: `For ${list(why)}. Privacy notice shown: ${data.notice.id} ${data.notice.version}. Kept until ${dayWords(data.retainUntil)} at the latest.`,
        purposes: data.purposes,
        categories: data.categories,
      };
      break;
    }
    case 'DataRectified':
      described = {
        kind: 'rectified',
        what: `Corrected ${list(event.data.categories)}.`,
        why: 'The stored value was replaced by a corrected one; the old one stays unreadable in the history.',
        categories: event.data.categories,
      };
      break;
    case 'ConsentGranted': {
      const { data } = event;
      described = {
        kind: 'consented',
        what: `The customer consented to ${purpose(data.purpose)}.`,
        why: `Given by ${data.method}, under privacy notice ${data.notice.id} ${data.notice.version}${data.expiresAt ? `; valid until ${dayWords(data.expiresAt)}` : ''}.`,
        purposes: [data.purpose],
        basis: 'consent',
      };
      break;
    }
    case 'ConsentWithdrawn':
      described = {
        kind: 'withdrawn',
        what: `The customer withdrew consent to ${purpose(event.data.purpose)}.`,
        why: `${event.data.method ? `Withdrawn by ${event.data.method}. ` : ''}From then on no one may use the customer's data for ${event.data.purpose}.`,
        purposes: [event.data.purpose],
      };
      break;
    case 'ObjectionRaised': {
      const purposes = event.data.purposes ?? [];
      described = {
        kind: 'objected',
        what: `The customer objected to processing${purposes.length > 0 ? ` for ${list(purposes.map(purpose))}` : ' based on legitimate interests or a public task'}.`,
        why: 'Right to object (GDPR Art. 21): processing on those grounds must stop.',
        purposes,
      };
      break;
    }
    case 'ProcessingRestricted':
      described = {
        kind: 'restricted',
        what: "Processing of the customer's data was restricted.",
        why: 'Right to restriction (GDPR Art. 18): the data is kept but may not be used.',
      };
      break;
    case 'RestrictionLifted':
      described = { kind: 'restriction-lifted', what: 'The restriction was lifted.', why: 'The data may be used again for the purposes it was collected for.' };
      break;
    case 'DataAccessed':
      described = {
        kind: 'accessed',
        what: `Read ${list(event.data.categories)} for ${purpose(event.data.purpose)}.`,
        why: allowedBy(event.data.basis),
        purposes: [event.data.purpose],
        categories: event.data.categories,
        basis: event.data.basis.legalBasis,
      };
      break;
    case 'DataUsed':
      described = {
        kind: 'used',
        what: `Used ${list(event.data.categories)} for ${purpose(event.data.purpose)}.`,
        activity: event.data.activity,
        why: allowedBy(event.data.basis),
        purposes: [event.data.purpose],
        categories: event.data.categories,
        basis: event.data.basis.legalBasis,
      };
      break;
    case 'DataShared':
      described = {
        kind: 'shared',
        what: `Shared ${list(event.data.categories)} with ${recipientName(event.data.recipientId)} for ${purpose(event.data.purpose)}.`,
        why: `${allowedBy(event.data.basis)} Under agreement ${event.data.agreement}.`,
        purposes: [event.data.purpose],
        categories: event.data.categories,
        recipients: [recipient(event.data.recipientId)],
        basis: event.data.basis.legalBasis,
      };
      break;
    case 'ShareRevoked':
      described = {
        kind: 'share-revoked',
        what: `Sharing with ${recipientName(event.data.recipientId)} was stopped.`,
        why: 'The recipient may no longer use its copy.',
        recipients: [recipient(event.data.recipientId)],
      };
      break;
    case 'UseDenied': {
      const { data } = event;
      const categories = list(data.categories);
      const what =
        data.operation === 'share'
          ? `Tried to share ${categories} with ${data.recipientId ? recipientName(data.recipientId) : 'a recipient'} for ${purpose(data.purpose)}: refused.`
          : `Tried to ${data.operation === 'access' ? 'read' : 'use'} ${categories} for ${purpose(data.purpose)}: refused.`;
      described = {
        kind: 'refused',
        what,
        why: `Refused because ${refusalWords(data.reason)}.`,
        purposes: [data.purpose],
        categories: data.categories,
        recipients: data.recipientId ? [recipient(data.recipientId)] : [],
        reason: data.reason,
        detail: data.detail,
        activity: data.activity,
      };
      break;
    }
    case 'ErasureRequested':
      described = { kind: 'erasure-requested', what: 'The customer asked for their data to be erased.', why: 'Right to erasure (GDPR Art. 17).' };
      break;
    case 'DataErased': {
      const notified = event.data.recipientsNotified;
      described = {
        kind: 'erased',
        what: "All of the customer's data was erased.",
        why: `By destroying the only key that opens it (crypto-shredding): no copy in the ledger can be read again.${
          notified.length > 0 ? ` Erasure notices sent to ${list(notified.map(recipientName))}.` : ''
        }`,
        recipients: notified.map(recipient),
      };
      break;
    }
    case 'RecipientErasureConfirmed':
      described = {
        kind: 'erasure-confirmed',
        what: `${recipientName(event.data.recipientId)} confirmed it erased its copy.`,
        why: 'Recipients must erase their copies too (GDPR Art. 19).',
        recipients: [recipient(event.data.recipientId)],
      };
      break;
    case 'AccessRequestReceived':
      described = {
        kind: 'access-requested',
        what: `The customer asked for ${event.data.right === 'portability' ? 'their data in a portable form' : 'a copy of their data'}.`,
        why: event.data.right === 'portability' ? 'Right to data portability (GDPR Art. 20).' : 'Right of access (GDPR Art. 15).',
      };
      break;
    case 'AccessRequestFulfilled':
      described = {
        kind: 'access-fulfilled',
        what: 'A copy of the data was handed over.',
        why: `Its fingerprint (SHA-256 ${event.data.digest.slice(0, 12)}…) is recorded, so both sides can prove what was handed over.`,
      };
      break;
    default:
      described = undefined;
  }
  if (!described) return undefined;
  const { kind, what, why, purposes = [], categories = [], recipients = [], ...rest } = described;
  return {
    kind,
    at: event.occurredAt,
    eventId: event.id,
    eventType: event.type,
    what,
    who: actorWords(event.actor, context.subjectId),
    why,
    actor: event.actor,
    purposes,
    categories,
    recipients,
    ...rest,
  };
}
