import type Database from 'better-sqlite3';
import { inventoryProjection, type CustodianEvent, type ErasedCategory, type HeldCategory, type Inventory, type RecipientCopy, type RecipientNotice } from '@custodian/core';
import { list, optional, parseList, parseTimeMap, timeMap, utc } from './columns';
import { batchCache, groupBy } from './batch-cache';
import type { TableWriter } from './table';

interface CategoryRow {
  subject_id: string;
  category: string;
  source: string;
  collected_at: string;
  collected_by: string;
  rectified_at: string | null;
  retain_until: string;
  purposes: string;
  retention: string;
}

interface ErasedRow {
  subject_id: string;
  category: string;
  erased_at: string;
  reason: ErasedCategory['reason'];
  event_id: string;
  recipients_notified: string;
}

interface CopyRow {
  subject_id: string;
  recipient_id: string;
  categories: string;
  purposes: string;
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
  categories: string;
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
interface CopyMoments {
  readonly erasure: RecipientCopy['erasure'];
  readonly notifiedAt: string | null;
  readonly confirmedAt: string | null;
}

/** The subject's rows as the batch read them: what `save` compares with, to write only the rows that changed. */
interface Stored {
  readonly subject: SubjectRow | undefined;
  readonly categories: ReadonlyMap<string, HeldCategory>;
  readonly copies: ReadonlyMap<string, RecipientCopy>;
  readonly moments: ReadonlyMap<string, CopyMoments>;
  readonly notices: ReadonlyMap<string, RecipientNotice>;
  readonly erased: ReadonlyMap<string, ErasedCategory>;
}

/**
 * A subject as the batch has it: the fold's state and what the tables keep beside it.
 * Changed in place by each event: it is the batch's own copy, forgotten if the batch fails.
 */
interface HeldSubject {
  state: Inventory;
  readonly moments: Map<string, CopyMoments>;
  firstSeenAt: string | undefined;
  firstCollectedAt: string | null;
  readonly stored: Stored;
}

type Statements = ReturnType<typeof prepare>;

// Positional parameters: cheaper to bind than named ones, once per row.
function prepare(db: Database.Database) {
  const ofSubjects = 'WHERE subject_id IN (SELECT value FROM json_each(?))';
  return {
    // In rowid order, the order the rows were first written: the fold's order of categories and copies.
    categories: db.prepare<[string], CategoryRow>(
      `SELECT subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes, retention FROM inventory ${ofSubjects} ORDER BY rowid`,
    ),
    erased: db.prepare<[string], ErasedRow>(`SELECT subject_id, category, erased_at, reason, event_id, recipients_notified FROM erased_categories ${ofSubjects} ORDER BY rowid`),
    copies: db.prepare<[string], CopyRow>(
      `SELECT subject_id, recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at
       FROM recipient_copies ${ofSubjects} ORDER BY rowid`,
    ),
    notices: db.prepare<[string], NoticeRow>(
      `SELECT subject_id, notice_event_id, recipient_id, reason, change_event_id, categories, purpose, owed_at, status, confirmed_at
       FROM recipient_notices ${ofSubjects} ORDER BY rowid`,
    ),
    subjects: db.prepare<[string], SubjectRow>(`SELECT subject_id, first_seen_at, first_collected_at, erasure_requested_at, erased_at FROM subjects ${ofSubjects}`),
    upsertSubject: db.prepare(`
      INSERT INTO subjects (subject_id, first_seen_at, first_collected_at, erasure_requested_at, erased_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (subject_id) DO UPDATE SET
        first_collected_at = excluded.first_collected_at, erasure_requested_at = excluded.erasure_requested_at, erased_at = excluded.erased_at`),
    upsertCategory: db.prepare(`
      INSERT INTO inventory (subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes, retention, erased_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (subject_id, category) DO UPDATE SET
        source = excluded.source, collected_at = excluded.collected_at, collected_by = excluded.collected_by, rectified_at = excluded.rectified_at,
        retain_until = excluded.retain_until, purposes = excluded.purposes, retention = excluded.retention, erased_at = excluded.erased_at`),
    upsertErased: db.prepare(`
      INSERT INTO erased_categories (subject_id, category, erased_at, reason, event_id, recipients_notified) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (subject_id, category) DO UPDATE SET
        erased_at = excluded.erased_at, reason = excluded.reason, event_id = excluded.event_id, recipients_notified = excluded.recipients_notified`),
    upsertCopy: db.prepare(`
      INSERT INTO recipient_copies (subject_id, recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (subject_id, recipient_id) DO UPDATE SET
        categories = excluded.categories, purposes = excluded.purposes, first_shared_at = excluded.first_shared_at, revoked_at = excluded.revoked_at,
        erasure = excluded.erasure, erasure_notified_at = excluded.erasure_notified_at, erasure_confirmed_at = excluded.erasure_confirmed_at`),
    upsertNotice: db.prepare(`
      INSERT INTO recipient_notices (subject_id, notice_event_id, recipient_id, reason, change_event_id, categories, purpose, owed_at, status, confirmed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (subject_id, notice_event_id) DO UPDATE SET status = excluded.status, confirmed_at = excluded.confirmed_at`),
    // A category erased on its own leaves the inventory, and leaves erased_categories once collected again.
    removeCategory: db.prepare('DELETE FROM inventory WHERE subject_id = ? AND category = ?'),
    removeErased: db.prepare('DELETE FROM erased_categories WHERE subject_id = ? AND category = ?'),
    removeCopy: db.prepare('DELETE FROM recipient_copies WHERE subject_id = ? AND recipient_id = ?'),
    removeNotice: db.prepare('DELETE FROM recipient_notices WHERE subject_id = ? AND notice_event_id = ?'),
  };
}

function noticeOf(row: NoticeRow): RecipientNotice {
  return {
    recipientId: row.recipient_id,
    reason: row.reason,
    changeEventId: row.change_event_id,
    noticeEventId: row.notice_event_id,
    categories: parseList(row.categories),
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
    purposes: parseList(row.purposes),
    retention: parseTimeMap(row.retention),
  }));
  const erasedCategories = erasedRows.map((row): ErasedCategory => ({
    category: row.category,
    erasedAt: row.erased_at,
    reason: row.reason,
    eventId: row.event_id,
    recipientsNotified: parseList(row.recipients_notified),
  }));
  const recipients = copyRows.map((row): RecipientCopy => ({
    recipientId: row.recipient_id,
    categories: parseList(row.categories),
    purposes: parseList(row.purposes),
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
    erasedCategories,
  };
  const moments = new Map(
    copyRows.map((row): [string, CopyMoments] => [row.recipient_id, { erasure: row.erasure, notifiedAt: row.erasure_notified_at, confirmedAt: row.erasure_confirmed_at }]),
  );
  const stored: Stored = {
    subject,
    categories: new Map(categories.map((category) => [category.category, category])),
    copies: new Map(recipients.map((copy) => [copy.recipientId, copy])),
    moments: new Map(moments),
    notices: new Map(state.recipientNotices.map((notice) => [notice.noticeEventId, notice])),
    erased: new Map(erasedCategories.map((erased) => [erased.category, erased])),
  };
  return { state, moments, firstSeenAt: subject?.first_seen_at, firstCollectedAt: subject?.first_collected_at ?? null, stored };
}

function load(sql: Statements, subjectIds: readonly string[]): HeldSubject[] {
  const keys = list(subjectIds);
  const subjects = new Map(sql.subjects.all(keys).map((row) => [row.subject_id, row]));
  const categories = groupBy(sql.categories.all(keys), (row) => row.subject_id);
  const copies = groupBy(sql.copies.all(keys), (row) => row.subject_id);
  const notices = groupBy(sql.notices.all(keys), (row) => row.subject_id);
  const erased = groupBy(sql.erased.all(keys), (row) => row.subject_id);
  return subjectIds.map((subjectId) =>
    held(subjectId, subjects.get(subjectId), categories.get(subjectId) ?? [], copies.get(subjectId) ?? [], notices.get(subjectId) ?? [], erased.get(subjectId) ?? []),
  );
}

/** A change of a copy's erasure to pending or confirmed happened at the event that made it, at `at`. */
function moveCopies(subject: HeldSubject, recipients: readonly RecipientCopy[], at: string): void {
  for (const copy of recipients) {
    const moments = subject.moments.get(copy.recipientId);
    if (copy.erasure === (moments?.erasure ?? 'not_requested')) continue;
    subject.moments.set(copy.recipientId, {
      erasure: copy.erasure,
      notifiedAt: copy.erasure === 'pending' ? at : (moments?.notifiedAt ?? null),
      confirmedAt: copy.erasure === 'confirmed' ? at : (moments?.confirmedAt ?? null),
    });
  }
}

function evolve(subject: HeldSubject, event: CustodianEvent): void {
  const at = utc(event.occurredAt);
  const after = inventoryProjection.evolve(subject.state, event);
  subject.firstSeenAt ??= at;
  if (event.type === 'DataCollected' && subject.firstCollectedAt === null) subject.firstCollectedAt = at;
  if (after === subject.state) return;
  if (after.recipients !== subject.state.recipients) moveCopies(subject, after.recipients, at);
  subject.state = after;
}

const sameMoments = (a: CopyMoments | undefined, b: CopyMoments | undefined): boolean =>
  a?.erasure === b?.erasure && a?.notifiedAt === b?.notifiedAt && a?.confirmedAt === b?.confirmedAt;

/**
 * Writes what differs from the rows read: the fold keeps every category and copy an event
 * did not touch as the very object it had, so one not the object read (or one whose
 * `erased_at` moved) is written, and only it.
 */
function save(sql: Statements, subjectId: string, { state, moments, firstSeenAt, firstCollectedAt, stored }: HeldSubject): void {
  const erasedAt = utc(state.erasedAt);
  const erasureRequestedAt = utc(state.erasureRequestedAt);
  const { subject } = stored;
  if (subject === undefined || subject.first_collected_at !== firstCollectedAt || subject.erasure_requested_at !== erasureRequestedAt || subject.erased_at !== erasedAt) {
    sql.upsertSubject.run(subjectId, firstSeenAt, firstCollectedAt, erasureRequestedAt, erasedAt);
  }
  const erasureMoved = (subject?.erased_at ?? null) !== erasedAt;
  const categories = new Set<string>();
  for (const held of state.categories) {
    categories.add(held.category);
    if (!erasureMoved && stored.categories.get(held.category) === held) continue;
    const { category, source, collectedBy } = held;
    sql.upsertCategory.run(
      subjectId,
      category,
      source,
      utc(held.collectedAt),
      collectedBy,
      utc(held.rectifiedAt),
      utc(held.retainUntil),
      list(held.purposes),
      timeMap(held.retention),
      erasedAt,
    );
  }
  for (const category of stored.categories.keys()) if (!categories.has(category)) sql.removeCategory.run(subjectId, category);
  saveErased(sql, subjectId, state.erasedCategories ?? [], stored.erased);
  const copies = new Set<string>();
  for (const copy of state.recipients) {
    copies.add(copy.recipientId);
    const now = moments.get(copy.recipientId);
    if (stored.copies.get(copy.recipientId) === copy && sameMoments(now, stored.moments.get(copy.recipientId))) continue;
    sql.upsertCopy.run(
      subjectId,
      copy.recipientId,
      list(copy.categories),
      list(copy.purposes),
      utc(copy.firstSharedAt),
      utc(copy.revokedAt),
      copy.erasure,
      now?.notifiedAt ?? null,
      now?.confirmedAt ?? null,
    );
  }
  for (const recipientId of stored.copies.keys()) if (!copies.has(recipientId)) sql.removeCopy.run(subjectId, recipientId);
  const notices = new Set<string>();
  for (const notice of state.recipientNotices) {
    notices.add(notice.noticeEventId);
    if (stored.notices.get(notice.noticeEventId) === notice) continue;
    const { noticeEventId, recipientId, reason, changeEventId, purpose, status } = notice;
    sql.upsertNotice.run(
      subjectId,
      noticeEventId,
      recipientId,
      reason,
      changeEventId,
      list(notice.categories),
      purpose ?? null,
      utc(notice.owedAt),
      status,
      utc(notice.confirmedAt),
    );
  }
  for (const noticeEventId of stored.notices.keys()) if (!notices.has(noticeEventId)) sql.removeNotice.run(subjectId, noticeEventId);
}

function saveErased(sql: Statements, subjectId: string, erasedCategories: readonly ErasedCategory[], stored: ReadonlyMap<string, ErasedCategory>): void {
  const erased = new Set<string>();
  for (const entry of erasedCategories) {
    erased.add(entry.category);
    if (stored.get(entry.category) === entry) continue;
    sql.upsertErased.run(subjectId, entry.category, utc(entry.erasedAt), entry.reason, entry.eventId, list(entry.recipientsNotified));
  }
  for (const category of stored.keys()) if (!erased.has(category)) sql.removeErased.run(subjectId, category);
}

/**
 * `inventory`, `erased_categories`, `recipient_copies`, `recipient_notices` and `subjects`: core's inventory fold,
 * whose state for a subject is spread over the five. The rows of a batch's subjects are read
 * as the fold's state before its events (five queries for the whole batch), evolved in memory by each
 * of its events, and what changed is written back at the batch's end. What the fold does
 * not keep is the tables' own: when a copy's erasure was notified and confirmed (the
 * moments its `erasure` changed), and when the subject was first seen and first collected.
 */
export function inventoryTable(db: Database.Database): TableWriter {
  const sql = prepare(db);
  const subjects = batchCache(
    (subjectIds: readonly string[]) => load(sql, subjectIds),
    (subjectId: string, subject: HeldSubject) => save(sql, subjectId, subject),
  );
  return {
    preload: (events) => subjects.preload(events.flatMap((event) => inventoryProjection.keysOf(event))),
    apply(event) {
      for (const subjectId of inventoryProjection.keysOf(event)) {
        const subject = subjects.get(subjectId);
        evolve(subject, event);
        subjects.set(subjectId, subject);
      }
    },
    flush: () => subjects.flush(),
    discard: () => subjects.discard(),
  };
}
