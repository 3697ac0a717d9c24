import { z } from 'zod';
import type { ApplicationEvent } from '../../application';
import { parseOrThrow } from '../../errors';
import { ApplicationEventName, applicationStream, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnApplicationStream } from './command-parts';

/** `data` is checked against the type's schema, which only the ledger's `events` know. */
export const RecordEventInput = z.strictObject({ ...OnApplicationStream, type: ApplicationEventName, data: z.unknown() });
export type RecordEventInput = z.input<typeof RecordEventInput>;

/**
 * Records an event of the application's own (one of `createLedger`'s `events`) at its type's
 * current schema version, in the stream `app-<stream>`, chained and appended like every other.
 */
export async function recordEvent(context: LedgerContext, raw: RecordEventInput): Promise<ApplicationEvent> {
  const command = parseOrThrow(RecordEventInput, raw, 'recordEvent');
  const checked = context.applicationEvents.check(command.type, command.data);
  permit(context.policy, 'recordEvent', command);
  const data = { type: command.type, schemaVersion: checked.schemaVersion, data: checked.data };
  const { appended } = await context.write({
    folder: context.applications,
    stream: applicationStream(command.stream),
    meta: command,
    decide: () => [{ type: 'ApplicationEventRecorded', data }],
    retry: context.retry.decisions,
  });
  return context.applicationEvents.read(appended[0] as CustodianEvent<'ApplicationEventRecorded'>, command.stream);
}
