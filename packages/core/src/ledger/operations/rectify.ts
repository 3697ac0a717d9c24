import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject, Values } from './command-parts';
import { onSubject, single } from './on-stream';

export const RectifyInput = z.strictObject({ ...OnSubject, data: Values });
export type RectifyInput = z.input<typeof RectifyInput>;

/** Records corrected values of categories already collected (GDPR Art. 16), and a notice owed to each recipient holding a copy of one of them (Art. 19). */
export async function rectify(context: LedgerContext, raw: RectifyInput): Promise<CustodianEvent> {
  const command = parseOrThrow(RectifyInput, raw, 'rectify');
  permit(context.policy, 'rectify', command);
  const values = await context.values.seal(command.subjectId, command.data);
  const eventId = uuidv7();
  return single(onSubject(context, command, (state) => decideSubject({ type: 'rectify', values, eventId }, state, context.policy)));
}
