import { z } from 'zod';
import { Category, Identifier, Sealed } from './common';
import { DueBy } from './requests';

export const ErasureRequested = z.object({
  reason: Sealed.optional(),
  dueBy: DueBy,
});

/** Why data was erased: the subject's right (Art. 17), or the end of every retention that kept it (Art. 5(1)(e)). */
export const ErasureReason = z.enum(['erasure_request', 'retention_expired']);
export type ErasureReason = z.infer<typeof ErasureReason>;

/**
 * `scope: 'all'` erases the subject; `scope: 'categories'` erases only the categories named,
 * and the subject stays. Schema version 2 adds `reason` and `categories`; an erasure of
 * version 1 reads as `{ scope: 'all', reason: 'erasure_request' }` with no categories listed.
 */
export const DataErased = z
  .object({
    scope: z.enum(['all', 'categories']),
    method: z.literal('crypto-shred'),
    reason: ErasureReason.optional(),
    /** The categories whose values were shredded: those named, or for `all` every category held. */
    categories: z.array(Category).optional(),
    /** Recipients that held copies and were sent an erasure notice (Art. 19). */
    recipientsNotified: z.array(Identifier),
  })
  .refine((data) => data.scope === 'all' || (data.categories?.length ?? 0) > 0, { path: ['categories'], message: 'must name the categories erased' });

export const erasureEvents = {
  ErasureRequested: { schemaVersion: 1, schema: ErasureRequested },
  DataErased: { schemaVersion: 2, schema: DataErased },
} as const;
