import { z } from 'zod';

const dotted = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/** A kind of personal data, dotted: `contact.email`, `financial.card`. */
export const Category = z.string().max(100).regex(dotted, 'must be lowercase dotted words, like contact.email');
export type Category = z.infer<typeof Category>;

/** Why data is processed, as declared in the policy: `marketing.email`. */
export const Purpose = z.string().max(100).regex(dotted, 'must be lowercase dotted words, like marketing.email');
export type Purpose = z.infer<typeof Purpose>;

/** GDPR Art. 6(1)(a)–(f). */
export const LegalBasis = z.enum(['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests']);
export type LegalBasis = z.infer<typeof LegalBasis>;

export const ActorKind = z.enum(['employee', 'service', 'subject', 'recipient']);

const EMAIL_LIKE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE_LIKE = /^\+?[\d\s().-]{7,}$/;
const looksPersonal = (text: string) => EMAIL_LIKE.test(text) || (PHONE_LIKE.test(text) && !/[a-z]/i.test(text));
const NOT_PERSONAL = 'looks like an email address or a phone number; it is stored as it is, so it must not be personal data';

/** A role an actor holds and a policy grants: `marketing`, `privacy`. */
export const Role = z
  .string()
  .min(1)
  .max(100)
  .refine((role) => !looksPersonal(role), NOT_PERSONAL);

/** Entries after the first that repeat an earlier one, as issues at their index: a list of names holds each once. */
export const noRepeats = (list: readonly unknown[], context: z.RefinementCtx) => {
  const first = new Map<unknown, number>();
  list.forEach((entry, i) => {
    const earlier = first.get(entry);
    if (earlier === undefined) first.set(entry, i);
    else context.addIssue({ code: 'custom', path: [i], message: `repeats entry ${earlier}` });
  });
};

/** Who acts: an employee, a service, the subject themself or a recipient. */
export const Actor = z.strictObject({
  /** Recorded in plaintext on every event it writes: an employee number or a service name, never an address. */
  id: z
    .string()
    .min(1)
    .max(200)
    .refine((id) => !looksPersonal(id), NOT_PERSONAL),
  kind: ActorKind,
  roles: z.array(Role).max(50).superRefine(noRepeats),
});
export type Actor = z.infer<typeof Actor>;

/** The privacy notice shown when collecting or asking consent. */
export const Notice = z.strictObject({ id: z.string().min(1).max(200), version: z.string().min(1).max(50) });
export type Notice = z.infer<typeof Notice>;

/** An identifier that is never personal data itself (see `pseudonymize`). */
export const Identifier = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'may hold only letters, digits and . _ : -')
  .refine((id) => !looksPersonal(id), NOT_PERSONAL);

/**
 * A subject's id: opaque, never personal data itself. An email address or a phone
 * number is refused; `pseudonymize(secret, email)` makes a proper one.
 */
export const SubjectId = z
  .string()
  .min(1)
  .max(200)
  .refine((id) => !EMAIL_LIKE.test(id), 'looks like an email address; a subject id must not be personal data: use pseudonymize(secret, email)')
  .refine((id) => !PHONE_LIKE.test(id) || /[a-z]/i.test(id), 'looks like a phone number; a subject id must not be personal data: use pseudonymize(secret, phone)')
  .pipe(Identifier);

export const EventId = z.string().uuid();

/** A personal value sealed with the subject's key (`gcm1.<iv>.<ciphertext+tag>`, base64url). */
export const Sealed = z.string().regex(/^gcm1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a sealed value');
export type Sealed = z.infer<typeof Sealed>;

export const Timestamp = z.iso.datetime({ offset: true });

/** An ISO 8601 duration such as `P2Y`, `P6M`, `P30D`, `PT12H`. */
export const IsoDuration = z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'must be an ISO 8601 duration like P2Y');

/** The recorded reason a use, access or share was refused. */
export const DenialReason = z.enum([
  'unknown_purpose',
  'role_not_allowed',
  'category_not_in_purpose',
  'category_not_collected',
  'retention_expired',
  'no_consent',
  'consent_withdrawn',
  'consent_expired',
  'objection',
  'opted_out',
  'restricted',
  'erasure_requested',
  'erased',
  'sharing_not_allowed',
  'recipient_unknown',
  'recipient_not_verified',
  'recipient_suspended',
]);
export type DenialReason = z.infer<typeof DenialReason>;

/** What allowed a use: the legal basis, and for consent the id of the `ConsentGranted` event. */
export const Basis = z.object({
  legalBasis: LegalBasis,
  consentEventId: EventId.optional(),
});
export type Basis = z.infer<typeof Basis>;
