import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Category, Purpose, type CustodianEvent } from '../../events';
import type { LedgerContext } from '../context';
import type { AccessDecision } from '../ledger';
import { permit } from '../permit';
import { Names, OnSubject } from './command-parts';
import { toDecision } from './decision';
import { onSubject } from './on-stream';

export const AccessInput = z.strictObject({ ...OnSubject, purpose: Purpose, categories: Names(Category) });
export type AccessInput = z.input<typeof AccessInput>;

/** Decides like `use`; when allowed, opens the values from the state decided on (they are never written to the event). */
export async function access(context: LedgerContext, raw: AccessInput): Promise<AccessDecision> {
  const command = parseOrThrow(AccessInput, raw, 'access');
  permit(context.policy, 'access', command);
  const { actor, purpose, categories, subjectId } = command;
  const { appended, before } = await onSubject(context, command, (state, now) => decideSubject({ type: 'access', actor, purpose, categories, now }, state, context.policy));
  const decision = toDecision(appended[0] as CustodianEvent);
  if (!decision.allowed) return decision.reason === 'erased' ? { ...decision, erased: true } : decision;
  const held = new Map(categories.map((category) => [category, before.state.collected.get(category) ?? { sealed: '', key: 'subject' as const }]));
  const data = await context.values.open(subjectId, held);
  return data ? { ...decision, data } : { ...decision, erased: true };
}
