import { v7 as uuidv7 } from 'uuid';
import { CommandRefusedError, decideSubject, keyGenerationOf, type EventDraft, type SubjectState } from '../../decider';
import { subjectStream, type CustodianEvent, type EventData } from '../../events';
import type { Policy } from '../../policy';
import { categoryKeyId, valueKeyId, subjectKeyId, textKeyId } from '../../subject-keys';
import type { LedgerContext } from '../context';
import type { Meta } from '../execute';
import type { RetryPolicy } from '../retry';
import { onSubject } from './on-stream';

/** How many times an erasure shreds again when the stream moved on to keys it had not shredded. */
const SHRED_ATTEMPTS = 5;

/**
 * The keys an erasure destroys, on the state it is decided on. The whole subject: the subject's
 * one key, its text key and every category's current key, the policy's categories included (a
 * key made for a write that never landed holds nothing stored, and goes too). Some categories:
 * their current keys, and the subject's one key when one of them has a value under it.
 */
export function keysToShred(subjectId: string, state: SubjectState, erasure: EventData<'DataErased'>, policy: Policy): string[] {
  const categoryKey = (category: string) => categoryKeyId(subjectId, category, keyGenerationOf(state, category));
  if (erasure.scope === 'all') {
    const categories = new Set([...state.collected.keys(), ...[...policy.purposes.values()].flatMap((rule) => rule.categories)]);
    return [subjectKeyId(subjectId), textKeyId(subjectId), ...[...categories].map(categoryKey)];
  }
  const categories = erasure.categories ?? [];
  const viaSubjectKey = categories.some((category) => state.subjectKeyHolds.includes(category));
  return [...(viaSubjectKey ? [subjectKeyId(subjectId)] : []), ...categories.map(categoryKey)];
}

const erasureIn = (drafts: readonly EventDraft[]) => drafts.find((draft): draft is Extract<EventDraft, { type: 'DataErased' }> => draft.type === 'DataErased');

const keyMoved = () => new CommandRefusedError('key_changed', 'the stream moved on to keys this erasure had not shredded: it shreds again');

/**
 * What is recorded after `shredded` were destroyed, decided on the stream as it is now: a
 * category still held whose key was shredded is erased too, whatever the decision alone
 * would name (it cannot be read any more), and a key the record needs that was not shredded
 * sends the erasure round again.
 */
function recordFor(subjectId: string, state: SubjectState, drafts: EventDraft[], shredded: ReadonlySet<string>, policy: Policy): EventDraft[] {
  const erasure = erasureIn(drafts);
  if (erasure?.data.scope !== 'all') {
    const named = erasure?.data.categories ?? [];
    const lost = [...state.collected]
      .filter(([category, held]) => !named.includes(category) && shredded.has(valueKeyId(subjectId, category, held.key)))
      .map(([category]) => category);
    if (lost.length > 0)
      return recordFor(
        subjectId,
        state,
        decideSubject({ type: 'erase', categories: [...named, ...lost], reason: erasure?.data.reason ?? 'erasure_request', eventId: erasure?.id ?? uuidv7() }, state, policy),
        shredded,
        policy,
      );
  }
  if (erasure && keysToShred(subjectId, state, erasure.data, policy).some((keyId) => !shredded.has(keyId))) throw keyMoved();
  return drafts;
}

/**
 * Crypto-shredding: decides the erasure on the subject's stream, destroys its keys, then
 * records it. The keys go first: should the append fail, the values are already unreadable,
 * and the same erasure run again finds the record missing and completes it.
 */
export async function shredAndRecord(
  context: LedgerContext,
  meta: Meta & { readonly subjectId: string },
  decide: (state: SubjectState) => EventDraft[],
  retry: RetryPolicy,
): Promise<CustodianEvent | undefined> {
  const { policy } = context;
  const stream = subjectStream(meta.subjectId);
  for (let attempt = 1; ; attempt++) {
    const { state } = await context.subjects.load(stream);
    const erasure = erasureIn(decide(state));
    if (!erasure) return undefined;
    const shredded = new Set(keysToShred(meta.subjectId, state, erasure.data, policy));
    await context.values.shred([...shredded]);
    try {
      const { appended } = await onSubject(context, meta, (latest) => recordFor(meta.subjectId, latest, decide(latest), shredded, policy), retry);
      return appended[0];
    } catch (error) {
      if (!(error instanceof CommandRefusedError && error.reason === 'key_changed') || attempt >= SHRED_ATTEMPTS) throw error;
    }
  }
}
