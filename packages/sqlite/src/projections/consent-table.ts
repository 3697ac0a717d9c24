import type Database from 'better-sqlite3';
import { consentProjection, type ConsentRecord } from '@custodian/core';
import { list, optional, utc } from './columns';
import { batchCache, groupBy } from './batch-cache';
import type { TableWriter } from './table';

interface ConsentRow {
  subject_id: string;
  purpose: string;
  status: ConsentRecord['status'];
  since: string;
  notice_id: string | null;
  notice_version: string | null;
  event_id: string;
  method: string;
  expires_at: string | null;
  granted_at: string | null;
}

/**
 * A subject's consents as the batch has them: the fold's state, each purpose's first grant,
 * the purposes that had a row when the batch read them, and those whose row changed.
 */
interface SubjectConsents {
  state: Readonly<Record<string, ConsentRecord>>;
  readonly grantedAt: Map<string, string | null>;
  readonly stored: readonly string[];
  readonly changed: Set<string>;
}

function held(rows: readonly ConsentRow[]): SubjectConsents {
  const state: Record<string, ConsentRecord> = {};
  for (const row of rows) {
    state[row.purpose] = {
      status: row.status,
      since: row.since,
      notice: row.notice_id === null || row.notice_version === null ? undefined : { id: row.notice_id, version: row.notice_version },
      eventId: row.event_id,
      method: row.method,
      expiresAt: optional(row.expires_at),
    };
  }
  return { state, grantedAt: new Map(rows.map((row) => [row.purpose, row.granted_at])), stored: rows.map((row) => row.purpose), changed: new Set() };
}

/**
 * `consent_state`: core's consent fold, one row per subject and purpose. The subject's rows
 * are the fold's state, so each event is evolved by the very rules `ledger.consentState()`
 * uses; only `granted_at` (the first grant) is the table's own, kept across later changes.
 * Only the purposes an event changed are written.
 */
export function consentTable(db: Database.Database): TableWriter {
  const select = db.prepare<[string], ConsentRow>(
    `SELECT subject_id, purpose, status, since, notice_id, notice_version, event_id, method, expires_at, granted_at
     FROM consent_state WHERE subject_id IN (SELECT value FROM json_each(?))`,
  );
  // Positional parameters: cheaper to bind than named ones, once per row.
  const upsert = db.prepare(`
    INSERT INTO consent_state (subject_id, purpose, status, since, notice_id, notice_version, event_id, method, expires_at, granted_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (subject_id, purpose) DO UPDATE SET
      status = excluded.status, since = excluded.since, notice_id = excluded.notice_id, notice_version = excluded.notice_version,
      event_id = excluded.event_id, method = excluded.method, expires_at = excluded.expires_at, granted_at = excluded.granted_at`);
  // The fold never forgets a purpose today; should it ever, its row goes too.
  const remove = db.prepare('DELETE FROM consent_state WHERE subject_id = ? AND purpose = ?');

  const load = (subjectIds: readonly string[]): SubjectConsents[] => {
    const bySubject = groupBy(select.all(list(subjectIds)), (row) => row.subject_id);
    return subjectIds.map((subjectId) => held(bySubject.get(subjectId) ?? []));
  };

  const save = (subjectId: string, { state, grantedAt, stored, changed }: SubjectConsents): void => {
    for (const purpose of stored) if (state[purpose] === undefined) remove.run(subjectId, purpose);
    for (const purpose of changed) {
      const record = state[purpose];
      if (record === undefined) continue;
      upsert.run(
        subjectId,
        purpose,
        record.status,
        utc(record.since),
        record.notice?.id ?? null,
        record.notice?.version ?? null,
        record.eventId,
        record.method,
        utc(record.expiresAt),
        grantedAt.get(purpose) ?? null,
      );
    }
  };

  const subjects = batchCache(load, save);
  return {
    preload: (events) => subjects.preload(events.flatMap((event) => consentProjection.keysOf(event))),
    apply(event) {
      for (const subjectId of consentProjection.keysOf(event)) {
        const consents = subjects.get(subjectId);
        const before = consents.state;
        const after = consentProjection.evolve(before, event);
        if (after === before) continue;
        for (const [purpose, record] of Object.entries(after)) {
          if (record === before[purpose]) continue;
          consents.changed.add(purpose);
          if (record.status === 'granted' && (consents.grantedAt.get(purpose) ?? null) === null) consents.grantedAt.set(purpose, utc(record.since));
        }
        // Changed in place: the batch's copy is its own, and a failed batch forgets it.
        consents.state = after;
        subjects.set(subjectId, consents);
      }
    },
    flush: () => subjects.flush(),
    discard: () => subjects.discard(),
  };
}
