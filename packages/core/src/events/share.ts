import { z } from 'zod';
import { Basis, Category, EventId, Identifier, Purpose, Sealed } from './common';

export const DataShared = z.object({
  recipientId: Identifier,
  categories: z.array(Category).min(1),
  purpose: Purpose,
  /** The agreement (Art. 28 DPA) the recipient was registered under. */
  agreement: z.string().min(1).max(200),
  basis: Basis,
});

export const ShareRevoked = z.object({
  recipientId: Identifier,
  reason: Sealed.optional(),
});

/** A recipient confirmed it erased its copy after an erasure notice (Art. 19). */
export const RecipientErasureConfirmed = z.object({
  recipientId: Identifier,
  erasureEventId: EventId,
});

/**
 * Why a recipient holding a copy must be told of a change (GDPR Art. 19; CCPA regulations §7026(f) for an opt-out of sale or
 * sharing). The erasure of the whole subject has its own notice, in `DataErased`; the erasure of some categories is `erasure`.
 */
export const RecipientNoticeReason = z.enum(['rectification', 'restriction', 'consent_withdrawn', 'erasure', 'opted_out']);
export type RecipientNoticeReason = z.infer<typeof RecipientNoticeReason>;

/**
 * A recipient holding a copy is owed a notice of a change (Art. 19), recorded in the same
 * append as the change. It records the obligation, not a message sent: the application
 * sends it, and `RecipientNoticeConfirmed` records that the recipient acted on it.
 */
export const RecipientNoticeOwed = z.object({
  recipientId: Identifier,
  reason: RecipientNoticeReason,
  /** The change the recipient must be told of, of the same append: the `DataRectified`, `ProcessingRestricted`, `ConsentWithdrawn`, `DataErased` (of some categories) or `PrivacySignalApplied`. */
  changeEventId: EventId,
  /** The categories of the recipient's copy the change touches. */
  categories: z.array(Category).min(1),
  /** For a withdrawal: the purpose whose consent the share relied on. */
  purpose: Purpose.optional(),
});

/** A recipient confirmed it acted on a notice owed to it: corrected, restricted or stopped using its copy. */
export const RecipientNoticeConfirmed = z.object({
  recipientId: Identifier,
  changeEventId: EventId,
});

export const shareEvents = {
  DataShared: { schemaVersion: 1, schema: DataShared },
  ShareRevoked: { schemaVersion: 1, schema: ShareRevoked },
  RecipientErasureConfirmed: { schemaVersion: 1, schema: RecipientErasureConfirmed },
  RecipientNoticeOwed: { schemaVersion: 1, schema: RecipientNoticeOwed },
  RecipientNoticeConfirmed: { schemaVersion: 1, schema: RecipientNoticeConfirmed },
} as const;
