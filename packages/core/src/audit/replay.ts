import { events, type CustodianEvent } from '../events';
import { evolveRecipient, evolveSubject, initialRecipientState, initialSubjectState, type RecipientState, type SubjectState } from '../decider';
import { policyFromRecord, type Policy } from '../policy';
import type { EventStore, RecordedEvent } from '../store';

export interface ReplayStep {
  readonly record: RecordedEvent;
  readonly event: CustodianEvent;
  /** The subject's state just before this event (for subject events). */
  readonly subjectBefore: SubjectState;
  /** Every recipient as it stood just before this event, by id. */
  readonly recipients: ReadonlyMap<string, RecipientState>;
  /** The policy in force (the last `PolicyDefined` before this event), if the log records one. */
  readonly policy?: { readonly policy: Policy; readonly eventId: string } | undefined;
}

/**
 * Replays the whole store in global order, folding every subject and recipient with
 * the deciders' own `evolve`, and hands each event over with the state it met.
 */
export async function* replay(store: EventStore): AsyncGenerator<ReplayStep> {
  const subjects = new Map<string, SubjectState>();
  // Replaced, never changed, on a recipient's event: a step kept after the replay moves on still shows the recipients it met.
  let recipients = new Map<string, RecipientState>();
  let policy: ReplayStep['policy'];
  for await (const record of store.readAll()) {
    const event = events.decode(record.data);
    const subjectBefore = (event.subjectId !== undefined && subjects.get(event.subjectId)) || initialSubjectState;
    yield { record, event, subjectBefore, recipients, policy };
    if (event.type === 'PolicyDefined') policy = { policy: policyFromRecord(event.data), eventId: event.id };
    else if (event.subjectId !== undefined) subjects.set(event.subjectId, evolveSubject(subjectBefore, event));
    else {
      const id = (event.data as { recipientId?: string }).recipientId;
      if (id !== undefined) recipients = new Map(recipients).set(id, evolveRecipient(recipients.get(id) ?? initialRecipientState, event));
    }
  }
}
