import { z } from 'zod';
import { EventId } from './common';

export const AccessRequestReceived = z.object({
  /** Art. 15 (a copy) or Art. 20 (portability, machine-readable). */
  right: z.enum(['access', 'portability']),
});

export const AccessRequestFulfilled = z.object({
  requestEventId: EventId,
  format: z.literal('application/json'),
  /** SHA-256 (hex) of the export handed to the subject. */
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 digest'),
});

export const requestEvents = {
  AccessRequestReceived: { schemaVersion: 1, schema: AccessRequestReceived },
  AccessRequestFulfilled: { schemaVersion: 1, schema: AccessRequestFulfilled },
} as const;
