import { z } from 'zod';
import { decideSubject, type SubjectCommand } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Notice, Purpose, type CustodianEvent } from '../../events';
import { checkPurposes, collectionTerms } from '../../policy';
import type { LedgerContext } from '../context';
import type { SealedValues } from '../personal-values';
import { permit } from '../permit';
import { Names, OnSubject, Values } from './command-parts';
import { onSubject, single } from './on-stream';
import { writeSealed } from './sealed-write';

export const CollectInput = z.strictObject({
  ...OnSubject,
  /** Where the data came from: `checkout-form`, `crm-import`. */
  source: z.string().min(1).max(200),
  purposes: Names(Purpose),
  notice: Notice,
  data: Values,
});
export type CollectInput = z.input<typeof CollectInput>;

/** Records personal data collected for purposes of the policy, sealed under each category's key, with each purpose's legal basis and retention. */
export async function collect(context: LedgerContext, raw: CollectInput): Promise<CustodianEvent> {
  const { policy } = context;
  const command = parseOrThrow(CollectInput, raw, 'collect');
  checkPurposes(policy, 'collect', command.purposes, Object.keys(command.data));
  permit(policy, 'collect', command, command.purposes);
  const { legalBases, retention, retainUntil } = collectionTerms(policy, command.purposes, context.clock(), Object.keys(command.data));
  const { source, purposes, notice } = command;
  const draft = ({ values, sealedWith }: SealedValues): SubjectCommand => ({ type: 'collect', source, purposes, legalBases, notice, retainUntil, retention, values, sealedWith });
  return writeSealed(context, command.subjectId, command.data, draft, (sealed) => single(onSubject(context, command, (state) => decideSubject(draft(sealed), state, policy))));
}
