import { GENESIS_HASH } from '../crypto';
import { CommandRefusedError, initialSubjectState, type SubjectState } from '../decider';
import { subjectStream } from '../events';
import { DuplicateEventIdError, WrongExpectedRevisionError, type ExpectedRevision } from '../store';
import type { Line } from './check-line';
import { BackfillLineError } from './errors';
import { chainLine, timedCommands, type SealedLine } from './plan';
import type { BackfillTarget, LoadedSubject } from './target';

/** Appends that met another writer on the customer's stream are decided again this many times. */
const MAX_ATTEMPTS = 10;

const CHANGED = 'its event ids are already in the log, in another stream: the line changed since the import first ran; give a changed file a new import id';

const refused = (line: Line, message: string, cause: unknown, path = 'subjectId') =>
  new BackfillLineError(line.place.importId, line.place.line, 'refused', [{ path, message }], cause);

async function seal(target: BackfillTarget, { record, place }: Line, state: SubjectState = initialSubjectState): Promise<SealedLine> {
  const values = await Promise.all(record.collections.map((collection) => target.seal(place.subjectId, collection.data, state)));
  const evidence = await Promise.all(record.consents.map((consent) => target.sealText(place.subjectId, 'evidence', consent.evidence)));
  return { values, evidence };
}

/**
 * Writes one checked line in one append: first as a new stream (no read), and where the
 * stream exists, on its state as read. Returns how many events it appended, or 'already'
 * when the stream holds the line's first id: an earlier run of the import wrote it.
 */
export async function writeLine(target: BackfillTarget, line: Line): Promise<number | 'already'> {
  const { place } = line;
  const stream = subjectStream(place.subjectId);
  let sealed: SealedLine;
  try {
    sealed = await seal(target, line);
  } catch (error) {
    // An erased customer's key is gone: that is a refusal, unless the import wrote them before.
    if (!(error instanceof CommandRefusedError)) throw error;
    if ((await target.load(place.subjectId)).holds(line.firstId)) return 'already';
    throw refused(line, error.message, error);
  }
  let commands = timedCommands(line.record, sealed, target.policy, place.actor);
  let from: Pick<LoadedSubject, 'state' | 'lastHash'> = { state: initialSubjectState, lastHash: GENESIS_HASH };
  let expected: ExpectedRevision = 'no_stream';
  for (let attempt = 1; ; attempt++) {
    let chained: ReturnType<typeof chainLine>;
    try {
      chained = chainLine(commands, from, place, target.policy);
    } catch (error) {
      // A customer with a category erased on its own: its values go under that category's next key.
      if (error instanceof CommandRefusedError && error.reason === 'key_changed' && from.state !== initialSubjectState && attempt < MAX_ATTEMPTS) {
        commands = timedCommands(line.record, await seal(target, line, from.state), target.policy, place.actor);
        continue;
      }
      if (error instanceof CommandRefusedError) throw refused(line, error.message, error);
      throw error;
    }
    try {
      await target.store.append(stream, chained.toAppend, expected);
      return chained.appended.length;
    } catch (error) {
      const met = error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError;
      if (!met || attempt >= MAX_ATTEMPTS) throw error;
      const loaded = await target.load(place.subjectId);
      if (loaded.holds(line.firstId)) return 'already';
      if (error instanceof DuplicateEventIdError) throw refused(line, CHANGED, error, '');
      from = loaded;
      expected = loaded.revision;
    }
  }
}
