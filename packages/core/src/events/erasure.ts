import { z } from 'zod';
import { Identifier, Sealed } from './common';
import { DueBy } from './requests';

export const ErasureRequested = z.object({
  reason: Sealed.optional(),
  dueBy: DueBy,
});

export const DataErased = z.object({
  scope: z.literal('all'),
  method: z.literal('crypto-shred'),
  /** Recipients that held copies and were sent an erasure notice (Art. 19). */
  recipientsNotified: z.array(Identifier),
});

export const erasureEvents = {
  ErasureRequested: { schemaVersion: 1, schema: ErasureRequested },
  DataErased: { schemaVersion: 1, schema: DataErased },
} as const;
