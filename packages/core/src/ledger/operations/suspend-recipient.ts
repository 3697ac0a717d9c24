import { z } from 'zod';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnRecipient } from './command-parts';
import { onRecipient, single } from './on-stream';

export const SuspendRecipientInput = z.strictObject({ ...OnRecipient, reason: z.string().min(1).max(500) });
export type SuspendRecipientInput = z.input<typeof SuspendRecipientInput>;

/** Records that a recipient is suspended: nothing is shared with it until it is verified again. */
export async function suspendRecipient(context: LedgerContext, raw: SuspendRecipientInput): Promise<CustodianEvent> {
  const command = parseOrThrow(SuspendRecipientInput, raw, 'suspendRecipient');
  permit(context.policy, 'suspendRecipient', command);
  const { recipientId, reason } = command;
  return single(onRecipient(context, command, { type: 'suspendRecipient', recipientId, reason }));
}
