import type Database from 'better-sqlite3';
import { inventoryProjection, type CustodianEvent, type HeldCategory, type Inventory, type RecipientCopy } from '@custodian/core';
import { list, optional, parseList, utc } from './columns';
import { batchCache } from './batch-cache';
import type { TableWriter } from './table';

interface CategoryRow {
  category: string;
  source: string;
  collected_at: string;
  collected_by: string;
  rectified_at: string | null;
  retain_until: string;
  purposes: string;
}

interface CopyRow {
  recipient_id: string;
  categories: string;
  purposes: string;
  first_shared_at: string;
  revoked_at: string | null;
  erasure: RecipientCopy['erasure'];
  erasure_notified_at: string | null;
  erasure_confirmed_at: string | null;
}

interface SubjectRow {
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

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  return {
    categories: db.prepare<[string], CategoryRow>(
      'SELECT category, source, collected_at, collected_by, rectified_at, retain_until, purposes FROM inventory WHERE subject_id = ? ORDER BY rowid',
    ),
    copies: db.prepare<[string], CopyRow>(
      `SELECT recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at
       FROM recipient_copies WHERE subject_id = ? ORDER BY rowid`,
    ),
    subject: db.prepare<[string], SubjectRow>('SELECT first_seen_at, first_collected_at, erasure_requested_at, erased_at FROM subjects WHERE subject_id = ?'),
    upsertSubject: db.prepare(`
      INSERT INTO subjects (subject_id, first_seen_at, first_collected_at, erasure_requested_at, erased_at)
      VALUES (@subjectId, @firstSeenAt, @firstCollectedAt, @erasureRequestedAt, @erasedAt)
      ON CONFLICT (subject_id) DO UPDATE SET
        first_collected_at = excluded.first_collected_at, erasure_requested_at = excluded.erasure_requested_at, erased_at = excluded.erased_at`),
    upsertCategory: db.prepare(`
      INSERT INTO inventory (subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes, erased_at)
      VALUES (@subjectId, @category, @source, @collectedAt, @collectedBy, @rectifiedAt, @retainUntil, @purposes, @erasedAt)
      ON CONFLICT (subject_id, category) DO UPDATE SET
        source = excluded.source, collected_at = excluded.collected_at, collected_by = excluded.collected_by, rectified_at = excluded.rectified_at,
        retain_until = excluded.retain_until, purposes = excluded.purposes, erased_at = excluded.erased_at`),
    upsertCopy: db.prepare(`
      INSERT INTO recipient_copies (subject_id, recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at)
      VALUES (@subjectId, @recipientId, @categories, @purposes, @firstSharedAt, @revokedAt, @erasure, @notifiedAt, @confirmedAt)
      ON CONFLICT (subject_id, recipient_id) DO UPDATE SET
        categories = excluded.categories, purposes = excluded.purposes, first_shared_at = excluded.first_shared_at, revoked_at = excluded.revoked_at,
        erasure = excluded.erasure, erasure_notified_at = excluded.erasure_notified_at, erasure_confirmed_at = excluded.erasure_confirmed_at`),
    // The fold never forgets a category or a copy today; should it ever, its rows go too.
    dropOtherCategories: db.prepare('DELETE FROM inventory WHERE subject_id = ? AND category NOT IN (SELECT value FROM json_each(?))'),
    dropOtherCopies: db.prepare('DELETE FROM recipient_copies WHERE subject_id = ? AND recipient_id NOT IN (SELECT value FROM json_each(?))'),
  };
}

function load(sql: Statements, subjectId: string): HeldSubject {
  const subject = sql.subject.get(subjectId);
  const copyRows = sql.copies.all(subjectId);
  const categories = sql.categories.all(subjectId).map((row): HeldCategory => ({
    category: row.category,
    source: row.source,
    collectedAt: row.collected_at,
    collectedBy: row.collected_by,
    rectifiedAt: optional(row.rectified_at),
    retainUntil: row.retain_until,
    purposes: parseList(row.purposes),
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
  };
  const copies = new Map(copyRows.map((row) => [row.recipient_id, row]));
  return { state, copies, firstSeenAt: subject?.first_seen_at, firstCollectedAt: subject?.first_collected_at ?? null, changed: false };
}

/** The moments of each copy after an event at `at`: a change of its erasure to pending or confirmed happened then. */
function movedCopies(state: Inventory, before: ReadonlyMap<string, CopyMoments>, at: string): Map<string, CopyMoments> {
  return new Map(
    state.recipients.map((copy) => {
      const held = before.get(copy.recipientId);
      const changed = copy.erasure !== (held?.erasure ?? 'not_requested');
      return [
        copy.recipientId,
        {
          erasure: copy.erasure,
          erasure_notified_at: changed && copy.erasure === 'pending' ? at : (held?.erasure_notified_at ?? null),
          erasure_confirmed_at: changed && copy.erasure === 'confirmed' ? at : (held?.erasure_confirmed_at ?? null),
        },
      ];
    }),
  );
}

function evolve(held: HeldSubject, event: CustodianEvent): HeldSubject {
  const at = utc(event.occurredAt);
  const after = inventoryProjection.evolve(held.state, event);
  const collected = event.type === 'DataCollected' && held.firstCollectedAt === null;
  const moved = after === held.state ? {} : { state: after, copies: movedCopies(after, held.copies, at), changed: true };
  return { ...held, firstSeenAt: held.firstSeenAt ?? at, firstCollectedAt: collected ? at : held.firstCollectedAt, ...moved };
}

function save(sql: Statements, subjectId: string, { state, copies, firstSeenAt, firstCollectedAt, changed }: HeldSubject): void {
  const erasedAt = utc(state.erasedAt);
  sql.upsertSubject.run({ subjectId, firstSeenAt, firstCollectedAt, erasureRequestedAt: utc(state.erasureRequestedAt), erasedAt });
  if (!changed) return;
  sql.dropOtherCategories.run(subjectId, list(state.categories.map((held) => held.category)));
  sql.dropOtherCopies.run(subjectId, list(state.recipients.map((copy) => copy.recipientId)));
  for (const held of state.categories) {
    const { category, source, collectedBy } = held;
    const purposes = list(held.purposes);
    sql.upsertCategory.run({ subjectId, category, source, collectedBy, purposes, erasedAt, ...utcTimes(held) });
  }
  for (const copy of state.recipients) {
    const moments = copies.get(copy.recipientId);
    sql.upsertCopy.run({
      subjectId,
      recipientId: copy.recipientId,
      categories: list(copy.categories),
      purposes: list(copy.purposes),
      firstSharedAt: utc(copy.firstSharedAt),
      revokedAt: utc(copy.revokedAt),
      erasure: copy.erasure,
      notifiedAt: moments?.erasure_notified_at ?? null,
      confirmedAt: moments?.erasure_confirmed_at ?? null,
    });
  }
}

const utcTimes = (held: HeldCategory) => ({ collectedAt: utc(held.collectedAt), rectifiedAt: utc(held.rectifiedAt), retainUntil: utc(held.retainUntil) });

/**
 * `inventory`, `recipient_copies` and `subjects`: core's inventory fold, whose state for a
 * subject is spread over the three. A subject's rows are loaded as the fold's state at its
 * first event in a batch, evolved in memory by each of its events, and written back at the
 * batch's end. What the fold does not keep is the tables' own: when a copy's erasure was
 * notified and confirmed (the moments its `erasure` changed), and when the subject was
 * first seen and first collected.
 */
export function inventoryTable(db: Database.Database): TableWriter {
  const sql = prepare(db);
  const subjects = batchCache(
    (subjectId: string) => load(sql, subjectId),
    (subjectId: string, held: HeldSubject) => save(sql, subjectId, held),
  );
  return {
    apply(event) {
      for (const subjectId of inventoryProjection.keysOf(event)) subjects.set(subjectId, evolve(subjects.get(subjectId), event));
    },
    flush: () => subjects.flush(),
    discard: () => subjects.discard(),
  };
}
