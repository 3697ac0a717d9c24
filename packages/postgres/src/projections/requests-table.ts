import { columns, utc } from './columns';
import { statement } from './sql';
import type { TableWriter } from './table';

const insert = statement(
  'requests.insert',
  `INSERT INTO access_requests (request_event_id, subject_id, "right", received_at, fulfilled_at, fulfilled_event_id, digest)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
);

const fulfil = statement(
  'requests.fulfil',
  `UPDATE access_requests r SET fulfilled_at = answer.fulfilled_at, fulfilled_event_id = answer.fulfilled_event_id, digest = answer.digest
   FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS answer (request_event_id, fulfilled_at, fulfilled_event_id, digest)
   WHERE r.request_event_id = answer.request_event_id`,
);

interface Request {
  subjectId: string;
  right: string;
  receivedAt: string;
  fulfilledAt: string | null;
  fulfilledEventId: string | null;
  digest: string | null;
}

/**
 * `access_requests`: one row per Art. 15/20 request. Core keeps no fold of requests (the
 * decider only tracks which are open), and the row is a plain record of the two events:
 * the request, then the answer naming it by `requestEventId`. A request answered within
 * the batch is inserted answered; an answer to an earlier batch's request updates its row.
 */
export function requestsTable(): TableWriter {
  return {
    async write(client, batch) {
      const received = new Map<string, Request>();
      const answers = new Map<string, Pick<Request, 'fulfilledAt' | 'fulfilledEventId' | 'digest'>>();
      for (const { event } of batch) {
        if (event.type === 'AccessRequestReceived' && event.subjectId !== undefined) {
          received.set(event.id, {
            subjectId: event.subjectId,
            right: event.data.right,
            receivedAt: utc(event.occurredAt),
            fulfilledAt: null,
            fulfilledEventId: null,
            digest: null,
          });
        } else if (event.type === 'AccessRequestFulfilled') {
          const answer = { fulfilledAt: utc(event.occurredAt), fulfilledEventId: event.id, digest: event.data.digest };
          const request = received.get(event.data.requestEventId);
          if (request === undefined) answers.set(event.data.requestEventId, answer);
          else Object.assign(request, answer);
        }
      }
      if (received.size > 0) {
        const rows = columns(7);
        for (const [id, r] of received) rows.push([id, r.subjectId, r.right, r.receivedAt, r.fulfilledAt, r.fulfilledEventId, r.digest]);
        await insert(client, rows.arrays);
      }
      if (answers.size > 0) {
        const rows = columns(4);
        for (const [id, a] of answers) rows.push([id, a.fulfilledAt, a.fulfilledEventId, a.digest]);
        await fulfil(client, rows.arrays);
      }
    },
  };
}
