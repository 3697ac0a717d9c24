import type { Actor, Basis, DenialReason } from '../events';
import type { Policy } from './define-policy';
import { addDuration } from './duration';

/** A category held, as the rules see it. */
export interface HeldCategoryFacts {
  /** The event that collected (or last rectified) it. */
  readonly eventId: string;
  /** When the last retention of its purposes runs out: no purpose may use it after that. */
  readonly retainUntil: string;
  /**
   * Each purpose it was collected for, with when that purpose's retention runs out. Absent
   * (facts that do not know them): every purpose may use it until `retainUntil`.
   */
  readonly retention?: Readonly<Record<string, string>> | undefined;
  /** When it was last collected: a purpose it was not collected for counts its own retention from then. */
  readonly collectedAt?: string | undefined;
}

/** What the rules need to know about a subject, as it stands at the moment of the decision. */
export interface SubjectFacts {
  /** Categories held, each with the event that collected (or last rectified) it and its retention. */
  readonly collected: ReadonlyMap<string, HeldCategoryFacts>;
  /** Categories erased on their own (the subject stays), each with the `DataErased` event, until collected again. */
  readonly erasedCategories?: ReadonlyMap<string, string> | undefined;
  readonly consents: ReadonlyMap<string, { readonly status: 'granted' | 'withdrawn'; readonly eventId: string; readonly expiresAt?: string | undefined }>;
  /** Each objection raised; `purposes` absent means every purpose on an objectable basis. */
  readonly objections: readonly { readonly eventId: string; readonly purposes?: readonly string[] | undefined }[];
  /** The purposes a privacy signal opted the subject out of, each with the signal's event, until her own grant lifts it; absent means none. */
  readonly optOuts?: ReadonlyMap<string, { readonly eventId: string; readonly signal: string }> | undefined;
  /** Per direct-marketing purpose, the objection that the subject's own later grant lifted; absent means none. */
  readonly objectionOverrides?: ReadonlyMap<string, string> | undefined;
  readonly restriction?: { readonly eventId: string } | undefined;
  readonly erasureRequested?: { readonly eventId: string } | undefined;
  readonly erased?: { readonly eventId: string } | undefined;
}

/** What the rules need to know about a recipient before a share. */
export interface RecipientFacts {
  readonly registered?: { readonly eventId: string; readonly agreement: string } | undefined;
  readonly verified?: { readonly eventId: string } | undefined;
  readonly suspended?: { readonly eventId: string } | undefined;
}

export interface UseRequest {
  readonly operation: 'use' | 'access' | 'share';
  readonly actor: Actor;
  readonly purpose: string;
  readonly categories: readonly string[];
  readonly now: Date;
  /** Only for shares: the recipient as it stands, or undefined when it was never registered. */
  readonly recipient?: RecipientFacts | undefined;
}

/**
 * The outcome of the rules. `evidence` lists the ids of the events the outcome rests
 * on: the consent, the collection, the recipient's verification, or what refused it.
 */
export type RuleOutcome =
  | { readonly allowed: true; readonly basis: Basis; readonly evidence: readonly string[] }
  | { readonly allowed: false; readonly reason: DenialReason; readonly detail: string; readonly evidence: readonly string[] };

const OBJECTABLE = new Set(['legitimate_interests', 'public_task']);

/**
 * When `purpose` may no longer use the category: its own retention as recorded at the
 * collection. A purpose the category was not collected for counts the retention the policy
 * gives it from the collection, and never past `retainUntil`, when the category is erased.
 */
export function retentionEnd(policy: Policy, held: HeldCategoryFacts, purpose: string): number {
  const last = Date.parse(held.retainUntil);
  const { retention, collectedAt } = held;
  if (retention === undefined) return last;
  if (Object.hasOwn(retention, purpose)) return Date.parse(retention[purpose] as string);
  const rule = policy.purposes.get(purpose);
  if (!rule || collectedAt === undefined) return last;
  return Math.min(addDuration(new Date(collectedAt), rule.retention).getTime(), last);
}

/**
 * The objection that stops a direct-marketing purpose: the latest one covering it (one naming
 * no purposes covers them all), unless the subject's own grant since lifted exactly that one.
 */
export function standingObjection(subject: SubjectFacts, purpose: string): { readonly eventId: string } | undefined {
  for (let i = subject.objections.length - 1; i >= 0; i--) {
    const objection = subject.objections[i];
    if (objection && (objection.purposes === undefined || objection.purposes.includes(purpose)))
      return subject.objectionOverrides?.get(purpose) === objection.eventId ? undefined : objection;
  }
  return undefined;
}

const deny = (reason: DenialReason, detail: string, evidence: readonly string[] = []): RuleOutcome => ({ allowed: false, reason, detail, evidence });

/** May this actor use these categories of this subject for this purpose now? Pure. */
export function checkUse(policy: Policy, subject: SubjectFacts, request: UseRequest): RuleOutcome {
  const { purpose, categories, actor } = request;
  const rule = policy.purposes.get(purpose);
  if (!rule) return deny('unknown_purpose', `the policy declares no purpose ${purpose}`);
  if (!actor.roles.some((role) => rule.roles.includes(role)))
    return deny('role_not_allowed', `purpose ${purpose} may be acted on by ${rule.roles.join(', ')}; the actor has ${actor.roles.join(', ') || 'no role'}`);
  const outside = categories.filter((category) => !rule.categories.includes(category));
  if (outside.length > 0) return deny('category_not_in_purpose', `purpose ${purpose} does not cover ${outside.join(', ')}`);
  if (subject.erased) return deny('erased', "the subject's data was erased", [subject.erased.eventId]);
  if (subject.erasureRequested) return deny('erasure_requested', 'the subject asked for erasure', [subject.erasureRequested.eventId]);
  if (subject.restriction) return deny('restricted', 'processing is restricted', [subject.restriction.eventId]);
  const erased = categories.filter((category) => subject.erasedCategories?.has(category) && !subject.collected.has(category));
  if (erased.length > 0) return deny('erased', `${erased.join(', ')} of the subject was erased`, [...new Set(erased.map((c) => subject.erasedCategories?.get(c) as string))]);
  const missing = categories.filter((category) => !subject.collected.has(category));
  if (missing.length > 0) return deny('category_not_collected', `no ${missing.join(', ')} was collected`);
  const expired = categories.filter((category) => retentionEnd(policy, subject.collected.get(category) as HeldCategoryFacts, purpose) <= request.now.getTime());
  if (expired.length > 0)
    return deny('retention_expired', `the retention period of ${expired.join(', ')} for ${purpose} has run out`, [
      ...new Set(expired.map((c) => subject.collected.get(c)?.eventId as string)),
    ]);
  const collectedBy = [...new Set(categories.map((category) => subject.collected.get(category)?.eventId as string))];

  if (request.operation === 'share') {
    if (!rule.sharing) return deny('sharing_not_allowed', `purpose ${purpose} does not allow sharing`);
    const recipient = request.recipient;
    if (!recipient?.registered) return deny('recipient_unknown', 'the recipient is not registered');
    if (recipient.suspended) return deny('recipient_suspended', 'the recipient is suspended', [recipient.suspended.eventId]);
    if (!recipient.verified) return deny('recipient_not_verified', 'the recipient is not verified', [recipient.registered.eventId]);
  }
  const recipientEvidence =
    request.operation === 'share' && request.recipient?.registered && request.recipient.verified ? [request.recipient.registered.eventId, request.recipient.verified.eventId] : [];

  const optOut = subject.optOuts?.get(purpose);
  if (optOut) return deny('opted_out', `the subject opted out of ${purpose} by a ${optOut.signal} signal`, [optOut.eventId]);
  const objected = rule.directMarketing ? standingObjection(subject, purpose) : undefined;
  if (objected) return deny('objection', `the subject objected to direct marketing for ${purpose}`, [objected.eventId]);

  if (rule.legalBasis === 'consent') {
    const consent = subject.consents.get(purpose);
    if (!consent) return deny('no_consent', `no consent was given for ${purpose}`);
    if (consent.status === 'withdrawn') return deny('consent_withdrawn', `consent for ${purpose} was withdrawn`, [consent.eventId]);
    if (consent.expiresAt !== undefined && Date.parse(consent.expiresAt) <= request.now.getTime())
      return deny('consent_expired', `consent for ${purpose} expired at ${consent.expiresAt}`, [consent.eventId]);
    return {
      allowed: true,
      basis: { legalBasis: 'consent', consentEventId: consent.eventId },
      evidence: [consent.eventId, ...collectedBy, ...recipientEvidence],
    };
  }
  if (OBJECTABLE.has(rule.legalBasis)) {
    const objection = subject.objections.find((o) => o.purposes === undefined || o.purposes.includes(purpose));
    if (objection) return deny('objection', `the subject objected to processing for ${purpose}`, [objection.eventId]);
  }
  return { allowed: true, basis: { legalBasis: rule.legalBasis }, evidence: [...collectedBy, ...recipientEvidence] };
}
