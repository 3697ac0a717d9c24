import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { decideSubject, type SubjectState } from '../../decider';
import { parseOrThrow } from '../../errors';
import { ConsentMethod, Purpose, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const WithdrawConsentInput = z.strictObject({ ...OnSubject, purpose: Purpose, method: ConsentMethod.optional() });
export type WithdrawConsentInput = z.input<typeof WithdrawConsentInput>;

/** Records the withdrawal of a consent given, and a notice owed to each recipient sent data on it (Art. 19); a subject right. */
export async function withdrawConsent(context: LedgerContext, raw: WithdrawConsentInput): Promise<CustodianEvent> {
  const command = parseOrThrow(WithdrawConsentInput, raw, 'withdrawConsent');
  permit(context.policy, 'withdrawConsent', command);
  const { purpose, method } = command;
  const eventId = uuidv7();
  const decide = (state: SubjectState) => decideSubject({ type: 'withdrawConsent', purpose, eventId, ...(method && { method }) }, state, context.policy);
  return single(onSubject(context, command, decide, context.retry.rights));
}
