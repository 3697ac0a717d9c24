import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Category, Identifier, Purpose, recipientStream, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import type { Decision } from '../ledger';
import { permit } from '../permit';
import { Names, OnSubject } from './command-parts';
import { toDecision } from './decision';
import { onSubject } from './on-stream';

export const ShareInput = z.strictObject({ ...OnSubject, recipientId: Identifier, purpose: Purpose, categories: Names(Category) });
export type ShareInput = z.input<typeof ShareInput>;

/**
 * Decides on the subject's stream with the recipient as its own stream has it, and records the
 * decision either way. Only the subject's stream is appended to (see Known limitations).
 */
export async function share(context: LedgerContext, raw: ShareInput): Promise<Decision> {
  const command = parseOrThrow(ShareInput, raw, 'share');
  permit(context.policy, 'share', command);
  const { actor, purpose, categories, recipientId } = command;
  const recipient = (await context.recipients.load(recipientStream(recipientId))).state;
  const { appended } = await onSubject(context, command, (state, now) =>
    decideSubject({ type: 'share', actor, purpose, categories, recipientId, recipient, now }, state, context.policy),
  );
  return toDecision(appended[0] as CustodianEvent);
}
