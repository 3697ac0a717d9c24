import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { EventId, ExtensionReason, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject, When } from './command-parts';
import { onSubject, single } from './on-stream';

export const ExtendRequestDeadlineInput = z.strictObject({
  ...OnSubject,
  requestEventId: EventId,
  /** The new deadline's day; by default the latest the law allows, three calendar months from receipt. */
  until: When.optional(),
  reason: ExtensionReason,
  /** A few words for the record, sealed with the subject's key; they must not hold the subject's personal values. */
  note: z.string().min(1).max(500).optional(),
});
export type ExtendRequestDeadlineInput = z.input<typeof ExtendRequestDeadlineInput>;

/** Extends an open request's deadline once, by up to two further months, with its reason (GDPR Art. 12(3)). */
export async function extendRequestDeadline(context: LedgerContext, raw: ExtendRequestDeadlineInput): Promise<CustodianEvent> {
  const { policy } = context;
  const command = parseOrThrow(ExtendRequestDeadlineInput, raw, 'extendRequestDeadline');
  permit(policy, 'extendRequestDeadline', command);
  const note = await context.values.sealText(command.subjectId, 'deadline-extension', command.note);
  const { requestEventId, until, reason } = command;
  return single(
    onSubject(context, command, (state, now) =>
      decideSubject({ type: 'extendRequestDeadline', requestEventId, reason, now, ...(until && { until }), ...(note && { note }) }, state, policy),
    ),
  );
}
