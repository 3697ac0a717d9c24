import { z } from 'zod';
import { Actor, Category, ConsentMethod, Identifier, noRepeats, Notice, Purpose, SubjectId } from '../events';

/** No command names more purposes or categories than this; a policy that needs more is not one a person can read. */
const MOST_NAMES = 64;

/** A list of names: at least one, at most 64, each once. */
const Names = <T extends z.ZodType>(name: T) => z.array(name).min(1).max(MOST_NAMES).superRefine(noRepeats);

/** A personal value as given by the caller; it is sealed before anything is stored. */
const PersonalValue = z.string().min(1, 'must not be empty').max(10_000);
const Values = z
  .record(Category, PersonalValue)
  .refine((values) => Object.keys(values).length > 0, 'must hold at least one category')
  .refine((values) => Object.keys(values).length <= MOST_NAMES, `must hold at most ${MOST_NAMES} categories`);
const When = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => (v instanceof Date ? v : new Date(v)));
const FreeText = z.string().min(1).max(2_000);

const Tracing = {
  correlationId: z.string().min(1).max(200).optional(),
  causationId: z.string().min(1).max(200).optional(),
};
const OnSubject = { subjectId: SubjectId, actor: Actor, ...Tracing };
const OnRecipient = { recipientId: Identifier, actor: Actor, ...Tracing };

// Every command is strict: a misspelt field (`expiresat`) is refused by name, not dropped.
export const CollectInput = z.strictObject({
  ...OnSubject,
  /** Where the data came from: `checkout-form`, `crm-import`. */
  source: z.string().min(1).max(200),
  purposes: Names(Purpose),
  notice: Notice,
  data: Values,
});
export const RectifyInput = z.strictObject({ ...OnSubject, data: Values });
export const GrantConsentInput = z.strictObject({
  ...OnSubject,
  purpose: Purpose,
  notice: Notice,
  method: ConsentMethod,
  /** What was shown or signed; sealed, since it may hold personal data. */
  evidence: FreeText.optional(),
  /** Must be after the grant, as the ledger's clock tells it. */
  expiresAt: When.optional(),
});
export const WithdrawConsentInput = z.strictObject({ ...OnSubject, purpose: Purpose, method: ConsentMethod.optional() });
export const ObjectInput = z.strictObject({ ...OnSubject, purposes: Names(Purpose).optional(), reason: FreeText.optional() });
export const RestrictInput = z.strictObject({ ...OnSubject, reason: FreeText.optional() });
export const LiftRestrictionInput = z.strictObject(OnSubject);
export const UseInput = z.strictObject({ ...OnSubject, purpose: Purpose, categories: Names(Category), activity: z.string().min(1).max(200) });
export const AccessInput = z.strictObject({ ...OnSubject, purpose: Purpose, categories: Names(Category) });
export const ShareInput = z.strictObject({ ...OnSubject, recipientId: Identifier, purpose: Purpose, categories: Names(Category) });
export const RevokeShareInput = z.strictObject({ ...OnSubject, recipientId: Identifier, reason: FreeText.optional() });
export const RequestErasureInput = z.strictObject({ ...OnSubject, reason: FreeText.optional() });
export const EraseInput = z.strictObject(OnSubject);
export const ConfirmRecipientErasureInput = z.strictObject({ ...OnSubject, recipientId: Identifier });
export const RequestAccessInput = z.strictObject({ ...OnSubject, right: z.enum(['access', 'portability']).default('access') });
export const RegisterRecipientInput = z.strictObject({
  ...OnRecipient,
  name: z.string().min(1).max(200),
  agreement: z.string().min(1).max(200),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like DE'),
});
export const VerifyRecipientInput = z.strictObject({ ...OnRecipient, evidence: z.string().min(1).max(500).optional() });
export const SuspendRecipientInput = z.strictObject({ ...OnRecipient, reason: z.string().min(1).max(500) });

export type CollectInput = z.input<typeof CollectInput>;
export type RectifyInput = z.input<typeof RectifyInput>;
export type GrantConsentInput = z.input<typeof GrantConsentInput>;
export type WithdrawConsentInput = z.input<typeof WithdrawConsentInput>;
export type ObjectInput = z.input<typeof ObjectInput>;
export type RestrictInput = z.input<typeof RestrictInput>;
export type LiftRestrictionInput = z.input<typeof LiftRestrictionInput>;
export type UseInput = z.input<typeof UseInput>;
export type AccessInput = z.input<typeof AccessInput>;
export type ShareInput = z.input<typeof ShareInput>;
export type RevokeShareInput = z.input<typeof RevokeShareInput>;
export type RequestErasureInput = z.input<typeof RequestErasureInput>;
export type EraseInput = z.input<typeof EraseInput>;
export type ConfirmRecipientErasureInput = z.input<typeof ConfirmRecipientErasureInput>;
export type RequestAccessInput = z.input<typeof RequestAccessInput>;
export type RegisterRecipientInput = z.input<typeof RegisterRecipientInput>;
export type VerifyRecipientInput = z.input<typeof VerifyRecipientInput>;
export type SuspendRecipientInput = z.input<typeof SuspendRecipientInput>;
