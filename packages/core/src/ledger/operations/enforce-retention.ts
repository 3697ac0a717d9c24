import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { decideSubject } from '../../decider';
import { parseOrThrow, ValidationError } from '../../errors';
import { Actor, events, SubjectId, type CustodianEvent } from '../../events';
import type { EventStore } from '../../store';
import type { LedgerContext } from '../context';
import { permit } from '../permit';
import { Tracing, When } from './command-parts';
import { shredAndRecord } from './shred';

export const EnforceRetentionInput = z.strictObject({
  actor: Actor,
  /** The moment retention is judged at: the ledger's clock by default, and never later than it. */
  now: When.optional(),
  /** Only this subject; every subject of the log when absent. */
  subjectId: SubjectId.optional(),
  ...Tracing,
});
export type EnforceRetentionInput = z.input<typeof EnforceRetentionInput>;

/** One subject's categories erased by a sweep, and the `DataErased` that records it. */
export interface RetentionErasure {
  readonly subjectId: string;
  readonly eventId: string;
  readonly categories: readonly string[];
}

export interface RetentionSweep {
  /** The moment retention was judged at. */
  readonly now: string;
  /** Subjects decided on: those with a collection whose retention had run out for some category. */
  readonly subjectsChecked: number;
  readonly erasures: readonly RetentionErasure[];
}

/** Whether some category of the collection has no purpose left that may keep it at `now`, by this collection's terms alone. */
function lapses(event: CustodianEvent<'DataCollected'>, now: number): boolean {
  return event.data.categories.some((category) => {
    const ends = Object.values(event.data.retention?.[category] ?? { all: event.data.retainUntil });
    return Math.max(...ends.map((end) => Date.parse(end))) <= now;
  });
}

/**
 * The subjects that may hold something no purpose may keep at `now`: a category that lapsed
 * lapsed in its latest collection, so a subject none of whose collections lapses has nothing
 * to erase. One pass over the log; the decider decides on each subject's own stream.
 */
async function lapsedSubjects(store: EventStore, now: Date): Promise<string[]> {
  const found = new Set<string>();
  for await (const record of store.readAll()) {
    const event = events.decode(record.data);
    if (event.type === 'DataCollected' && event.subjectId !== undefined && lapses(event, now.getTime())) found.add(event.subjectId);
  }
  return [...found];
}

/**
 * Erases, by crypto-shredding, every category that no purpose may keep any more at `now`
 * (Art. 5(1)(e)), recording `DataErased { scope: 'categories', reason: 'retention_expired' }`
 * per subject. Idempotent: what is erased is no longer held, so a second run appends nothing;
 * resumable: a run cut short is finished by the next, each subject's keys shredded before
 * its record, as `erase` does.
 */
export async function enforceRetention(context: LedgerContext, raw: EnforceRetentionInput): Promise<RetentionSweep> {
  const { policy } = context;
  const command = parseOrThrow(EnforceRetentionInput, raw, 'enforceRetention');
  const clock = context.clock();
  const now = command.now ?? clock;
  if (now.getTime() > clock.getTime())
    throw new ValidationError('enforceRetention', [{ path: 'now', message: "must not be after the ledger's clock: data is never erased ahead of its time" }]);
  permit(policy, 'enforceRetention', command);
  const subjects = command.subjectId === undefined ? await lapsedSubjects(context.store, now) : [command.subjectId];
  const erasures: RetentionErasure[] = [];
  for (const subjectId of subjects) {
    const eventId = uuidv7();
    const decide = (state: Parameters<typeof decideSubject>[1]) => decideSubject({ type: 'enforceRetention', now, eventId }, state, policy);
    const erased = await shredAndRecord(context, { ...command, subjectId }, decide, context.retry.rights);
    if (erased?.type === 'DataErased') erasures.push({ subjectId, eventId: erased.id, categories: erased.data.categories ?? [] });
  }
  return { now: now.toISOString(), subjectsChecked: subjects.length, erasures };
}
