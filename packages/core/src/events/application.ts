import { z } from 'zod';

/** The name of an application's own event type: PascalCase, past tense by convention, like `OrderPlaced`. */
export const ApplicationEventName = z.string().regex(/^[A-Z][A-Za-z0-9]{0,99}$/, 'must be a PascalCase name of at most 100 letters and digits, like OrderPlaced');

/**
 * An event of the application's own, recorded through the ledger in a stream of its own
 * (`app-<name>`). Custodian's readers see this one type and leave it alone; the ledger it was
 * recorded by reads `data` as the application's `type` at its current schema version, upcast
 * from the `schemaVersion` it was written at. Stored in plaintext and never shredded.
 */
export const ApplicationEventRecorded = z.object({
  type: ApplicationEventName,
  /** The version of the application's schema `data` was written at. */
  schemaVersion: z.number().int().min(1).max(10_000),
  data: z.json(),
});

export const applicationEvents = {
  ApplicationEventRecorded: { schemaVersion: 1, schema: ApplicationEventRecorded },
} as const;
