import { z } from 'zod';
import { Identifier } from './common';

export const RecipientRegistered = z.object({
  recipientId: Identifier,
  name: z.string().min(1).max(200),
  /** The agreement (DPA) data is shared under, e.g. `dpa-2026-01`. */
  agreement: z.string().min(1).max(200),
  /** ISO 3166-1 alpha-2. */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like DE'),
});

export const RecipientVerified = z.object({
  recipientId: Identifier,
  evidence: z.string().max(500).optional(),
});

export const RecipientSuspended = z.object({
  recipientId: Identifier,
  reason: z.string().min(1).max(500),
});

export const recipientEvents = {
  RecipientRegistered: { schemaVersion: 1, schema: RecipientRegistered },
  RecipientVerified: { schemaVersion: 1, schema: RecipientVerified },
  RecipientSuspended: { schemaVersion: 1, schema: RecipientSuspended },
} as const;
