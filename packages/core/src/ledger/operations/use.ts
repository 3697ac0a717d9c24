import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Category, Purpose, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import type { Decision } from '../ledger';
import { permit } from '../permit';
import { Names, OnSubject } from './command-parts';
import { toDecision } from './decision';
import { onSubject } from './on-stream';

export const UseInput = z.strictObject({ ...OnSubject, purpose: Purpose, categories: Names(Category), activity: z.string().min(1).max(200) });
export type UseInput = z.input<typeof UseInput>;

/** Decides whether the actor may use the categories for the purpose now, and records the decision either way. */
export async function use(context: LedgerContext, raw: UseInput): Promise<Decision> {
  const command = parseOrThrow(UseInput, raw, 'use');
  permit(context.policy, 'use', command);
  const { actor, purpose, categories, activity } = command;
  const { appended } = await onSubject(context, command, (state, now) => decideSubject({ type: 'use', actor, purpose, categories, activity, now }, state, context.policy));
  return toDecision(appended[0] as CustodianEvent);
}
