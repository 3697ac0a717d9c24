import { z } from 'zod';
import { EventId, Sealed, Timestamp } from './common';

/**
 * When a request must be answered: the end of the day one calendar month after receipt (Art.
 * 12(3)). Optional: a request recorded before requests carried one is read as due by the same rule.
 */
export const DueBy = Timestamp.optional();

export const AccessRequestReceived = z.object({
  /** Art. 15 (a copy) or Art. 20 (portability, machine-readable). */
  right: z.enum(['access', 'portability']),
  dueBy: DueBy,
});

export const AccessRequestFulfilled = z.object({
  requestEventId: EventId,
  format: z.literal('application/json'),
  /** SHA-256 (hex) of the export handed to the subject. */
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 digest'),
});

/** Why a request needs more time (Art. 12(3)): words of a fixed list, never the subject's own. */
export const ExtensionReason = z.enum(['complexity', 'number_of_requests']);
export type ExtensionReason = z.infer<typeof ExtensionReason>;

export const RequestDeadlineExtended = z.object({
  /** The `AccessRequestReceived` or `ErasureRequested` whose deadline moves. */
  requestEventId: EventId,
  /** The new deadline: the end of a day, at most three calendar months after receipt. */
  until: Timestamp,
  reason: ExtensionReason,
  /** The controller's own words about the delay, sealed with the subject's key like any free text. */
  note: Sealed.optional(),
});

export const requestEvents = {
  AccessRequestReceived: { schemaVersion: 1, schema: AccessRequestReceived },
  AccessRequestFulfilled: { schemaVersion: 1, schema: AccessRequestFulfilled },
  RequestDeadlineExtended: { schemaVersion: 1, schema: RequestDeadlineExtended },
} as const;
