import type Database from 'better-sqlite3';
import { requestDeadline, type CustodianEvent } from '@custodian/core';
import { utc } from './columns';
import type { TableWriter } from './table';

/** A request recorded before requests carried their deadline is due one month after it, as core's fold reads it. */
const dueOf = (event: CustodianEvent, recorded: string | undefined): string => utc(recorded ?? requestDeadline(new Date(event.occurredAt)).toISOString());

/**
 * `access_requests`: one row per request of an Art. 15, 17 or 20 right, a plain record of
 * its events: the request with its statutory deadline, an extension that moves `due_by`,
 * then the answer: the `AccessRequestFulfilled` naming it, or for erasure the `DataErased`
 * of the whole subject (an erasure of some categories leaves the request open, as in core).
 */
export function requestsTable(db: Database.Database): TableWriter {
  const received = db.prepare('INSERT INTO access_requests (request_event_id, subject_id, right, received_at, due_by, statutory_due_by) VALUES (?, ?, ?, ?, ?, ?)');
  const extended = db.prepare('UPDATE access_requests SET due_by = ?, extension_reason = ?, extension_event_id = ? WHERE request_event_id = ? AND fulfilled_at IS NULL');
  const fulfilled = db.prepare('UPDATE access_requests SET fulfilled_at = ?, fulfilled_event_id = ?, digest = ? WHERE request_event_id = ?');
  const erased = db.prepare("UPDATE access_requests SET fulfilled_at = ?, fulfilled_event_id = ? WHERE subject_id = ? AND right = 'erasure' AND fulfilled_at IS NULL");
  const receive = (event: CustodianEvent, subjectId: string, right: string, dueBy: string | undefined): void => {
    const due = dueOf(event, dueBy);
    received.run(event.id, subjectId, right, utc(event.occurredAt), due, due);
  };

  return {
    apply(event) {
      const { subjectId } = event;
      if (subjectId === undefined) return;
      switch (event.type) {
        case 'AccessRequestReceived':
          return receive(event, subjectId, event.data.right, event.data.dueBy);
        case 'ErasureRequested':
          return receive(event, subjectId, 'erasure', event.data.dueBy);
        case 'RequestDeadlineExtended':
          extended.run(utc(event.data.until), event.data.reason, event.id, event.data.requestEventId);
          return;
        case 'AccessRequestFulfilled':
          fulfilled.run(utc(event.occurredAt), event.id, event.data.digest, event.data.requestEventId);
          return;
        case 'DataErased':
          if (event.data.scope === 'all') erased.run(utc(event.occurredAt), event.id, subjectId);
          return;
        default:
          return;
      }
    },
  };
}
