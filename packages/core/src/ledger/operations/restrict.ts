import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { decideSubject, type SubjectState } from '../../decider';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { FreeText, OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const RestrictInput = z.strictObject({ ...OnSubject, reason: FreeText.optional() });
export type RestrictInput = z.input<typeof RestrictInput>;

/**
 * Records a restriction of processing (GDPR Art. 18): every use, access and share is denied
 * until it is lifted; a subject right. Each recipient holding a copy is owed a notice (Art. 19).
 */
export async function restrict(context: LedgerContext, raw: RestrictInput): Promise<CustodianEvent> {
  const command = parseOrThrow(RestrictInput, raw, 'restrict');
  permit(context.policy, 'restrict', command);
  const reason = await context.values.sealText(command.subjectId, 'restriction', command.reason);
  const eventId = uuidv7();
  const decide = (state: SubjectState) => decideSubject({ type: 'restrict', eventId, ...(reason && { reason }) }, state, context.policy);
  return single(onSubject(context, command, decide, context.retry.rights));
}
