import { z } from 'zod';
import type { ApplicationEvent } from '../../application';
import { parseOrThrow } from '../../errors';
import { ApplicationEventName, applicationStream, SubjectId, type CustodianEvent, type EventData } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnApplicationStream } from './command-parts';

/** `data` is checked against the type's schema, which only the ledger's `events` know. */
export const RecordEventInput = z.strictObject({
  ...OnApplicationStream,
  type: ApplicationEventName,
  data: z.unknown(),
  /** The subject the data is about: it is then sealed under her key, and erased with her. */
  subjectId: SubjectId.optional(),
});
export type RecordEventInput = z.input<typeof RecordEventInput>;

/** What an application event's sealed data is bound to, beside its subject: a sealed copy moved to another stream or type does not open. */
export const applicationField = (stream: string, type: string): string => `${applicationStream(stream)}/${type}`;

/**
 * Records an event of the application's own (one of `createLedger`'s `events`) at its type's
 * current schema version, in the stream `app-<stream>`, chained and appended like every other.
 * Data about a subject (`subjectId`) is sealed under her text key, so her erasure shreds it;
 * an erased subject's is refused (`subject_erased`).
 */
export async function recordEvent(context: LedgerContext, raw: RecordEventInput): Promise<ApplicationEvent> {
  const command = parseOrThrow(RecordEventInput, raw, 'recordEvent');
  const { subjectId } = command;
  const checked = context.applicationEvents.check(command.type, command.data, subjectId !== undefined);
  permit(context.policy, 'recordEvent', command);
  const head = { type: command.type, schemaVersion: checked.schemaVersion };
  const data: EventData<'ApplicationEventRecorded'> =
    subjectId === undefined
      ? { ...head, data: checked.data }
      : { ...head, subjectId, sealed: (await context.values.sealText(subjectId, applicationField(command.stream, command.type), JSON.stringify(checked.data))) as string };
  const { appended } = await context.write({
    folder: context.applications,
    stream: applicationStream(command.stream),
    meta: command,
    decide: () => [{ type: 'ApplicationEventRecorded', data }],
    retry: context.retry.decisions,
  });
  return context.applicationEvents.read(appended[0] as CustodianEvent<'ApplicationEventRecorded'>, command.stream, { data: checked.data });
}
