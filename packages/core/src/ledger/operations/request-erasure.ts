import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { FreeText, OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const RequestErasureInput = z.strictObject({ ...OnSubject, reason: FreeText.optional() });
export type RequestErasureInput = z.input<typeof RequestErasureInput>;

/** Records the subject's request for erasure (GDPR Art. 17): every use is denied from then on; a subject right. */
export async function requestErasure(context: LedgerContext, raw: RequestErasureInput): Promise<CustodianEvent> {
  const command = parseOrThrow(RequestErasureInput, raw, 'requestErasure');
  permit(context.policy, 'requestErasure', command);
  const reason = await context.values.sealText(command.subjectId, 'erasure-request', command.reason);
  return single(
    onSubject(context, command, (state, now) => decideSubject({ type: 'requestErasure', now, ...(reason && { reason }) }, state, context.policy), context.retry.rights),
  );
}
