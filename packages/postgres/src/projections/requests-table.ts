import { requestDeadline, type CustodianEvent } from '@custodian/core';
import { columns, utc } from './columns';
import { statement } from './sql';
import type { TableWriter } from './table';

const insert = statement(
  'requests.insert',
  `INSERT INTO access_requests
     (request_event_id, subject_id, "right", received_at, due_by, statutory_due_by, extension_reason, extension_event_id, fulfilled_at, fulfilled_event_id, digest)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`,
);

const extend = statement(
  'requests.extend',
  `UPDATE access_requests r SET due_by = moved.due_by, extension_reason = moved.reason, extension_event_id = moved.event_id
   FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS moved (request_event_id, due_by, reason, event_id)
   WHERE r.request_event_id = moved.request_event_id AND r.fulfilled_at IS NULL`,
);

const fulfil = statement(
  'requests.fulfil',
  `UPDATE access_requests r SET fulfilled_at = answer.fulfilled_at, fulfilled_event_id = answer.fulfilled_event_id, digest = answer.digest
   FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS answer (request_event_id, fulfilled_at, fulfilled_event_id, digest)
   WHERE r.request_event_id = answer.request_event_id`,
);

const erase = statement(
  'requests.erase',
  `UPDATE access_requests r SET fulfilled_at = erasure.fulfilled_at, fulfilled_event_id = erasure.fulfilled_event_id
   FROM unnest($1::text[], $2::text[], $3::text[]) AS erasure (subject_id, fulfilled_at, fulfilled_event_id)
   WHERE r.subject_id = erasure.subject_id AND r."right" = 'erasure' AND r.fulfilled_at IS NULL`,
);

interface Request {
  subjectId: string;
  right: string;
  receivedAt: string;
  dueBy: string;
  statutoryDueBy: string;
  extensionReason: string | null;
  extensionEventId: string | null;
  fulfilledAt: string | null;
  fulfilledEventId: string | null;
  digest: string | null;
}

type Extension = Pick<Request, 'dueBy' | 'extensionReason' | 'extensionEventId'>;
type Answer = Pick<Request, 'fulfilledAt' | 'fulfilledEventId' | 'digest'>;

/** A request recorded before requests carried their deadline is due one month after it, as core's fold reads it. */
const dueOf = (event: CustodianEvent, recorded: string | undefined): string => utc(recorded ?? requestDeadline(new Date(event.occurredAt)).toISOString());

/** What a batch does to the table: requests it received (with what else it did to them), and changes to earlier batches' rows. */
interface Changes {
  readonly received: Map<string, Request>;
  readonly extensions: Map<string, Extension>;
  readonly answers: Map<string, Answer>;
  /** By subject: the first erasure of the whole subject in the batch, which answers the requests to erase received before. */
  readonly erasures: Map<string, Answer>;
}

function receive(changes: Changes, event: CustodianEvent, subjectId: string, right: string, dueBy: string | undefined): void {
  const due = dueOf(event, dueBy);
  changes.received.set(event.id, {
    subjectId,
    right,
    receivedAt: utc(event.occurredAt),
    dueBy: due,
    statutoryDueBy: due,
    extensionReason: null,
    extensionEventId: null,
    fulfilledAt: null,
    fulfilledEventId: null,
    digest: null,
  });
}

/** A change to the request `id`: made to its row in the batch, or kept for an earlier batch's row. */
function change<T extends object>(changes: Changes, id: string, earlier: Map<string, T>, values: T): void {
  const request = changes.received.get(id);
  if (request === undefined) earlier.set(id, values);
  else if (request.fulfilledAt === null) Object.assign(request, values);
}

function collect(batch: readonly { event: CustodianEvent }[]): Changes {
  const changes: Changes = { received: new Map(), extensions: new Map(), answers: new Map(), erasures: new Map() };
  for (const { event } of batch) {
    const { subjectId } = event;
    if (subjectId === undefined) continue;
    if (event.type === 'AccessRequestReceived') receive(changes, event, subjectId, event.data.right, event.data.dueBy);
    else if (event.type === 'ErasureRequested') receive(changes, event, subjectId, 'erasure', event.data.dueBy);
    else if (event.type === 'RequestDeadlineExtended') {
      change(changes, event.data.requestEventId, changes.extensions, { dueBy: utc(event.data.until), extensionReason: event.data.reason, extensionEventId: event.id });
    } else if (event.type === 'AccessRequestFulfilled') {
      change(changes, event.data.requestEventId, changes.answers, { fulfilledAt: utc(event.occurredAt), fulfilledEventId: event.id, digest: event.data.digest });
    } else if (event.type === 'DataErased' && event.data.scope === 'all') {
      const answer = { fulfilledAt: utc(event.occurredAt), fulfilledEventId: event.id, digest: null };
      for (const request of changes.received.values())
        if (request.subjectId === subjectId && request.right === 'erasure' && request.fulfilledAt === null) Object.assign(request, answer);
      if (!changes.erasures.has(subjectId)) changes.erasures.set(subjectId, answer);
    }
  }
  return changes;
}

/**
 * `access_requests`: one row per request of an Art. 15, 17 or 20 right, a plain record of
 * its events: the request with its statutory deadline, an extension that moves `due_by`,
 * then the answer: the `AccessRequestFulfilled` naming it, or for erasure the `DataErased`
 * of the whole subject (an erasure of some categories leaves it open, as in core). What a
 * batch does to its own requests is done before they are inserted; what it does to
 * earlier batches' rows is done first, so an erasure answers only the requests before it.
 */
export function requestsTable(): TableWriter {
  return {
    async write(client, batch) {
      const { received, extensions, answers, erasures } = collect(batch);
      if (extensions.size > 0) {
        const rows = columns(4);
        for (const [id, e] of extensions) rows.push([id, e.dueBy, e.extensionReason, e.extensionEventId]);
        await extend(client, rows.arrays);
      }
      if (answers.size > 0) {
        const rows = columns(4);
        for (const [id, a] of answers) rows.push([id, a.fulfilledAt, a.fulfilledEventId, a.digest]);
        await fulfil(client, rows.arrays);
      }
      if (erasures.size > 0) {
        const rows = columns(3);
        for (const [subjectId, a] of erasures) rows.push([subjectId, a.fulfilledAt, a.fulfilledEventId]);
        await erase(client, rows.arrays);
      }
      if (received.size > 0) {
        const rows = columns(11);
        for (const [id, r] of received) {
          rows.push([id, r.subjectId, r.right, r.receivedAt, r.dueBy, r.statutoryDueBy, r.extensionReason, r.extensionEventId, r.fulfilledAt, r.fulfilledEventId, r.digest]);
        }
        await insert(client, rows.arrays);
      }
    },
  };
}
