import { z } from 'zod';
import { Sealed, SubjectId } from './common';

/** The name of an application's own event type: PascalCase, past tense by convention, like `OrderPlaced`. */
export const ApplicationEventName = z.string().regex(/^[A-Z][A-Za-z0-9]{0,99}$/, 'must be a PascalCase name of at most 100 letters and digits, like OrderPlaced');

/**
 * An event of the application's own, recorded through the ledger in a stream of its own
 * (`app-<name>`). Custodian's readers see this one type and leave it alone; the ledger it was
 * recorded by reads its data as the application's `type` at its current schema version, upcast
 * from the `schemaVersion` it was written at. Data about no one is `data`, in plaintext; data
 * about a subject is `sealed` under her key and shredded with her.
 */
export const ApplicationEventRecorded = z
  .object({
    type: ApplicationEventName,
    /** The version of the application's schema the data was written at. */
    schemaVersion: z.number().int().min(1).max(10_000),
    /** The subject the data is about, when the application named one. */
    subjectId: SubjectId.optional(),
    /** Data about no one, in plaintext. */
    data: z.json().optional(),
    /** Data about `subjectId`: its JSON sealed under her text key, bound to her, the stream and the type. */
    sealed: Sealed.optional(),
  })
  .superRefine((event, ctx) => {
    if ((event.data === undefined) === (event.sealed === undefined)) ctx.addIssue({ code: 'custom', path: ['data'], message: 'exactly one of data and sealed is given' });
    if ((event.sealed === undefined) !== (event.subjectId === undefined))
      ctx.addIssue({ code: 'custom', path: ['sealed'], message: 'is given exactly when subjectId is: data about a subject is sealed' });
  });

export const applicationEvents = {
  ApplicationEventRecorded: { schemaVersion: 1, schema: ApplicationEventRecorded },
} as const;
