import { consentProjection, type ConsentRecord } from '@custodian/core';
import { columns, keysOf, optional, utc } from './columns';
import { statement } from './sql';
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

/** A subject's consents as the batch has them: the fold's state, each purpose's first grant, and the purposes whose row changed. */
interface SubjectConsents {
  state: Readonly<Record<string, ConsentRecord>>;
  grantedAt: Map<string, string | null>;
  changed: Set<string>;
}

const select = statement<ConsentRow>(
  'consent.select',
  `SELECT subject_id, purpose, status, since, notice_id, notice_version, event_id, method, expires_at, granted_at
   FROM consent_state WHERE subject_id = ANY($1::text[])`,
);

const upsert = statement(
  'consent.upsert',
  `INSERT INTO consent_state (subject_id, purpose, status, since, notice_id, notice_version, event_id, method, expires_at, granted_at)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
   ON CONFLICT (subject_id, purpose) DO UPDATE SET
     status = excluded.status, since = excluded.since, notice_id = excluded.notice_id, notice_version = excluded.notice_version,
     event_id = excluded.event_id, method = excluded.method, expires_at = excluded.expires_at, granted_at = excluded.granted_at`,
);

// The fold never forgets a purpose today; should it ever, its row goes too.
const dropOthers = statement(
  'consent.drop-others',
  `DELETE FROM consent_state c WHERE c.subject_id = ANY($1::text[])
   AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS kept (subject_id, purpose) WHERE kept.subject_id = c.subject_id AND kept.purpose = c.purpose)`,
);

function loaded(rows: readonly ConsentRow[], subjectIds: readonly string[]): Map<string, SubjectConsents> {
  const states = new Map(subjectIds.map((id): [string, Record<string, ConsentRecord>] => [id, {}]));
  const grants = new Map(subjectIds.map((id): [string, Map<string, string | null>] => [id, new Map()]));
  for (const row of rows) {
    const state = states.get(row.subject_id);
    if (state === undefined) continue;
    state[row.purpose] = {
      status: row.status,
      since: row.since,
      notice: row.notice_id === null || row.notice_version === null ? undefined : { id: row.notice_id, version: row.notice_version },
      eventId: row.event_id,
      method: row.method,
      expiresAt: optional(row.expires_at),
    };
    grants.get(row.subject_id)?.set(row.purpose, row.granted_at);
  }
  return new Map(subjectIds.map((id) => [id, { state: states.get(id) ?? {}, grantedAt: grants.get(id) ?? new Map(), changed: new Set() }]));
}

/**
 * `consent_state`: core's consent fold, one row per subject and purpose. A subject's rows
 * are the fold's state, so each event is evolved by the very rules `ledger.consentState()`
 * uses; only `granted_at` (the first grant) is the table's own, kept across later changes.
 */
export function consentTable(): TableWriter {
  return {
    async write(client, batch) {
      const touched = keysOf(batch, ({ event }) => consentProjection.keysOf(event));
      if (touched.length === 0) return;
      const subjects = loaded((await select(client, [touched])).rows, touched);
      for (const { event } of batch) {
        for (const subjectId of consentProjection.keysOf(event)) {
          const held = subjects.get(subjectId);
          if (held === undefined) continue;
          const after = consentProjection.evolve(held.state, event);
          if (after === held.state) continue;
          for (const [purpose, record] of Object.entries(after)) {
            if (record === held.state[purpose]) continue;
            held.changed.add(purpose);
            if (record.status === 'granted' && (held.grantedAt.get(purpose) ?? null) === null) held.grantedAt.set(purpose, utc(record.since));
          }
          held.state = after;
        }
      }

      const kept = columns(2);
      const rows = columns(10);
      const saved: string[] = [];
      for (const [subjectId, { state, grantedAt, changed }] of subjects) {
        if (changed.size === 0) continue;
        saved.push(subjectId);
        for (const purpose of Object.keys(state)) kept.push([subjectId, purpose]);
        for (const purpose of changed) {
          const record = state[purpose];
          if (record === undefined) continue;
          rows.push([
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
          ]);
        }
      }
      if (saved.length === 0) return;
      await dropOthers(client, [saved, ...kept.arrays]);
      if (rows.length > 0) await upsert(client, rows.arrays);
    },
  };
}
