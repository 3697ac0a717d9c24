import { inventoryProjection, type CustodianEvent, type ErasedCategory, type HeldCategory, type Inventory, type RecipientCopy, type RecipientNotice } from '@custodian/core';
import type { PoolClient } from 'pg';
import { columns, keysOf, list, optional, strings, timeMap, times, utc } from './columns';
import { statement } from './sql';
import type { TableWriter } from './table';

interface CategoryRow {
  subject_id: string;
  category: string;
  source: string;
  collected_at: string;
  collected_by: string;
  rectified_at: string | null;
  retain_until: string;
  purposes: unknown;
  retention: unknown;
}

interface ErasedRow {
  subject_id: string;
  category: string;
  erased_at: string;
  reason: ErasedCategory['reason'];
  event_id: string;
  recipients_notified: unknown;
}

interface CopyRow {
  subject_id: string;
  recipient_id: string;
  categories: unknown;
  purposes: unknown;
  first_shared_at: string;
  revoked_at: string | null;
  erasure: RecipientCopy['erasure'];
  erasure_notified_at: string | null;
  erasure_confirmed_at: string | null;
}

interface NoticeRow {
  subject_id: string;
  notice_event_id: string;
  recipient_id: string;
  reason: RecipientNotice['reason'];
  change_event_id: string;
  categories: unknown;
  purpose: string | null;
  owed_at: string;
  status: RecipientNotice['status'];
  confirmed_at: string | null;
}

interface SubjectRow {
  subject_id: string;
  first_seen_at: string;
  first_collected_at: string | null;
  erasure_requested_at: string | null;
  erased_at: string | null;
}

/** When a copy's erasure was notified and confirmed: the table's own, not the fold's. */
type CopyMoments = Pick<CopyRow, 'erasure' | 'erasure_notified_at' | 'erasure_confirmed_at'>;

/** A subject as the batch has it: the fold's state and what the tables keep beside it. */
interface HeldSubject {
  readonly state: Inventory;
  readonly copies: ReadonlyMap<string, CopyMoments>;
  readonly firstSeenAt: string | undefined;
  readonly firstCollectedAt: string | null;
  /** Whether the fold's state changed in this batch, so its categories and copies are written. */
  readonly changed: boolean;
}

const sql = {
  subjects: statement<SubjectRow>(
    'inventory.subjects',
    'SELECT subject_id, first_seen_at, first_collected_at, erasure_requested_at, erased_at FROM subjects WHERE subject_id = ANY($1::text[])',
  ),
  categories: statement<CategoryRow>(
    'inventory.categories',
    `SELECT subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes, retention
     FROM inventory WHERE subject_id = ANY($1::text[]) ORDER BY subject_id, category`,
  ),
  erased: statement<ErasedRow>(
    'inventory.erased',
    `SELECT subject_id, category, erased_at, reason, event_id, recipients_notified
     FROM erased_categories WHERE subject_id = ANY($1::text[]) ORDER BY subject_id, erased_at, category`,
  ),
  copies: statement<CopyRow>(
    'inventory.copies',
    `SELECT subject_id, recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at
     FROM recipient_copies WHERE subject_id = ANY($1::text[]) ORDER BY subject_id, recipient_id`,
  ),
  notices: statement<NoticeRow>(
    'inventory.notices',
    `SELECT subject_id, notice_event_id, recipient_id, reason, change_event_id, categories, purpose, owed_at, status, confirmed_at
     FROM recipient_notices WHERE subject_id = ANY($1::text[]) ORDER BY subject_id, owed_at, notice_event_id`,
  ),
  upsertSubjects: statement(
    'inventory.upsert-subjects',
    `INSERT INTO subjects (subject_id, first_seen_at, first_collected_at, erasure_requested_at, erased_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (subject_id) DO UPDATE SET
       first_collected_at = excluded.first_collected_at, erasure_requested_at = excluded.erasure_requested_at, erased_at = excluded.erased_at`,
  ),
  upsertCategories: statement(
    'inventory.upsert-categories',
    `INSERT INTO inventory (subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes, retention, erased_at)
     SELECT subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes::jsonb, retention::jsonb, erased_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS row (subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes, retention, erased_at)
     ON CONFLICT (subject_id, category) DO UPDATE SET
       source = excluded.source, collected_at = excluded.collected_at, collected_by = excluded.collected_by, rectified_at = excluded.rectified_at,
       retain_until = excluded.retain_until, purposes = excluded.purposes, retention = excluded.retention, erased_at = excluded.erased_at`,
  ),
  upsertErased: statement(
    'inventory.upsert-erased',
    `INSERT INTO erased_categories (subject_id, category, erased_at, reason, event_id, recipients_notified)
     SELECT subject_id, category, erased_at, reason, event_id, recipients_notified::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS row (subject_id, category, erased_at, reason, event_id, recipients_notified)
     ON CONFLICT (subject_id, category) DO UPDATE SET
       erased_at = excluded.erased_at, reason = excluded.reason, event_id = excluded.event_id, recipients_notified = excluded.recipients_notified`,
  ),
  upsertCopies: statement(
    'inventory.upsert-copies',
    `INSERT INTO recipient_copies (subject_id, recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at)
     SELECT subject_id, recipient_id, categories::jsonb, purposes::jsonb, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
       AS row (subject_id, recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at)
     ON CONFLICT (subject_id, recipient_id) DO UPDATE SET
       categories = excluded.categories, purposes = excluded.purposes, first_shared_at = excluded.first_shared_at, revoked_at = excluded.revoked_at,
       erasure = excluded.erasure, erasure_notified_at = excluded.erasure_notified_at, erasure_confirmed_at = excluded.erasure_confirmed_at`,
  ),
  upsertNotices: statement(
    'inventory.upsert-notices',
    `INSERT INTO recipient_notices (subject_id, notice_event_id, recipient_id, reason, change_event_id, categories, purpose, owed_at, status, confirmed_at)
     SELECT subject_id, notice_event_id, recipient_id, reason, change_event_id, categories::jsonb, purpose, owed_at, status, confirmed_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS row (subject_id, notice_event_id, recipient_id, reason, change_event_id, categories, purpose, owed_at, status, confirmed_at)
     ON CONFLICT (subject_id, notice_event_id) DO UPDATE SET status = excluded.status, confirmed_at = excluded.confirmed_at`,
  ),
  // A category erased on its own leaves the inventory, and leaves erased_categories once collected again.
  dropOtherErased: statement(
    'inventory.drop-other-erased',
    `DELETE FROM erased_categories e WHERE e.subject_id = ANY($1::text[])
     AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS kept (subject_id, category) WHERE kept.subject_id = e.subject_id AND kept.category = e.category)`,
  ),
  dropOtherCategories: statement(
    'inventory.drop-other-categories',
    `DELETE FROM inventory i WHERE i.subject_id = ANY($1::text[])
     AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS kept (subject_id, category) WHERE kept.subject_id = i.subject_id AND kept.category = i.category)`,
  ),
  dropOtherCopies: statement(
    'inventory.drop-other-copies',
    `DELETE FROM recipient_copies c WHERE c.subject_id = ANY($1::text[])
     AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS kept (subject_id, recipient_id) WHERE kept.subject_id = c.subject_id AND kept.recipient_id = c.recipient_id)`,
  ),
  dropOtherNotices: statement(
    'inventory.drop-other-notices',
    `DELETE FROM recipient_notices n WHERE n.subject_id = ANY($1::text[])
     AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS kept (subject_id, notice_event_id) WHERE kept.subject_id = n.subject_id AND kept.notice_event_id = n.notice_event_id)`,
  ),
};

function grouped<Row extends { subject_id: string }>(rows: readonly Row[]): Map<string, Row[]> {
  const bySubject = new Map<string, Row[]>();
  for (const row of rows) {
    const held = bySubject.get(row.subject_id);
    if (held === undefined) bySubject.set(row.subject_id, [row]);
    else held.push(row);
  }
  return bySubject;
}

async function load(client: PoolClient, subjectIds: readonly string[]): Promise<Map<string, HeldSubject>> {
  const subjects = new Map((await sql.subjects(client, [subjectIds])).rows.map((row) => [row.subject_id, row]));
  const categories = grouped((await sql.categories(client, [subjectIds])).rows);
  const copies = grouped((await sql.copies(client, [subjectIds])).rows);
  const notices = grouped((await sql.notices(client, [subjectIds])).rows);
  const erased = grouped((await sql.erased(client, [subjectIds])).rows);
  return new Map(
    subjectIds.map((subjectId) => [
      subjectId,
      held(subjectId, subjects.get(subjectId), categories.get(subjectId) ?? [], copies.get(subjectId) ?? [], notices.get(subjectId) ?? [], erased.get(subjectId) ?? []),
    ]),
  );
}

function noticeOf(row: NoticeRow): RecipientNotice {
  return {
    recipientId: row.recipient_id,
    reason: row.reason,
    changeEventId: row.change_event_id,
    noticeEventId: row.notice_event_id,
    categories: strings(row.categories),
    purpose: optional(row.purpose),
    owedAt: row.owed_at,
    status: row.status,
    confirmedAt: optional(row.confirmed_at),
  };
}

function held(
  subjectId: string,
  subject: SubjectRow | undefined,
  categoryRows: readonly CategoryRow[],
  copyRows: readonly CopyRow[],
  noticeRows: readonly NoticeRow[],
  erasedRows: readonly ErasedRow[],
): HeldSubject {
  const categories = categoryRows.map((row): HeldCategory => ({
    category: row.category,
    source: row.source,
    collectedAt: row.collected_at,
    collectedBy: row.collected_by,
    rectifiedAt: optional(row.rectified_at),
    retainUntil: row.retain_until,
    purposes: strings(row.purposes),
    retention: times(row.retention),
  }));
  const recipients = copyRows.map((row): RecipientCopy => ({
    recipientId: row.recipient_id,
    categories: strings(row.categories),
    purposes: strings(row.purposes),
    firstSharedAt: row.first_shared_at,
    revokedAt: optional(row.revoked_at),
    erasure: row.erasure,
  }));
  const erasedAt = optional(subject?.erased_at ?? null);
  const state: Inventory = {
    subjectId,
    categories,
    recipients,
    erasureRequestedAt: optional(subject?.erasure_requested_at ?? null),
    erased: erasedAt !== undefined,
    erasedAt,
    pendingErasureConfirmations: recipients.filter((r) => r.erasure === 'pending').map((r) => r.recipientId),
    recipientNotices: noticeRows.map(noticeOf),
    erasedCategories: erasedRows.map((row): ErasedCategory => ({
      category: row.category,
      erasedAt: row.erased_at,
      reason: row.reason,
      eventId: row.event_id,
      recipientsNotified: strings(row.recipients_notified),
    })),
  };
  const moments = new Map(copyRows.map((row): [string, CopyMoments] => [row.recipient_id, row]));
  return { state, copies: moments, firstSeenAt: subject?.first_seen_at, firstCollectedAt: subject?.first_collected_at ?? null, changed: false };
}

/** The moments of each copy after an event at `at`: a change of its erasure to pending or confirmed happened then. */
function movedCopies(state: Inventory, before: ReadonlyMap<string, CopyMoments>, at: string): Map<string, CopyMoments> {
  return new Map(
    state.recipients.map((copy) => {
      const was = before.get(copy.recipientId);
      const changed = copy.erasure !== (was?.erasure ?? 'not_requested');
      return [
        copy.recipientId,
        {
          erasure: copy.erasure,
          erasure_notified_at: changed && copy.erasure === 'pending' ? at : (was?.erasure_notified_at ?? null),
          erasure_confirmed_at: changed && copy.erasure === 'confirmed' ? at : (was?.erasure_confirmed_at ?? null),
        },
      ];
    }),
  );
}

function evolve(subject: HeldSubject, event: CustodianEvent): HeldSubject {
  const at = utc(event.occurredAt);
  const after = inventoryProjection.evolve(subject.state, event);
  const collected = event.type === 'DataCollected' && subject.firstCollectedAt === null;
  const moved = after === subject.state ? {} : { state: after, copies: movedCopies(after, subject.copies, at), changed: true };
  return { ...subject, firstSeenAt: subject.firstSeenAt ?? at, firstCollectedAt: collected ? at : subject.firstCollectedAt, ...moved };
}

async function save(client: PoolClient, subjects: ReadonlyMap<string, HeldSubject>): Promise<void> {
  const subjectRows = columns(5);
  const categoryRows = columns(10);
  const erasedRows = columns(6);
  const keptErased = columns(2);
  const copyRows = columns(9);
  const keptCategories = columns(2);
  const keptCopies = columns(2);
  const noticeRows = columns(10);
  const keptNotices = columns(2);
  const changed: string[] = [];
  for (const [subjectId, { state, copies, firstSeenAt, firstCollectedAt, changed: moved }] of subjects) {
    const erasedAt = utc(state.erasedAt);
    subjectRows.push([subjectId, firstSeenAt, firstCollectedAt, utc(state.erasureRequestedAt), erasedAt]);
    if (!moved) continue;
    changed.push(subjectId);
    for (const category of state.categories) {
      keptCategories.push([subjectId, category.category]);
      categoryRows.push([
        subjectId,
        category.category,
        category.source,
        utc(category.collectedAt),
        category.collectedBy,
        utc(category.rectifiedAt),
        utc(category.retainUntil),
        list(category.purposes),
        timeMap(category.retention),
        erasedAt,
      ]);
    }
    for (const entry of state.erasedCategories ?? []) {
      keptErased.push([subjectId, entry.category]);
      erasedRows.push([subjectId, entry.category, utc(entry.erasedAt), entry.reason, entry.eventId, list(entry.recipientsNotified)]);
    }
    for (const copy of state.recipients) {
      const moments = copies.get(copy.recipientId);
      keptCopies.push([subjectId, copy.recipientId]);
      copyRows.push([
        subjectId,
        copy.recipientId,
        list(copy.categories),
        list(copy.purposes),
        utc(copy.firstSharedAt),
        utc(copy.revokedAt),
        copy.erasure,
        moments?.erasure_notified_at ?? null,
        moments?.erasure_confirmed_at ?? null,
      ]);
    }
    for (const notice of state.recipientNotices) {
      keptNotices.push([subjectId, notice.noticeEventId]);
      noticeRows.push([
        subjectId,
        notice.noticeEventId,
        notice.recipientId,
        notice.reason,
        notice.changeEventId,
        list(notice.categories),
        notice.purpose ?? null,
        utc(notice.owedAt),
        notice.status,
        utc(notice.confirmedAt),
      ]);
    }
  }
  if (subjectRows.length > 0) await sql.upsertSubjects(client, subjectRows.arrays);
  if (changed.length === 0) return;
  await sql.dropOtherCategories(client, [changed, ...keptCategories.arrays]);
  await sql.dropOtherCopies(client, [changed, ...keptCopies.arrays]);
  await sql.dropOtherNotices(client, [changed, ...keptNotices.arrays]);
  await sql.dropOtherErased(client, [changed, ...keptErased.arrays]);
  if (categoryRows.length > 0) await sql.upsertCategories(client, categoryRows.arrays);
  if (erasedRows.length > 0) await sql.upsertErased(client, erasedRows.arrays);
  if (copyRows.length > 0) await sql.upsertCopies(client, copyRows.arrays);
  if (noticeRows.length > 0) await sql.upsertNotices(client, noticeRows.arrays);
}

/**
 * `inventory`, `erased_categories`, `recipient_copies`, `recipient_notices` and `subjects`: core's inventory fold,
 * whose state for a subject is spread over the five. The batch's subjects are loaded as the fold's state in
 * one statement per table, evolved in memory by each of their events, and written back in
 * one statement per table. What the fold does not keep is the tables' own: when a copy's
 * erasure was notified and confirmed (the moments its `erasure` changed), and when the
 * subject was first seen and first collected.
 */
export function inventoryTable(): TableWriter {
  return {
    async write(client, batch) {
      const touched = keysOf(batch, ({ event }) => inventoryProjection.keysOf(event));
      if (touched.length === 0) return;
      const subjects = await load(client, touched);
      for (const { event } of batch) {
        for (const subjectId of inventoryProjection.keysOf(event)) {
          const subject = subjects.get(subjectId);
          if (subject !== undefined) subjects.set(subjectId, evolve(subject, event));
        }
      }
      await save(client, subjects);
    },
  };
}
