import { events, type CustodianEvent } from '../events';
import { evolveRecipient, evolveSubject, initialRecipientState, initialSubjectState, type RecipientState, type SubjectState } from '../decider';
import type { EventStore, RecordedEvent } from '../store';

export interface ReplayStep {
  readonly record: RecordedEvent;
  readonly event: CustodianEvent;
  /** The subject's state just before this event (for subject events). */
  readonly subjectBefore: SubjectState;
  /** Every recipient as it stood just before this event, by id. */
  readonly recipients: ReadonlyMap<string, RecipientState>;
}

/**
 * Replays the whole store in global order, folding every subject and recipient with
 * the deciders' own `evolve`, and hands each event over with the state it met.
 */
export async function* replay(store: EventStore): AsyncGenerator<ReplayStep> {
  const subjects = new Map<string, SubjectState>();
  const recipients = new Map<string, RecipientState>();
  for await (const record of store.readAll()) {
    const event = events.decode(record.data);
    const subjectBefore = (event.subjectId !== undefined && subjects.get(event.subjectId)) || initialSubjectState;
    yield { record, event, subjectBefore, recipients };
    if (event.subjectId !== undefined) subjects.set(event.subjectId, evolveSubject(subjectBefore, event));
    else {
      const id = (event.data as { recipientId?: string }).recipientId;
      if (id !== undefined) recipients.set(id, evolveRecipient(recipients.get(id) ?? initialRecipientState, event));
    }
  }
}
