import { z } from 'zod';
import { Basis, Category, DenialReason, Identifier, Purpose } from './common';

export const DataAccessed = z.object({
  purpose: Purpose,
  categories: z.array(Category).min(1),
  basis: Basis,
});

export const DataUsed = z.object({
  purpose: Purpose,
  categories: z.array(Category).min(1),
  /** What the processing was, in the caller's words: `campaign:spring-sale`. */
  activity: z.string().min(1).max(200),
  basis: Basis,
});

export const UseDenied = z.object({
  operation: z.enum(['use', 'access', 'share']),
  purpose: z.string().min(1).max(200),
  categories: z.array(z.string().min(1).max(200)),
  activity: z.string().max(200).optional(),
  recipientId: Identifier.optional(),
  reason: DenialReason,
  /** A sentence for people; never holds personal values. */
  detail: z.string().max(500),
});

export const useEvents = {
  DataAccessed: { schemaVersion: 1, schema: DataAccessed },
  DataUsed: { schemaVersion: 1, schema: DataUsed },
  UseDenied: { schemaVersion: 1, schema: UseDenied },
} as const;
