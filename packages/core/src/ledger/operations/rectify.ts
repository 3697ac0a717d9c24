import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { decideSubject, type SubjectCommand } from '../../decider';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import type { SealedValues } from '../personal-values';
import { permit } from '../permit';
import { OnSubject, Values } from './command-parts';
import { onSubject, single } from './on-stream';
import { writeSealed } from './sealed-write';

export const RectifyInput = z.strictObject({ ...OnSubject, data: Values });
export type RectifyInput = z.input<typeof RectifyInput>;

/** Records corrected values of categories already collected (GDPR Art. 16), and a notice owed to each recipient holding a copy of one of them (Art. 19). */
export async function rectify(context: LedgerContext, raw: RectifyInput): Promise<CustodianEvent> {
  const command = parseOrThrow(RectifyInput, raw, 'rectify');
  permit(context.policy, 'rectify', command);
  const eventId = uuidv7();
  const draft = ({ values, sealedWith }: SealedValues): SubjectCommand => ({ type: 'rectify', values, sealedWith, eventId });
  return writeSealed(context, command.subjectId, command.data, draft, (sealed) =>
    single(onSubject(context, command, (state) => decideSubject(draft(sealed), state, context.policy))),
  );
}
