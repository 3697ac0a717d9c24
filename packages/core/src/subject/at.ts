import { events } from '../events';
import {
  consentProjection,
  consentStateAt,
  foldProjection,
  historyProjection,
  inventoryProjection,
  type AsOf,
  type ConsentState,
  type HistoryEntry,
  type Inventory,
  type ReadModel,
  type RecipientEntry,
} from '../projections';
import type { EventStore } from '../store';
import { readSubjectStreams, type SubjectStreams } from './read';

/** One subject as the ledger stood at a moment: what `custodian replay --at <t> --subject <id>` prints. */
export interface SubjectAt {
  readonly subjectId: string;
  /** Whether anything had been recorded about them by then. */
  readonly known: boolean;
  /** The moment consents are judged at: the time given, or when the event at the position was recorded. */
  readonly moment: Date;
  /** Whether the moment is a recorded event's time (a position's), not the time given or the clock. */
  readonly momentRecorded: boolean;
  /** How many of the subject's events the answer folds. */
  readonly events: number;
  readonly chain: SubjectStreams['chain'] | undefined;
  readonly consent: ConsentState;
  readonly history: readonly HistoryEntry[];
  readonly inventory: Inventory;
  /** The recipients the subject's history names, as they stood then, sorted by id. */
  readonly recipients: readonly RecipientEntry[];
}

/**
 * One subject at a time or global position (inclusive), read from their stream and the
 * recipient streams it names: the cost is theirs, not the log's. A position's moment is
 * the time its event was recorded, read with one bounded look-up of the log; where no event
 * sits at it (a gap, or past the end), the latest of the subject's own events before it,
 * or the clock when there is none.
 */
export async function subjectAt(store: EventStore, subjectId: string, at: AsOf, clock: () => Date = () => new Date()): Promise<SubjectAt> {
  const streams = await readSubjectStreams(store, subjectId, { at });
  const history = streams?.events ?? [];
  const fold = <S>(model: ReadModel<S>) => foldProjection(model, history).get(subjectId) ?? model.initial(subjectId);
  const recorded = at instanceof Date ? undefined : await momentAt(store, at, streams);
  const moment = at instanceof Date ? at : (recorded ?? clock());
  return {
    subjectId,
    known: streams !== undefined,
    moment,
    momentRecorded: recorded !== undefined,
    events: history.length,
    chain: streams?.chain,
    consent: consentStateAt(fold(consentProjection), moment),
    history: fold(historyProjection),
    inventory: fold(inventoryProjection),
    recipients: [...(streams?.recipients.values() ?? [])].sort((a, b) => a.recipientId.localeCompare(b.recipientId)),
  };
}

async function momentAt(store: EventStore, position: bigint, streams: SubjectStreams | undefined): Promise<Date | undefined> {
  for await (const record of store.readAll({ fromPosition: position, maxCount: 1 })) if (record.position === position) return new Date(events.decode(record.data).recordedAt);
  const last = streams?.records[streams.records.length - 1];
  return last && new Date(events.decode(last.data).recordedAt);
}
