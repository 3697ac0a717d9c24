import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Identifier, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const ConfirmRecipientErasureInput = z.strictObject({ ...OnSubject, recipientId: Identifier });
export type ConfirmRecipientErasureInput = z.input<typeof ConfirmRecipientErasureInput>;

/** A recipient confirmed it erased its copy (GDPR Art. 19). */
export async function confirmRecipientErasure(context: LedgerContext, raw: ConfirmRecipientErasureInput): Promise<CustodianEvent> {
  const command = parseOrThrow(ConfirmRecipientErasureInput, raw, 'confirmRecipientErasure');
  permit(context.policy, 'confirmRecipientErasure', command);
  const { recipientId } = command;
  return single(onSubject(context, command, (state) => decideSubject({ type: 'confirmRecipientErasure', recipientId }, state, context.policy)));
}
