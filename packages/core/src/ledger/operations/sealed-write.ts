import { CommandRefusedError, decideSubject, keyGenerationOf, type SubjectCommand, type SubjectState } from '../../decider';
import { subjectStream } from '../../events';
import type { LedgerContext } from '../context';
import type { SealedValues } from '../personal-values';

/**
 * How many times values are sealed again when one of their categories was erased in between
 * (`key_changed`): that erasure is under way in another writer and completes in milliseconds.
 */
const SEALING_ATTEMPTS = 5;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What `decide` makes of the subject before anything is sealed, so a refused write creates no key. */
type Draft = (sealed: SealedValues) => SubjectCommand;

/**
 * Seals the values under each category's current key, as the subject's stream gives it, and
 * writes with them. Refused before any key is made when the decider refuses the command on
 * the state read; sealed again, on a state read anew, when an erasure moved a category's key on.
 */
export async function writeSealed<T>(
  context: LedgerContext,
  subjectId: string,
  values: Readonly<Record<string, string>>,
  draft: Draft,
  write: (sealed: SealedValues) => Promise<T>,
): Promise<T> {
  const stream = subjectStream(subjectId);
  for (let attempt = 1; ; attempt++) {
    const state: SubjectState = ((attempt === 1 && context.subjects.cached(stream)) || (await context.subjects.load(stream))).state;
    const placeholders = Object.fromEntries(Object.keys(values).map((category) => [category, '']));
    const generations = Object.fromEntries(Object.keys(values).map((category) => [category, keyGenerationOf(state, category)]));
    decideSubject(draft({ values: placeholders, sealedWith: generations }), state, context.policy);
    try {
      return await write(await context.values.seal(subjectId, values, state));
    } catch (error) {
      if (!(error instanceof CommandRefusedError && error.reason === 'key_changed') || attempt >= SEALING_ATTEMPTS) throw error;
      await pause(attempt * 5);
    }
  }
}
