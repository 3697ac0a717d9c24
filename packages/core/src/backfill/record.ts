import { z } from 'zod';
import { Category, GrantMethod, noRepeats, Notice, Purpose, SubjectId } from '../events';

/** The most collections or consents one customer's line may hold. */
export const MOST_PER_CUSTOMER = 64;

/** A time the company had something on file: ISO 8601 with an offset. */
const OriginalTime = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/** One collection as the system it is imported from holds it: what, for which purposes, when and from where. */
export const BackfillCollection = z.strictObject({
  /** When the data was originally collected. */
  collectedAt: OriginalTime,
  /** Where it came from: `checkout-form`, `crm-2019`. */
  source: z.string().min(1).max(200),
  purposes: z.array(Purpose).min(1).max(MOST_PER_CUSTOMER).superRefine(noRepeats),
  notice: Notice,
  /** One personal value per category; sealed under the customer's key before anything is stored. */
  data: z
    .record(Category, z.string().min(1, 'must not be empty').max(10_000))
    .refine((values) => Object.keys(values).length > 0, 'must hold at least one category')
    .refine((values) => Object.keys(values).length <= MOST_PER_CUSTOMER, `must hold at most ${MOST_PER_CUSTOMER} categories`),
});

/** One consent as it was given, and withdrawn if it was. */
export const BackfillConsent = z.strictObject({
  purpose: Purpose,
  /** When the customer originally gave it. */
  grantedAt: OriginalTime,
  notice: Notice,
  /** Never `gpc`: a signal only opts out. */
  method: GrantMethod,
  /** What was shown or signed (the form, the recording's reference); sealed, since it may hold personal data. */
  evidence: z.string().min(1).max(2_000).optional(),
  expiresAt: OriginalTime.optional(),
  /** When the customer withdrew it, if they did. */
  withdrawnAt: OriginalTime.optional(),
});

/** One customer: one line of an import. */
export const BackfillRecord = z
  .strictObject({
    subjectId: SubjectId,
    collections: z.array(BackfillCollection).max(MOST_PER_CUSTOMER).default([]),
    consents: z.array(BackfillConsent).max(MOST_PER_CUSTOMER).default([]),
  })
  .refine((record) => record.collections.length + record.consents.length > 0, { message: 'must hold at least one collection or consent', path: ['collections'] });

export type BackfillCollection = z.infer<typeof BackfillCollection>;
export type BackfillConsent = z.infer<typeof BackfillConsent>;
export type BackfillRecord = z.infer<typeof BackfillRecord>;
/** A customer as the caller writes it (times as ISO strings). */
export type BackfillRecordInput = z.input<typeof BackfillRecord>;
