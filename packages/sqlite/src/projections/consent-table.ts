import type Database from 'better-sqlite3';
import { consentProjection, type ConsentRecord } from '@custodian/core';
import { list, optional, utc } from './columns';
import { batchCache } from './batch-cache';
import type { TableWriter } from './table';

interface ConsentRow {
  purpose: string;
  status: 'granted' | 'withdrawn';
  since: string;
  notice_id: string;
  notice_version: string;
  event_id: string;
  method: string;
  expires_at: string | null;
  granted_at: string | null;
}

/** A subject's consents as the batch has them: the fold's state, each purpose's first grant, and the purposes whose row changed. */
interface SubjectConsents {
  state: Record<string, ConsentRecord>;
  grantedAt: Map<string, string | null>;
  changed: Set<string>;
}

/**
 * `consent_state`: core's consent fold, one row per subject and purpose. The subject's rows
 * are the fold's state, so each event is evolved by the very rules `ledger.consentState()`
 * uses; only `granted_at` (the first grant) is the table's own, kept across later changes.
 */
export function consentTable(db: Database.Database): TableWriter {
  const select = db.prepare<[string], ConsentRow>(
    'SELECT purpose, status, since, notice_id, notice_version, event_id, method, expires_at, granted_at FROM consent_state WHERE subject_id = ?',
  );
  const upsert = db.prepare(`
    INSERT INTO consent_state (subject_id, purpose, status, since, notice_id, notice_version, event_id, method, expires_at, granted_at)
    VALUES (@subjectId, @purpose, @status, @since, @noticeId, @noticeVersion, @eventId, @method, @expiresAt, @grantedAt)
    ON CONFLICT (subject_id, purpose) DO UPDATE SET
      status = excluded.status, since = excluded.since, notice_id = excluded.notice_id, notice_version = excluded.notice_version,
      event_id = excluded.event_id, method = excluded.method, expires_at = excluded.expires_at, granted_at = excluded.granted_at`);

  // The fold never forgets a purpose today; should it ever, its row goes too.
  const dropOthers = db.prepare('DELETE FROM consent_state WHERE subject_id = ? AND purpose NOT IN (SELECT value FROM json_each(?))');

  const load = (subjectId: string): SubjectConsents => {
    const rows = select.all(subjectId);
    const state = Object.fromEntries(
      rows.map((row): [string, ConsentRecord] => [
        row.purpose,
        {
          status: row.status,
          since: row.since,
          notice: { id: row.notice_id, version: row.notice_version },
          eventId: row.event_id,
          method: row.method,
          expiresAt: optional(row.expires_at),
        },
      ]),
    );
    return { state, grantedAt: new Map(rows.map((row) => [row.purpose, row.granted_at])), changed: new Set() };
  };

  const save = (subjectId: string, { state, grantedAt, changed }: SubjectConsents): void => {
    dropOthers.run(subjectId, list(Object.keys(state)));
    for (const purpose of changed) {
      const record = state[purpose];
      if (record === undefined) continue;
      upsert.run({
        subjectId,
        purpose,
        status: record.status,
        since: utc(record.since),
        noticeId: record.notice.id,
        noticeVersion: record.notice.version,
        eventId: record.eventId,
        method: record.method,
        expiresAt: utc(record.expiresAt),
        grantedAt: grantedAt.get(purpose) ?? null,
      });
    }
  };

  const subjects = batchCache(load, save);
  return {
    apply(event) {
      for (const subjectId of consentProjection.keysOf(event)) {
        const before = subjects.get(subjectId);
        const after = consentProjection.evolve(before.state, event);
        if (after === before.state) continue;
        for (const [purpose, record] of Object.entries(after)) {
          if (record === before.state[purpose]) continue;
          before.changed.add(purpose);
          if (record.status === 'granted' && (before.grantedAt.get(purpose) ?? null) === null) before.grantedAt.set(purpose, utc(record.since));
        }
        subjects.set(subjectId, { ...before, state: after });
      }
    },
    flush: () => subjects.flush(),
    discard: () => subjects.discard(),
  };
}
