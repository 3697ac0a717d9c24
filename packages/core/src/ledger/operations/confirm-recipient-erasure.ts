import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { EventId, Identifier, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const ConfirmRecipientErasureInput = z.strictObject({
  ...OnSubject,
  recipientId: Identifier,
  /** The erasure confirmed: the subject's whole erasure, or one of some of her categories; by default the whole one, else every one awaiting this recipient. */
  erasureEventId: EventId.optional(),
});
export type ConfirmRecipientErasureInput = z.input<typeof ConfirmRecipientErasureInput>;

/**
 * A recipient confirmed it erased its copy (GDPR Art. 19): `RecipientErasureConfirmed` for the subject's whole erasure, or a
 * `RecipientNoticeConfirmed` for each erasure of some categories it was owed a notice of. The first event is returned.
 */
export async function confirmRecipientErasure(context: LedgerContext, raw: ConfirmRecipientErasureInput): Promise<CustodianEvent> {
  const command = parseOrThrow(ConfirmRecipientErasureInput, raw, 'confirmRecipientErasure');
  permit(context.policy, 'confirmRecipientErasure', command);
  const { recipientId, erasureEventId } = command;
  const decide = (state: Parameters<typeof decideSubject>[1]) =>
    decideSubject({ type: 'confirmRecipientErasure', recipientId, ...(erasureEventId && { erasureEventId }) }, state, context.policy);
  return single(onSubject(context, command, decide));
}
