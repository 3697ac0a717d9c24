import type { Actor, RecipientNoticeReason } from '../events';

// The report is read by people who do not know the event catalog: every code it shows
// comes with words.

const BASES: Readonly<Record<string, string>> = {
  consent: "the customer's consent",
  contract: 'a contract with the customer',
  legal_obligation: 'a legal obligation',
  vital_interests: "someone's vital interests",
  public_task: 'a task in the public interest',
  legitimate_interests: "the company's legitimate interests",
};

export const basisWords = (legalBasis: string): string => BASES[legalBasis] ?? legalBasis;

const REFUSALS: Readonly<Record<string, string>> = {
  unknown_purpose: 'the purpose is not one the policy declares',
  role_not_allowed: 'whoever asked does not hold a role allowed for this purpose',
  category_not_in_purpose: 'this kind of data is not covered by the purpose',
  category_not_collected: 'this data was never collected',
  retention_expired: 'the time the data may be kept for this purpose had run out',
  no_consent: 'the customer had not given consent',
  consent_withdrawn: 'the customer had withdrawn consent',
  consent_expired: "the customer's consent had expired",
  objection: 'the customer had objected to this processing',
  opted_out: 'the customer had opted out with a Global Privacy Control signal',
  restricted: "processing was restricted at the customer's request",
  erasure_requested: 'the customer had asked for their data to be erased',
  erased: "the customer's data had been erased",
  sharing_not_allowed: 'the policy does not allow sharing for this purpose',
  recipient_unknown: 'the recipient is not registered',
  recipient_not_verified: 'the recipient had not been verified',
  recipient_suspended: 'the recipient was suspended',
};

export const refusalWords = (reason: string): string => REFUSALS[reason] ?? reason.replace(/_/g, ' ');

const BROKEN: Readonly<Record<string, string>> = {
  malformed: 'the record is not a well-formed Custodian record',
  hash_mismatch: "the record's bytes no longer match its hash: it was changed",
  prev_hash_mismatch: 'it does not link to the event before it: an event was removed, inserted or moved',
  revision_gap: 'a revision is missing: an event was deleted',
  id_mismatch: "the stored event id is not the record's own",
  stream_mismatch: 'the record names another stream than the one it is stored in: it was copied or moved here',
  duplicate_id: 'its event id was already seen earlier in the log: it is a copy',
};

export const brokenWords = (reason: string): string => BROKEN[reason] ?? reason;

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** Who acted, as a person would say it: "The customer", "campaign-service (a service, role marketing)". */
export function actorWords(actor: Actor, subjectId: string): string {
  if (actor.kind === 'subject') return actor.id === subjectId ? 'The customer' : `Subject ${actor.id}`;
  const roles = actor.roles.length === 0 ? '' : `, ${actor.roles.length === 1 ? 'role' : 'roles'} ${actor.roles.join(', ')}`;
  return `${actor.id} (${article(actor.kind)} ${actor.kind}${roles})`;
}

export const listWords = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`);

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

// A page shows a hundred times and Intl's format costs microseconds each: the month names are
// Intl's own (en-GB's "Sept" among them), asked once, and the rest is arithmetic on UTC fields.
const MONTHS = Array.from({ length: 12 }, (_, month) => DAY.formatToParts(Date.UTC(2000, month, 15)).find((part) => part.type === 'month')?.value ?? '');
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** "29 Nov 2026" */
export function dayWords(iso: string): string {
  const date = new Date(iso);
  // Intl's words for the years arithmetic does not cover; no date at all throws, as Intl does.
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid time value');
  if (date.getUTCFullYear() < 1) return DAY.format(date);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCFullYear()}`;
}

/** "19:30:01 UTC" */
export function clockWords(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid time value');
  return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC`;
}
/** "29 Nov 2026, 19:30:01 UTC" */
export const timeWords = (iso: string): string => `${dayWords(iso)}, ${clockWords(iso)}`;

/** Where a recipient's copy stands, in words. */
export function copyWords(copy: { readonly revokedAt?: string | undefined; readonly erasure: string }): string {
  if (copy.erasure === 'pending') return 'asked to erase, not yet confirmed';
  if (copy.erasure === 'confirmed') return 'confirmed erasing its copy';
  return copy.revokedAt ? 'sharing stopped' : 'holds a copy';
}

const RIGHTS: Readonly<Record<string, string>> = {
  access: 'a copy of their data (Art. 15)',
  portability: 'their data in a portable form (Art. 20)',
  erasure: 'erasure (Art. 17)',
};

/** What a request asks for: "erasure (Art. 17)". */
export const rightWords = (right: string): string => RIGHTS[right] ?? right;

/** Where a request stands against its deadline: "8 days left", "due today", "1 day overdue". */
export function daysLeftWords(daysLeft: number): string {
  if (daysLeft === 0) return 'due today';
  const days = Math.abs(daysLeft);
  return `${days} ${days === 1 ? 'day' : 'days'} ${daysLeft > 0 ? 'left' : 'overdue'}`;
}

const EXTENSION_REASONS: Readonly<Record<string, string>> = {
  complexity: 'the complexity of the request',
  number_of_requests: 'the number of requests',
};

/** Why a deadline was extended, in words: "the complexity of the request". */
export const extensionWords = (reason: string): string => EXTENSION_REASONS[reason] ?? reason.replace(/_/g, ' ');

/** "kept until 1 Jan 2028", or where the purposes' retention differs, "kept for fraud.prevention until 31 Jan 2026 and for marketing.email until 1 Jan 2028". */
export function retentionWords(retention: Readonly<Record<string, string>>, retainUntil: string): string {
  const ends = Object.entries(retention);
  if (new Set(ends.map(([, end]) => end)).size <= 1) return `kept until ${dayWords(ends[0]?.[1] ?? retainUntil)}`;
  return `kept ${listWords(ends.map(([purpose, end]) => `for ${purpose} until ${dayWords(end)}`))}`;
}

const ERASURE_REASONS: Readonly<Record<string, string>> = {
  erasure_request: 'erased on request',
  retention_expired: 'erased once no purpose could keep it any longer',
};

/** Why a category was erased, in words. */
export const erasureReasonWords = (reason: string): string => ERASURE_REASONS[reason] ?? `erased (${reason.replace(/_/g, ' ')})`;

/** The change a recipient is told of: "the correction of contact.email", "the restriction of processing". */
export function changeWords(notice: { readonly reason: RecipientNoticeReason; readonly categories: readonly string[]; readonly purpose?: string | undefined }): string {
  switch (notice.reason) {
    case 'rectification':
      return `the correction of ${listWords(notice.categories)}`;
    case 'restriction':
      return 'the restriction of processing';
    case 'consent_withdrawn':
      return `the withdrawal of consent to ${notice.purpose ?? 'the purpose it received the data for'}`;
    case 'erasure':
      return `the erasure of ${listWords(notice.categories)}`;
    case 'opted_out':
      return 'the opt-out, by a privacy signal, of the sale or sharing it received the data for';
  }
}
