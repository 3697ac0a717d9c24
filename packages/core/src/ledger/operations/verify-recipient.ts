import { z } from 'zod';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnRecipient } from './command-parts';
import { onRecipient, single } from './on-stream';

export const VerifyRecipientInput = z.strictObject({ ...OnRecipient, evidence: z.string().min(1).max(500).optional() });
export type VerifyRecipientInput = z.input<typeof VerifyRecipientInput>;

/** Records that a registered recipient was verified, so data may be shared with it. */
export async function verifyRecipient(context: LedgerContext, raw: VerifyRecipientInput): Promise<CustodianEvent> {
  const command = parseOrThrow(VerifyRecipientInput, raw, 'verifyRecipient');
  permit(context.policy, 'verifyRecipient', command);
  const { recipientId, evidence } = command;
  return single(onRecipient(context, command, { type: 'verifyRecipient', recipientId, ...(evidence && { evidence }) }));
}
