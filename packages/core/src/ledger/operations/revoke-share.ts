import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Identifier, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { FreeText, OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const RevokeShareInput = z.strictObject({ ...OnSubject, recipientId: Identifier, reason: FreeText.optional() });
export type RevokeShareInput = z.input<typeof RevokeShareInput>;

/** Records that what was shared with the recipient is no longer to be used by them. */
export async function revokeShare(context: LedgerContext, raw: RevokeShareInput): Promise<CustodianEvent> {
  const command = parseOrThrow(RevokeShareInput, raw, 'revokeShare');
  permit(context.policy, 'revokeShare', command);
  const reason = await context.values.sealText(command.subjectId, 'share-revocation', command.reason);
  const { recipientId } = command;
  return single(onSubject(context, command, (state) => decideSubject({ type: 'revokeShare', recipientId, ...(reason && { reason }) }, state, context.policy)));
}
