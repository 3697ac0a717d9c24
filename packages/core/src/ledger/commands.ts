import { z } from 'zod';
import { Actor, Category, ConsentMethod, Identifier, Notice, Purpose, SubjectId } from '../events';

/** A personal value as given by the caller; it is sealed before anything is stored. */
const PersonalValue = z.string().min(1, 'must not be empty').max(10_000);
const Values = z.record(Category, PersonalValue).refine((values) => Object.keys(values).length > 0, 'must hold at least one category');
const When = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => (v instanceof Date ? v : new Date(v)));
const FreeText = z.string().min(1).max(2_000);

const Tracing = {
  correlationId: z.string().min(1).max(200).optional(),
  causationId: z.string().min(1).max(200).optional(),
};
const OnSubject = { subjectId: SubjectId, actor: Actor, ...Tracing };
const OnRecipient = { recipientId: Identifier, actor: Actor, ...Tracing };

export const CollectInput = z.object({
  ...OnSubject,
  /** Where the data came from: `checkout-form`, `crm-import`. */
  source: z.string().min(1).max(200),
  purposes: z.array(Purpose).min(1),
  notice: Notice,
  data: Values,
});
export const RectifyInput = z.object({ ...OnSubject, data: Values });
export const GrantConsentInput = z.object({
  ...OnSubject,
  purpose: Purpose,
  notice: Notice,
  method: ConsentMethod,
  /** What was shown or signed; sealed, since it may hold personal data. */
  evidence: FreeText.optional(),
  expiresAt: When.optional(),
});
export const WithdrawConsentInput = z.object({ ...OnSubject, purpose: Purpose, method: ConsentMethod.optional() });
export const ObjectInput = z.object({ ...OnSubject, purposes: z.array(Purpose).min(1).optional(), reason: FreeText.optional() });
export const RestrictInput = z.object({ ...OnSubject, reason: FreeText.optional() });
export const LiftRestrictionInput = z.object(OnSubject);
export const UseInput = z.object({ ...OnSubject, purpose: Purpose, categories: z.array(Category).min(1), activity: z.string().min(1).max(200) });
export const AccessInput = z.object({ ...OnSubject, purpose: Purpose, categories: z.array(Category).min(1) });
export const ShareInput = z.object({ ...OnSubject, recipientId: Identifier, purpose: Purpose, categories: z.array(Category).min(1) });
export const RevokeShareInput = z.object({ ...OnSubject, recipientId: Identifier, reason: FreeText.optional() });
export const RequestErasureInput = z.object({ ...OnSubject, reason: FreeText.optional() });
export const EraseInput = z.object(OnSubject);
export const ConfirmRecipientErasureInput = z.object({ ...OnSubject, recipientId: Identifier });
export const RequestAccessInput = z.object({ ...OnSubject, right: z.enum(['access', 'portability']).default('access') });
export const RegisterRecipientInput = z.object({
  ...OnRecipient,
  name: z.string().min(1).max(200),
  agreement: z.string().min(1).max(200),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like DE'),
});
export const VerifyRecipientInput = z.object({ ...OnRecipient, evidence: z.string().min(1).max(500).optional() });
export const SuspendRecipientInput = z.object({ ...OnRecipient, reason: z.string().min(1).max(500) });

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
