import { z } from 'zod';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnRecipient } from './command-parts';
import { onRecipient, single } from './on-stream';

export const RegisterRecipientInput = z.strictObject({
  ...OnRecipient,
  name: z.string().min(1).max(200),
  agreement: z.string().min(1).max(200),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like DE'),
});
export type RegisterRecipientInput = z.input<typeof RegisterRecipientInput>;

/** Registers a company data may be shared with, under its agreement. */
export async function registerRecipient(context: LedgerContext, raw: RegisterRecipientInput): Promise<CustodianEvent> {
  const command = parseOrThrow(RegisterRecipientInput, raw, 'registerRecipient');
  permit(context.policy, 'registerRecipient', command);
  const { recipientId, name, agreement, country } = command;
  return single(onRecipient(context, command, { type: 'registerRecipient', recipientId, name, agreement, country }));
}
