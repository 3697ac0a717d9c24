import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow } from '../../errors';
import { Category, type CustodianEvent } from '../../events';
import { checkCategories } from '../../policy';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { Names, OnSubject } from './command-parts';
import { shredAndRecord } from './shred';

export const EraseInput = z.strictObject({
  ...OnSubject,
  /** Only these categories (Art. 17 on some of the data: "delete my address, keep my account"); the whole subject when absent. */
  categories: Names(Category).optional(),
});
export type EraseInput = z.input<typeof EraseInput>;

/**
 * Crypto-shredding: destroys the keys of the subject, or of the categories named, then records
 * `DataErased` with the recipients notified. A category with a value recorded before keys per
 * category shares the subject's one key with others: that key goes, and they are erased too.
 */
export async function erase(context: LedgerContext, raw: EraseInput): Promise<CustodianEvent> {
  const { policy } = context;
  const command = parseOrThrow(EraseInput, raw, 'erase');
  const { categories } = command;
  if (categories) checkCategories(policy, 'erase', categories);
  permit(policy, 'erase', command);
  const eventId = uuidv7();
  const decide = (state: Parameters<typeof decideSubject>[1]) => decideSubject({ type: 'erase', eventId, ...(categories && { categories }) }, state, policy);
  return (await shredAndRecord(context, command, decide, context.retry.rights)) as CustodianEvent;
}
