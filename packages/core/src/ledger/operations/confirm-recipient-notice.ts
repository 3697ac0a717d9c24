import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { EventId, Identifier, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const ConfirmRecipientNoticeInput = z.strictObject({ ...OnSubject, recipientId: Identifier, changeEventId: EventId });
export type ConfirmRecipientNoticeInput = z.input<typeof ConfirmRecipientNoticeInput>;

/** A recipient confirmed it acted on a notice of a rectification, restriction or consent withdrawal owed to it (GDPR Art. 19). */
export async function confirmRecipientNotice(context: LedgerContext, raw: ConfirmRecipientNoticeInput): Promise<CustodianEvent> {
  const command = parseOrThrow(ConfirmRecipientNoticeInput, raw, 'confirmRecipientNotice');
  permit(context.policy, 'confirmRecipientNotice', command);
  const { recipientId, changeEventId } = command;
  return single(onSubject(context, command, (state) => decideSubject({ type: 'confirmRecipientNotice', recipientId, changeEventId }, state, context.policy)));
}
