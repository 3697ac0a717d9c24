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

export const shareEvents = {
  DataShared: { schemaVersion: 1, schema: DataShared },
  ShareRevoked: { schemaVersion: 1, schema: ShareRevoked },
  RecipientErasureConfirmed: { schemaVersion: 1, schema: RecipientErasureConfirmed },
} as const;
