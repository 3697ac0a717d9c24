import type { CustodianEvent, ExtensionReason } from '../events';
import { daysLeft, isOverdue, requestDeadline } from './deadline';

/** What a subject asked for: a copy (Art. 15), their data portable (Art. 20), or erasure (Art. 17). */
export type RequestRight = 'access' | 'portability' | 'erasure';

/** A request not yet answered, and by when it must be. */
export interface OpenRequest {
  readonly right: RequestRight;
  readonly receivedAt: string;
  /** The deadline in force: the statutory one, or the extended one. */
  readonly dueBy: string;
  readonly extension?: { readonly eventId: string; readonly reason: ExtensionReason; readonly statutoryDueBy: string } | undefined;
}

export type OpenRequests = ReadonlyMap<string, OpenRequest>;

/** An event recorded before requests carried their deadline is due one month after it occurred, as a new one is. */
const dueOf = (event: CustodianEvent, recorded: string | undefined): string => recorded ?? requestDeadline(new Date(event.occurredAt)).toISOString();

function without(open: OpenRequests, drop: (id: string, request: OpenRequest) => boolean): OpenRequests {
  const next = new Map([...open].filter(([id, request]) => !drop(id, request)));
  return next.size === open.size ? open : next;
}

/**
 * Folds one event of a subject's stream into their open requests, by request event id. Pure:
 * an event that changes none gives back the same map. An access or portability request
 * closes with the `AccessRequestFulfilled` that names it, every erasure request with the `DataErased` of the whole subject.
 */
export function evolveOpenRequests(open: OpenRequests, event: CustodianEvent): OpenRequests {
  switch (event.type) {
    case 'AccessRequestReceived':
      return new Map(open).set(event.id, { right: event.data.right, receivedAt: event.occurredAt, dueBy: dueOf(event, event.data.dueBy) });
    case 'ErasureRequested':
      return new Map(open).set(event.id, { right: 'erasure', receivedAt: event.occurredAt, dueBy: dueOf(event, event.data.dueBy) });
    case 'AccessRequestFulfilled':
      return without(open, (id) => id === event.data.requestEventId);
    case 'DataErased':
      // Categories erased on their own (a retention sweep, a request for one field) leave a request to erase the subject open.
      return event.data.scope === 'all' ? without(open, (_, request) => request.right === 'erasure') : open;
    case 'RequestDeadlineExtended': {
      const held = open.get(event.data.requestEventId);
      if (!held) return open;
      const extension = { eventId: event.id, reason: event.data.reason, statutoryDueBy: held.dueBy };
      return new Map(open).set(event.data.requestEventId, { ...held, dueBy: event.data.until, extension });
    }
    default:
      return open;
  }
}

/** An open request as people ask about it at a moment: how many days are left, and whether it is past its deadline. */
export interface RequestDeadline {
  readonly requestEventId: string;
  readonly right: RequestRight;
  readonly receivedAt: string;
  readonly dueBy: string;
  /** Whole UTC days to the day it is due: 0 on that day, negative once passed. */
  readonly daysLeft: number;
  readonly overdue: boolean;
  readonly extension?: OpenRequest['extension'];
}

/** The open requests at `now`, soonest due first. */
export function deadlinesAt(open: OpenRequests, now: Date): RequestDeadline[] {
  return [...open]
    .map(([requestEventId, request]) => ({
      requestEventId,
      right: request.right,
      receivedAt: request.receivedAt,
      dueBy: request.dueBy,
      daysLeft: daysLeft(request.dueBy, now),
      overdue: isOverdue(request.dueBy, now),
      ...(request.extension && { extension: request.extension }),
    }))
    .sort((a, b) => a.dueBy.localeCompare(b.dueBy) || a.receivedAt.localeCompare(b.receivedAt));
}
