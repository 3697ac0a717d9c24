import { z } from 'zod';
import { parseOrThrow } from '../errors';
import { events, readDecoded, subjectStream, TamperedStreamError, type CustodianEvent } from '../events';
import { deadlinesAt, type OpenRequests, type RequestDeadline } from '../requests';
import type { EventStore } from '../store';
import { asOfFilter, type AsOf } from './as-of';
import { consentStateAt, consentProjection, type ConsentState } from './consent-state';
import { historyProjection, type HistoryEntry } from './history';
import { inventoryProjection, type Inventory } from './inventory';
import { openRequestsProjection } from './open-requests';
import { applyToProjection, type ReadModel } from './read-model';
import { recipientsProjection, type RecipientEntry } from './recipients';

export interface ReadOptions {
  /** Answer as the ledger stood at this time or global position. */
  at?: AsOf;
}

export interface DeadlineOptions extends ReadOptions {
  /** The moment days left are counted at: by default the ledger's clock, or with `at` the moment it names. */
  now?: Date;
}

/** An open request of one subject, and where it stands against its deadline. */
export type SubjectRequestDeadline = RequestDeadline & { readonly subjectId: string };

const DeadlineOptions = z.strictObject({
  now: z
    .date()
    .refine((date) => !Number.isNaN(date.getTime()), 'must be a valid date')
    .optional(),
  at: z.union([z.date().refine((date) => !Number.isNaN(date.getTime()), 'must be a valid date'), z.bigint().nonnegative()]).optional(),
});

export interface ReadSide {
  consentState(subjectId: string, options?: ReadOptions): Promise<ConsentState>;
  history(subjectId: string, options?: ReadOptions): Promise<readonly HistoryEntry[]>;
  inventory(subjectId: string, options?: ReadOptions): Promise<Inventory>;
  recipients(options?: ReadOptions): Promise<readonly RecipientEntry[]>;
  /** Every open access, portability and erasure request, across subjects, soonest due first (GDPR Art. 12(3)). */
  openRequests(options?: DeadlineOptions): Promise<readonly SubjectRequestDeadline[]>;
  /** The open requests past their deadline at `now`. */
  overdueRequests(options?: DeadlineOptions): Promise<readonly SubjectRequestDeadline[]>;
}

/** The read side: each query folds a projection over the events recorded by `at`. */
export function createReadSide(store: EventStore, clock: () => Date): ReadSide {
  async function foldSubject<S>(projection: ReadModel<S>, subjectId: string, at: AsOf | undefined): Promise<S> {
    const verdictOn = asOfFilter(at);
    let state = projection.initial(subjectId);
    for (const { event, record } of await readDecoded(store, subjectStream(subjectId))) {
      const verdict = verdictOn(record, event);
      if (verdict === 'stop') break;
      if (verdict === 'skip') continue;
      state = projection.evolve(state, event);
    }
    return state;
  }

  /** One pass over the log as of `at`, each event folded into the states of the keys `model` gives it. */
  async function foldLog<S>(model: ReadModel<S>, at: AsOf | undefined): Promise<Map<string, S>> {
    const verdictOn = asOfFilter(at);
    const states = new Map<string, S>();
    for await (const record of store.readAll()) {
      const event = events.decode(record.data);
      const verdict = verdictOn(record, event);
      if (verdict === 'stop') break;
      if (verdict === 'skip') continue;
      // A copy of an event in another stream would be folded in twice (a registration, a request owed twice).
      if (event.stream !== record.stream) throw new TamperedStreamError(record.stream, record.revision, 'stream_mismatch');
      applyToProjection(model, states, event);
    }
    return states;
  }

  async function openRequests(raw: DeadlineOptions = {}): Promise<SubjectRequestDeadline[]> {
    const { now, at } = parseOrThrow(DeadlineOptions, raw, 'openRequests');
    const bySubject: Map<string, OpenRequests> = await foldLog(openRequestsProjection, at);
    const moment = now ?? (at instanceof Date ? at : at === undefined ? clock() : await timeAtPosition(store, at, clock));
    return [...bySubject]
      .flatMap(([subjectId, open]) => deadlinesAt(open, moment).map((deadline) => ({ subjectId, ...deadline })))
      .sort((a, b) => a.dueBy.localeCompare(b.dueBy) || a.subjectId.localeCompare(b.subjectId));
  }

  return {
    openRequests,
    overdueRequests: async (options) => (await openRequests(options)).filter((request) => request.overdue),
    async consentState(subjectId, options = {}) {
      const records = await foldSubject(consentProjection, subjectId, options.at);
      const { at } = options;
      const moment = at instanceof Date ? at : at === undefined ? clock() : await timeAtPosition(store, at, clock);
      return consentStateAt(records, moment);
    },
    history: (subjectId, options = {}) => foldSubject(historyProjection, subjectId, options.at),
    inventory: (subjectId, options = {}) => foldSubject(inventoryProjection, subjectId, options.at),
    async recipients(options = {}) {
      const states: Map<string, RecipientEntry> = await foldLog(recipientsProjection, options.at);
      return [...states.values()].sort((a, b) => a.recipientId.localeCompare(b.recipientId));
    },
  };
}

/** The time the ledger stood at a global position: when the event at (or last before) it was recorded. */
async function timeAtPosition(store: EventStore, position: bigint, clock: () => Date): Promise<Date> {
  for await (const record of store.readAll({ fromPosition: position, maxCount: 1 })) {
    if (record.position === position) return new Date(events.decode(record.data).recordedAt);
  }
  let last: CustodianEvent | undefined;
  for await (const record of store.readAll()) {
    if (record.position > position) break;
    last = events.decode(record.data);
  }
  return last ? new Date(last.recordedAt) : clock();
}
