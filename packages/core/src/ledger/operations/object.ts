import { z } from 'zod';
import { decideSubject, type SubjectState } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Purpose, type CustodianEvent } from '../../events';
import { checkPurposes } from '../../policy';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { FreeText, Names, OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const ObjectInput = z.strictObject({ ...OnSubject, purposes: Names(Purpose).optional(), reason: FreeText.optional() });
export type ObjectInput = z.input<typeof ObjectInput>;

/** Records the subject's objection (GDPR Art. 21), to the purposes named or to every objectable one; a subject right. */
export async function object(context: LedgerContext, raw: ObjectInput): Promise<CustodianEvent> {
  const command = parseOrThrow(ObjectInput, raw, 'object');
  if (command.purposes) checkPurposes(context.policy, 'object', command.purposes);
  permit(context.policy, 'object', command);
  const reason = await context.values.sealText(command.subjectId, 'objection', command.reason);
  const purposes = command.purposes;
  const decide = (state: SubjectState) => decideSubject({ type: 'object', ...(purposes && { purposes }), ...(reason && { reason }) }, state, context.policy);
  return single(onSubject(context, command, decide, context.retry.rights));
}
