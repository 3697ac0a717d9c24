import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import type { CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { OnSubject } from './command-parts';
import { onSubject, single } from './on-stream';

export const LiftRestrictionInput = z.strictObject(OnSubject);
export type LiftRestrictionInput = z.input<typeof LiftRestrictionInput>;

/** Lifts a restriction of processing; not a subject right. */
export async function liftRestriction(context: LedgerContext, raw: LiftRestrictionInput): Promise<CustodianEvent> {
  const command = parseOrThrow(LiftRestrictionInput, raw, 'liftRestriction');
  permit(context.policy, 'liftRestriction', command);
  return single(onSubject(context, command, (state) => decideSubject({ type: 'liftRestriction' }, state, context.policy)));
}
