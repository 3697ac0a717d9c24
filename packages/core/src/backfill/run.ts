import { z } from 'zod';
import { parseOrThrow, ValidationError } from '../errors';
import { Actor, Identifier } from '../events';
import { checkLine, type Line } from './check-line';
import { BackfillLineError, BackfillOptionsError } from './errors';
import type { BackfillTarget } from './target';
import { writeLine } from './write-line';

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
  const counts = { read: 0, imported: 0, alreadyImported: 0, rejected: 0, events: 0 };
  const rejectedLines: BackfillLineError[] = [];
  let failure: { error: unknown } | undefined;

  const settle = (error?: unknown) => {
    if (error === undefined) return onProgress?.({ ...counts });
    if (error instanceof BackfillLineError && onInvalid === 'skip') {
      rejectedLines.push(error);
      counts.rejected += 1;
      return onProgress?.({ ...counts });
    }
    failure ??= { error };
  };

  const inFlight = new Set<Promise<void>>();
  const start = (line: Line) => {
    const task: Promise<void> = writeLine(target, line).then(
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

  // The iterator is taken before the first wait: a source that flows by itself (a readline
  // over a file) drops the lines it reads while no iterator listens, and then never ends.
  const source = Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : records[Symbol.iterator]();
  try {
    await target.recordPolicy();
  } catch (error) {
    await source.return?.();
    throw error;
  }
  try {
    // The next line is read only while nothing has failed: after a bad line, none is.
    while (!failure) {
      const next = await source.next();
      if (next.done === true) break;
      const line = ++counts.read;
      let checked: Line | undefined;
      try {
        checked = checkLine(target, importId, actor, next.value, line);
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
