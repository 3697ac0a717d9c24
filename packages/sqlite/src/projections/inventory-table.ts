import type Database from 'better-sqlite3';
import { inventoryProjection, type HeldCategory, type Inventory, type RecipientCopy } from '@custodian/core';
import { list, optional, parseList, utc } from './columns';
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
  erasure_requested_at: string | null;
  erased_at: string | null;
}

/**
 * `inventory`, `recipient_copies` and `subjects`: core's inventory fold, whose state for a
 * subject is spread over the three. Each event loads the subject's rows as the fold's
 * state, evolves it, and writes the state back. What the fold does not keep is the
 * tables' own: when a copy's erasure was notified and confirmed (the moments its
 * `erasure` changed), and when the subject was first seen and first collected.
 */
export function inventoryTable(db: Database.Database): TableWriter {
  const selectCategories = db.prepare<[string], CategoryRow>(
    'SELECT category, source, collected_at, collected_by, rectified_at, retain_until, purposes FROM inventory WHERE subject_id = ? ORDER BY rowid',
  );
  const selectCopies = db.prepare<[string], CopyRow>(
    `SELECT recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at
     FROM recipient_copies WHERE subject_id = ? ORDER BY rowid`,
  );
  const selectSubject = db.prepare<[string], SubjectRow>('SELECT erasure_requested_at, erased_at FROM subjects WHERE subject_id = ?');
  const upsertSubject = db.prepare(`
    INSERT INTO subjects (subject_id, first_seen_at, first_collected_at, erasure_requested_at, erased_at)
    VALUES (@subjectId, @at, @collectedAt, @erasureRequestedAt, @erasedAt)
    ON CONFLICT (subject_id) DO UPDATE SET
      first_collected_at = COALESCE(subjects.first_collected_at, excluded.first_collected_at),
      erasure_requested_at = excluded.erasure_requested_at, erased_at = excluded.erased_at`);
  const upsertCategory = db.prepare(`
    INSERT INTO inventory (subject_id, category, source, collected_at, collected_by, rectified_at, retain_until, purposes, erased_at)
    VALUES (@subjectId, @category, @source, @collectedAt, @collectedBy, @rectifiedAt, @retainUntil, @purposes, @erasedAt)
    ON CONFLICT (subject_id, category) DO UPDATE SET
      source = excluded.source, collected_at = excluded.collected_at, collected_by = excluded.collected_by, rectified_at = excluded.rectified_at,
      retain_until = excluded.retain_until, purposes = excluded.purposes, erased_at = excluded.erased_at`);
  const upsertCopy = db.prepare(`
    INSERT INTO recipient_copies (subject_id, recipient_id, categories, purposes, first_shared_at, revoked_at, erasure, erasure_notified_at, erasure_confirmed_at)
    VALUES (@subjectId, @recipientId, @categories, @purposes, @firstSharedAt, @revokedAt, @erasure, @notifiedAt, @confirmedAt)
    ON CONFLICT (subject_id, recipient_id) DO UPDATE SET
      categories = excluded.categories, purposes = excluded.purposes, first_shared_at = excluded.first_shared_at, revoked_at = excluded.revoked_at,
      erasure = excluded.erasure, erasure_notified_at = excluded.erasure_notified_at, erasure_confirmed_at = excluded.erasure_confirmed_at`);

  // The fold never forgets a category or a copy today; should it ever, its rows go too.
  const dropOtherCategories = db.prepare('DELETE FROM inventory WHERE subject_id = ? AND category NOT IN (SELECT value FROM json_each(?))');
  const dropOtherCopies = db.prepare('DELETE FROM recipient_copies WHERE subject_id = ? AND recipient_id NOT IN (SELECT value FROM json_each(?))');

  function load(subjectId: string): { state: Inventory; copies: Map<string, CopyRow> } {
    const subject = selectSubject.get(subjectId);
    const copies = new Map(selectCopies.all(subjectId).map((row) => [row.recipient_id, row]));
    const categories = selectCategories.all(subjectId).map((row): HeldCategory => ({
      category: row.category,
      source: row.source,
      collectedAt: row.collected_at,
      collectedBy: row.collected_by,
      rectifiedAt: optional(row.rectified_at),
      retainUntil: row.retain_until,
      purposes: parseList(row.purposes),
    }));
    const recipients = [...copies.values()].map((row): RecipientCopy => ({
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
    return { state, copies };
  }

  function save(subjectId: string, state: Inventory, copies: ReadonlyMap<string, CopyRow>, at: string): void {
    const erasedAt = utc(state.erasedAt);
    dropOtherCategories.run(subjectId, list(state.categories.map((held) => held.category)));
    dropOtherCopies.run(subjectId, list(state.recipients.map((copy) => copy.recipientId)));
    for (const held of state.categories) {
      upsertCategory.run({
        subjectId,
        category: held.category,
        source: held.source,
        collectedAt: utc(held.collectedAt),
        collectedBy: held.collectedBy,
        rectifiedAt: utc(held.rectifiedAt),
        retainUntil: utc(held.retainUntil),
        purposes: list(held.purposes),
        erasedAt,
      });
    }
    for (const copy of state.recipients) {
      const before = copies.get(copy.recipientId);
      const changed = copy.erasure !== (before?.erasure ?? 'not_requested');
      upsertCopy.run({
        subjectId,
        recipientId: copy.recipientId,
        categories: list(copy.categories),
        purposes: list(copy.purposes),
        firstSharedAt: utc(copy.firstSharedAt),
        revokedAt: utc(copy.revokedAt),
        erasure: copy.erasure,
        notifiedAt: changed && copy.erasure === 'pending' ? at : (before?.erasure_notified_at ?? null),
        confirmedAt: changed && copy.erasure === 'confirmed' ? at : (before?.erasure_confirmed_at ?? null),
      });
    }
  }

  return {
    apply(event) {
      for (const subjectId of inventoryProjection.keysOf(event)) {
        const at = utc(event.occurredAt);
        const { state, copies } = load(subjectId);
        const after = inventoryProjection.evolve(state, event);
        upsertSubject.run({
          subjectId,
          at,
          collectedAt: event.type === 'DataCollected' ? at : null,
          erasureRequestedAt: utc(after.erasureRequestedAt),
          erasedAt: utc(after.erasedAt),
        });
        if (after !== state) save(subjectId, after, copies, at);
      }
    },
  };
}
