import type Database from 'better-sqlite3';
import { utc } from './columns';
import type { TableWriter } from './table';

/**
 * `access_requests`: one row per Art. 15/20 request. Core keeps no fold of requests (the
 * decider only tracks which are open), and the row is a plain record of the two events:
 * the request, then the answer naming it by `requestEventId`.
 */
export function requestsTable(db: Database.Database): TableWriter {
  const received = db.prepare('INSERT INTO access_requests (request_event_id, subject_id, right, received_at) VALUES (?, ?, ?, ?)');
  const fulfilled = db.prepare('UPDATE access_requests SET fulfilled_at = ?, fulfilled_event_id = ?, digest = ? WHERE request_event_id = ?');

  return {
    apply(event) {
      switch (event.type) {
        case 'AccessRequestReceived':
          if (event.subjectId !== undefined) received.run(event.id, event.subjectId, event.data.right, utc(event.occurredAt));
          return;
        case 'AccessRequestFulfilled':
          fulfilled.run(utc(event.occurredAt), event.id, event.data.digest, event.data.requestEventId);
          return;
        default:
          return;
      }
    },
  };
}
