import { retentionOfCategory, type Basis, type CustodianEvent } from '../events';
import type { Policy } from '../policy';
import type { RecipientEntry } from '../projections';
import type { TimelineItem, TimelineRecipient } from './timeline';
import { basisWords, changeWords, dayWords, extensionWords, listWords, refusalWords, retentionWords, timeWords } from './words';

const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

export type Described = Pick<TimelineItem, 'kind' | 'what' | 'why'> &
  Partial<Pick<TimelineItem, 'purposes' | 'categories' | 'recipients' | 'activity' | 'basis' | 'reason' | 'detail'>>;

type Granted = Extract<CustodianEvent, { type: 'ConsentGranted' }>;

/** What a describer knows besides its event: the policy's words, the recipients' registry, the consents given so far. */
export interface DescribeContext {
  readonly policy?: Policy | undefined;
  readonly recipients: ReadonlyMap<string, RecipientEntry>;
  readonly consents: ReadonlyMap<string, Granted>;
}

export type Describer<E extends CustodianEvent> = (event: E, context: DescribeContext) => Described;
type Of<T extends CustodianEvent['type']> = Describer<Extract<CustodianEvent, { type: T }>>;

/** "offers by email (marketing.email)" where the policy describes the purpose. */
function purposeWords(context: DescribeContext, name: string): string {
  const description = context.policy?.purposes.get(name)?.description;
  return description ? `${description} (${name})` : name;
}

function recipientOf(context: DescribeContext, id: string): TimelineRecipient {
  const entry = context.recipients.get(id);
  return { id, name: entry?.name, country: entry?.country, agreement: entry?.agreement };
}

function recipientName(context: DescribeContext, id: string): string {
  const recipient = recipientOf(context, id);
  return recipient.name ? `${recipient.name}${recipient.country ? ` (${recipient.country})` : ''}` : id;
}

function allowedBy(context: DescribeContext, basis: Basis): string {
  const consent = basis.consentEventId ? context.consents.get(basis.consentEventId) : undefined;
  if (basis.legalBasis === 'consent' && consent)
    return `Allowed by the customer's consent to ${consent.data.purpose}, given on ${timeWords(consent.occurredAt)} (${consent.data.method}).`;
  return `Allowed on the legal basis of ${basisWords(basis.legalBasis)}.`;
}

/** "Kept for marketing.email until 1 Jun 2028 and for fraud.prevention until 1 Jul 2026, and no longer than 1 Jun 2028.": each purpose by the last of its categories' retention. */
function keptWords(data: Extract<CustodianEvent, { type: 'DataCollected' }>['data']): string {
  const ends = new Map<string, string>();
  for (const category of data.categories)
    for (const [purpose, end] of Object.entries(retentionOfCategory(data, category))) {
      const before = ends.get(purpose);
      if (before === undefined || Date.parse(end) > Date.parse(before)) ends.set(purpose, end);
    }
  if (new Set(ends.values()).size <= 1) return `Kept until ${dayWords(data.retainUntil)} at the latest.`;
  return `${capitalised(retentionWords(Object.fromEntries(ends), data.retainUntil))}, and no longer than ${dayWords(data.retainUntil)}.`;
}

const collected: Of<'DataCollected'> = ({ data }) => {
  const why = data.purposes.map((p) => `${p} (legal basis: ${basisWords(data.legalBases[p] ?? 'consent')})`);
  return {
    kind: 'collected',
    what: `Collected ${listWords(data.categories)} from ${data.source}.`,
    why: `For ${listWords(why)}. Privacy notice shown: ${data.notice.id} ${data.notice.version}. ${keptWords(data)}`,
    purposes: data.purposes,
    categories: data.categories,
  };
};

const rectified: Of<'DataRectified'> = ({ data }) => ({
  kind: 'rectified',
  what: `Corrected ${listWords(data.categories)}.`,
  why: 'The stored value was replaced by a corrected one; the old one stays unreadable in the history.',
  categories: data.categories,
});

const lifted = ({ overridesSignal, overridesObjection }: Granted['data']): string => {
  const what = [overridesSignal && 'their Global Privacy Control opt-out', overridesObjection && 'their objection to direct marketing'].filter((text) => typeof text === 'string');
  return what.length > 0 ? ` The customer gave it themself, after ${listWords(what)}, which it lifts for this purpose.` : '';
};

const consented: Of<'ConsentGranted'> = ({ data }, context) => ({
  kind: 'consented',
  what: `The customer consented to ${purposeWords(context, data.purpose)}.`,
  why: `Given by ${data.method}, under privacy notice ${data.notice.id} ${data.notice.version}${data.expiresAt ? `; valid until ${dayWords(data.expiresAt)}` : ''}.${lifted(data)}`,
  purposes: [data.purpose],
  basis: 'consent',
});

const SIGNAL_SOURCES: Readonly<Record<string, string>> = { 'http-header': 'an HTTP header', dom: "the browser's page script", api: 'an API call' };

const optedOut: Of<'PrivacySignalApplied'> = ({ data }, context) => {
  const from = `${SIGNAL_SOURCES[data.source.kind] ?? data.source.kind}${data.source.origin ? ` sent to ${data.source.origin}` : ''}`;
  return {
    kind: 'opted-out',
    what: `A Global Privacy Control signal opted the customer out of ${listWords(data.purposes.map((p) => purposeWords(context, p)))}.`,
    why: `Received as ${from}${data.receivedAt ? ` at ${timeWords(data.receivedAt)}` : ''}. An opt-out of selling, sharing and targeted advertising: it never grants anything, and only the customer's own consent lifts it.`,
    purposes: data.purposes,
  };
};

const withdrawn: Of<'ConsentWithdrawn'> = ({ data }, context) => ({
  kind: 'withdrawn',
  what: `The customer withdrew consent to ${purposeWords(context, data.purpose)}.`,
  why: `${data.method ? `Withdrawn by ${data.method}. ` : ''}From then on no one may use the customer's data for ${data.purpose}.`,
  purposes: [data.purpose],
});

const objected: Of<'ObjectionRaised'> = ({ data }, context) => {
  const purposes = data.purposes ?? [];
  const grounds =
    purposes.length > 0 ? ` for ${listWords(purposes.map((p) => purposeWords(context, p)))}` : ' based on legitimate interests or a public task, and to direct marketing';
  return {
    kind: 'objected',
    what: `The customer objected to processing${grounds}.`,
    why: "Right to object (GDPR Art. 21): processing on those grounds, and any direct marketing, must stop; only the customer's own consent starts direct marketing again.",
    purposes,
  };
};

const accessed: Of<'DataAccessed'> = ({ data }, context) => ({
  kind: 'accessed',
  what: `Read ${listWords(data.categories)} for ${purposeWords(context, data.purpose)}.`,
  why: allowedBy(context, data.basis),
  purposes: [data.purpose],
  categories: data.categories,
  basis: data.basis.legalBasis,
});

const used: Of<'DataUsed'> = ({ data }, context) => ({
  kind: 'used',
  what: `Used ${listWords(data.categories)} for ${purposeWords(context, data.purpose)}.`,
  activity: data.activity,
  why: allowedBy(context, data.basis),
  purposes: [data.purpose],
  categories: data.categories,
  basis: data.basis.legalBasis,
});

const shared: Of<'DataShared'> = ({ data }, context) => ({
  kind: 'shared',
  what: `Shared ${listWords(data.categories)} with ${recipientName(context, data.recipientId)} for ${purposeWords(context, data.purpose)}.`,
  why: `${allowedBy(context, data.basis)} Under agreement ${data.agreement}.`,
  purposes: [data.purpose],
  categories: data.categories,
  recipients: [recipientOf(context, data.recipientId)],
  basis: data.basis.legalBasis,
});

const shareRevoked: Of<'ShareRevoked'> = ({ data }, context) => ({
  kind: 'share-revoked',
  what: `Sharing with ${recipientName(context, data.recipientId)} was stopped.`,
  why: 'The recipient may no longer use its copy.',
  recipients: [recipientOf(context, data.recipientId)],
});

const refused: Of<'UseDenied'> = ({ data }, context) => {
  const categories = listWords(data.categories);
  const purpose = purposeWords(context, data.purpose);
  const what =
    data.operation === 'share'
      ? `Tried to share ${categories} with ${data.recipientId ? recipientName(context, data.recipientId) : 'a recipient'} for ${purpose}: refused.`
      : `Tried to ${data.operation === 'access' ? 'read' : 'use'} ${categories} for ${purpose}: refused.`;
  return {
    kind: 'refused',
    what,
    why: `Refused because ${refusalWords(data.reason)}.`,
    purposes: [data.purpose],
    categories: data.categories,
    recipients: data.recipientId ? [recipientOf(context, data.recipientId)] : [],
    reason: data.reason,
    detail: data.detail,
    activity: data.activity,
  };
};

const erased: Of<'DataErased'> = ({ data }, context) => {
  const notified = data.recipientsNotified;
  const notices = notified.length > 0 ? ` Erasure notices sent to ${listWords(notified.map((id) => recipientName(context, id)))}.` : '';
  const because = data.reason === 'retention_expired' ? ' No purpose could keep it any longer: its retention had run out.' : '';
  if (data.scope === 'categories') {
    const categories = data.categories ?? [];
    return {
      kind: 'erased',
      what: `The customer's ${listWords(categories)} ${categories.length === 1 ? 'was' : 'were'} erased; the rest of their data is kept.`,
      why: `By destroying the keys that open ${categories.length === 1 ? 'it' : 'them'} (crypto-shredding): no copy in the ledger can be read again.${because}${notices}`,
      categories,
      recipients: notified.map((id) => recipientOf(context, id)),
    };
  }
  return {
    kind: 'erased',
    what: "All of the customer's data was erased.",
    why: `By destroying the keys that open it (crypto-shredding): no copy in the ledger can be read again.${because}${notices}`,
    recipients: notified.map((id) => recipientOf(context, id)),
  };
};

const erasureConfirmed: Of<'RecipientErasureConfirmed'> = ({ data }, context) => ({
  kind: 'erasure-confirmed',
  what: `${recipientName(context, data.recipientId)} confirmed it erased its copy.`,
  why: 'Recipients must erase their copies too (GDPR Art. 19).',
  recipients: [recipientOf(context, data.recipientId)],
});

/** The deadline an event recorded, in words; an event recorded before requests carried one says nothing of it. */
const dueWords = (dueBy: string | undefined): string => (dueBy ? ` To be answered by ${dayWords(dueBy)} (GDPR Art. 12(3)).` : '');

const noticeOwed: Of<'RecipientNoticeOwed'> = ({ data }, context) => ({
  kind: 'notice-owed',
  what: `${recipientName(context, data.recipientId)} must be told of ${changeWords(data)}.`,
  why: 'Every recipient holding a copy must be told of a correction, a restriction or a withdrawal (GDPR Art. 19); the notice stays owed until it confirms.',
  categories: data.categories,
  purposes: data.purpose ? [data.purpose] : [],
  recipients: [recipientOf(context, data.recipientId)],
});

const noticeConfirmed: Of<'RecipientNoticeConfirmed'> = ({ data }, context) => ({
  kind: 'notice-confirmed',
  what: `${recipientName(context, data.recipientId)} confirmed it acted on the change it was told of.`,
  why: 'Its copy now follows the correction, restriction or withdrawal (GDPR Art. 19).',
  recipients: [recipientOf(context, data.recipientId)],
});

const accessRequested: Of<'AccessRequestReceived'> = ({ data }) => ({
  kind: 'access-requested',
  what: `The customer asked for ${data.right === 'portability' ? 'their data in a portable form' : 'a copy of their data'}.`,
  why: `${data.right === 'portability' ? 'Right to data portability (GDPR Art. 20).' : 'Right of access (GDPR Art. 15).'}${dueWords(data.dueBy)}`,
});

const deadlineExtended: Of<'RequestDeadlineExtended'> = ({ data }) => ({
  kind: 'deadline-extended',
  what: `The deadline to answer the customer's request was extended to ${dayWords(data.until)}.`,
  why: `Because of ${extensionWords(data.reason)} (GDPR Art. 12(3) allows two further months); the customer is to be told why.`,
});

const accessFulfilled: Of<'AccessRequestFulfilled'> = ({ data }) => ({
  kind: 'access-fulfilled',
  what: 'A copy of the data was handed over.',
  why: `Its fingerprint (SHA-256 ${data.digest.slice(0, 12)}…) is recorded, so both sides can prove what was handed over.`,
});

/**
 * One describer per event type of a subject's lifecycle; a type without one (the policy,
 * a recipient's registration) is not a step of it. Adding an event to the timeline is one
 * describer here and, if it is a new kind of step, one entry in KINDS.
 */
export const DESCRIBERS: { readonly [T in CustodianEvent['type']]?: Of<T> } = {
  DataCollected: collected,
  DataRectified: rectified,
  ConsentGranted: consented,
  ConsentWithdrawn: withdrawn,
  ObjectionRaised: objected,
  PrivacySignalApplied: optedOut,
  ProcessingRestricted: () => ({
    kind: 'restricted',
    what: "Processing of the customer's data was restricted.",
    why: 'Right to restriction (GDPR Art. 18): the data is kept but may not be used.',
  }),
  RestrictionLifted: () => ({ kind: 'restriction-lifted', what: 'The restriction was lifted.', why: 'The data may be used again for the purposes it was collected for.' }),
  DataAccessed: accessed,
  DataUsed: used,
  DataShared: shared,
  ShareRevoked: shareRevoked,
  UseDenied: refused,
  ErasureRequested: ({ data }) => ({
    kind: 'erasure-requested',
    what: 'The customer asked for their data to be erased.',
    why: `Right to erasure (GDPR Art. 17).${dueWords(data.dueBy)}`,
  }),
  DataErased: erased,
  RecipientErasureConfirmed: erasureConfirmed,
  RecipientNoticeOwed: noticeOwed,
  RecipientNoticeConfirmed: noticeConfirmed,
  AccessRequestReceived: accessRequested,
  AccessRequestFulfilled: accessFulfilled,
  RequestDeadlineExtended: deadlineExtended,
};
