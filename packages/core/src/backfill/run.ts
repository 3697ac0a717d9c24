import { z } from 'zod';
import { GENESIS_HASH } from '../crypto';
import { CommandRefusedError, initialSubjectState } from '../decider';
import { parseOrThrow, ValidationError, type ValidationIssue } from '../errors';
import { Actor, Identifier, subjectStream } from '../events';
import { mayPerform } from '../policy';
import { DuplicateEventIdError, WrongExpectedRevisionError, type ExpectedRevision } from '../store';
import { BackfillLineError, BackfillOptionsError, type BackfillRejection } from './errors';
import { backfillEventId } from './ids';
import { chainLine, lineIssues, timedCommands, type LinePlace, type SealedLine } from './plan';
import { BackfillRecord } from './record';
import type { BackfillTarget, LoadedSubject } from './target';

/** The import's settings; `onProgress` rides beside them (see `BackfillOptions`). */
export const BackfillSettings = z.strictObject({
  /**
   * Names the import, in every event it records (`backfill.importId`), and makes its event
   * ids: rerun an import under the same id to resume it, give a changed file a new one.
   */
  importId: Identifier,
  /** Who records the import: a service holding the roles the policy requires to collect and to record consent. */
  actor: Actor,
  /** How many customers are written at once, so a store that commits in groups can share its flushes. */
  concurrency: z.number().int().min(1).max(1_024).default(32),
  /**
   * A line turned away: `stop` (the default) reads no further line, lets the customers in
   * flight finish and throws its `BackfillLineError`; `skip` goes on and lists it in
   * `rejectedLines`. Either way nothing of that customer is appended.
   */
  onInvalid: z.enum(['stop', 'skip']).default('stop'),
});

export interface BackfillProgress {
  /** Lines read so far (blank lines included: they are counted, and hold nothing). */
  readonly read: number;
  /** Customers this run appended. */
  readonly imported: number;
  /** Customers an earlier run of the same import had appended, found by their event ids and left as they are. */
  readonly alreadyImported: number;
  /** Lines turned away. */
  readonly rejected: number;
  /** Events this run appended. */
  readonly events: number;
}

export type BackfillOptions = z.input<typeof BackfillSettings> & {
  /** Called each time a line is settled (imported, found imported, or turned away). */
  readonly onProgress?: ((progress: BackfillProgress) => void) | undefined;
};

export interface BackfillResult extends BackfillProgress {
  readonly importId: string;
  /** With `onInvalid: 'skip'`: every line turned away, in line order. */
  readonly rejectedLines: readonly BackfillLineError[];
}

/** Appends that met another writer on the customer's stream are decided again this many times. */
const MAX_ATTEMPTS = 10;

/** One line to write: its place, its record, and the first event id it makes (how a rerun knows it landed). */
interface Line {
  readonly place: LinePlace;
  readonly record: BackfillRecord;
  readonly firstId: string;
}

/**
 * Imports customers already on file elsewhere: each record (an object, or a line of JSON
 * text) becomes the customer's collections and consents, at their original times, sealed
 * with the customer's key and appended to their stream in one atomic append. A line is
 * checked whole (its shape, the policy, the actor's roles) before anything of it is written.
 * Event ids come from the import id and the line, so rerunning an import that crashed
 * appends nothing twice and writes the rest.
 */
export async function backfill(target: BackfillTarget, records: Iterable<unknown> | AsyncIterable<unknown>, options: BackfillOptions): Promise<BackfillResult> {
  const { onProgress, ...given } = options;
  let settings: z.output<typeof BackfillSettings>;
  try {
    settings = parseOrThrow(BackfillSettings, given, 'backfill options');
  } catch (error) {
    if (error instanceof ValidationError) throw new BackfillOptionsError(error.issues);
    throw error;
  }
  const { importId, actor, concurrency, onInvalid } = settings;
  const { store, policy } = target;
  const counts = { read: 0, imported: 0, alreadyImported: 0, rejected: 0, events: 0 };
  const rejectedLines: BackfillLineError[] = [];
  let failure: { error: unknown } | undefined;

  const reject = (line: number, reason: BackfillRejection, issues: readonly ValidationIssue[], cause?: unknown) => new BackfillLineError(importId, line, reason, issues, cause);
  const settle = (error?: unknown) => {
    if (error === undefined) return onProgress?.({ ...counts });
    if (error instanceof BackfillLineError && onInvalid === 'skip') {
      rejectedLines.push(error);
      counts.rejected += 1;
      return onProgress?.({ ...counts });
    }
    failure ??= { error };
  };

  /** The line read and checked whole, or a `BackfillLineError`; undefined for a blank line. */
  function check(item: unknown, line: number): Line | undefined {
    let input = item;
    if (typeof item === 'string') {
      if (item.trim() === '') return undefined;
      try {
        input = JSON.parse(item);
      } catch {
        // Not the parser's message: it quotes the line, which holds personal values.
        throw reject(line, 'invalid', [{ path: '', message: 'is not valid JSON' }]);
      }
    }
    let record: BackfillRecord;
    try {
      record = parseOrThrow(BackfillRecord, input, `line ${line}`);
    } catch (error) {
      if (error instanceof ValidationError) throw reject(line, 'invalid', error.issues, error);
      throw error;
    }
    const now = target.clock();
    const issues = lineIssues(record, policy, now);
    if (issues.length > 0) throw reject(line, 'invalid', issues);
    const { subjectId } = record;
    const requests = [
      ...record.collections.map((collection) => ({ operation: 'collect' as const, purposes: collection.purposes })),
      ...record.consents.flatMap((consent) => [{ operation: 'grantConsent' as const }, ...(consent.withdrawnAt ? [{ operation: 'withdrawConsent' as const }] : [])]),
    ];
    for (const request of requests) {
      const permission = mayPerform(policy, { ...request, actor, subjectId });
      if (!permission.ok) throw reject(line, 'not_permitted', [{ path: '', message: permission.detail }]);
    }
    return { place: { importId, line, subjectId, actor, now }, record, firstId: backfillEventId(importId, line, 0) };
  }

  async function seal({ record, place }: Line): Promise<SealedLine> {
    const values = await Promise.all(record.collections.map((collection) => target.seal(place.subjectId, collection.data)));
    const evidence = await Promise.all(record.consents.map((consent) => target.sealText(place.subjectId, 'evidence', consent.evidence)));
    return { values, evidence };
  }

  /** Writes one line; 'already' when an earlier run of the import wrote it. */
  async function write(line: Line): Promise<number | 'already'> {
    const { place } = line;
    const stream = subjectStream(place.subjectId);
    let sealed: SealedLine;
    try {
      sealed = await seal(line);
    } catch (error) {
      // An erased customer's key is gone: that is a refusal, unless the import wrote them before.
      if (!(error instanceof CommandRefusedError)) throw error;
      if ((await target.load(place.subjectId)).holds(line.firstId)) return 'already';
      throw reject(place.line, 'refused', [{ path: 'subjectId', message: error.message }], error);
    }
    const commands = timedCommands(line.record, sealed, policy);
    let from: Pick<LoadedSubject, 'state' | 'lastHash'> = { state: initialSubjectState, lastHash: GENESIS_HASH };
    let expected: ExpectedRevision = 'no_stream';
    for (let attempt = 1; ; attempt++) {
      let chained: ReturnType<typeof chainLine>;
      try {
        chained = chainLine(commands, from, place, policy);
      } catch (error) {
        if (error instanceof CommandRefusedError) throw reject(place.line, 'refused', [{ path: 'subjectId', message: error.message }], error);
        throw error;
      }
      try {
        await store.append(stream, chained.toAppend, expected);
        return chained.appended.length;
      } catch (error) {
        const met = error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError;
        if (!met || attempt >= MAX_ATTEMPTS) throw error;
        const loaded = await target.load(place.subjectId);
        if (loaded.holds(line.firstId)) return 'already';
        if (error instanceof DuplicateEventIdError)
          throw reject(
            place.line,
            'refused',
            [{ path: '', message: 'its event ids are already in the log, in another stream: the line changed since the import first ran; give a changed file a new import id' }],
            error,
          );
        from = loaded;
        expected = loaded.revision;
      }
    }
  }

  const inFlight = new Set<Promise<void>>();
  const start = (line: Line) => {
    const task: Promise<void> = write(line).then(
      (written) => {
        if (written === 'already') counts.alreadyImported += 1;
        else {
          counts.imported += 1;
          counts.events += written;
        }
        settle();
      },
      (error: unknown) => settle(error),
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  await target.recordPolicy();
  const source = Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : records[Symbol.iterator]();
  try {
    // The next line is read only while nothing has failed: after a bad line, none is.
    while (!failure) {
      const next = await source.next();
      if (next.done === true) break;
      const line = ++counts.read;
      let checked: Line | undefined;
      try {
        checked = check(next.value, line);
      } catch (error) {
        settle(error);
        continue;
      }
      if (!checked) {
        settle();
        continue;
      }
      start(checked);
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    if (failure) await source.return?.();
  } finally {
    // Whatever stopped the reading, the customers in flight finish (or fail) before the import answers.
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  rejectedLines.sort((a, b) => a.line - b.line);
  return { importId, ...counts, rejectedLines };
}
