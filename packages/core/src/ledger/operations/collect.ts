import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Notice, Purpose, type CustodianEvent } from '../../events';
import { checkPurposes, collectionTerms } from '../../policy';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { Names, OnSubject, Values } from './command-parts';
import { onSubject, single } from './on-stream';

export const CollectInput = z.strictObject({
  ...OnSubject,
  /** Where the data came from: `checkout-form`, `crm-import`. */
  source: z.string().min(1).max(200),
  purposes: Names(Purpose),
  notice: Notice,
  data: Values,
});
export type CollectInput = z.input<typeof CollectInput>;

/** Records personal data collected for purposes of the policy, sealed, with each purpose's legal basis and the retention. */
export async function collect(context: LedgerContext, raw: CollectInput): Promise<CustodianEvent> {
  const { policy } = context;
  const command = parseOrThrow(CollectInput, raw, 'collect');
  checkPurposes(policy, 'collect', command.purposes, Object.keys(command.data));
  permit(policy, 'collect', command, command.purposes);
  const values = await context.values.seal(command.subjectId, command.data);
  const { legalBases, retainUntil } = collectionTerms(policy, command.purposes, context.clock());
  const { source, purposes, notice } = command;
  return single(onSubject(context, command, (state) => decideSubject({ type: 'collect', source, purposes, legalBases, notice, retainUntil, values }, state, policy)));
}
