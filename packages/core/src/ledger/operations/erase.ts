import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { subjectStream, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const EraseInput = z.strictObject(OnSubject);
export type EraseInput = z.input<typeof EraseInput>;

/** Crypto-shredding: destroys the subject's key, then records `DataErased` with the recipients notified. */
export async function erase(context: LedgerContext, raw: EraseInput): Promise<CustodianEvent> {
  const { policy } = context;
  const command = parseOrThrow(EraseInput, raw, 'erase');
  permit(policy, 'erase', command);
  // Refuse before destroying anything if the history does not allow it.
  decideSubject({ type: 'erase' }, (await context.subjects.load(subjectStream(command.subjectId))).state, policy);
  // The key goes first: should the append then fail, the values are already
  // unreadable and a retried erase() completes the record.
  await context.keys.destroy(command.subjectId);
  return single(onSubject(context, command, (state) => decideSubject({ type: 'erase' }, state, policy), context.retry.rights));
}
