import { recipientsProjection, type RecipientEntry } from '@custodian/core';
import { columns, keysOf, optional, utc } from './columns';
import { statement } from './sql';
import type { TableWriter } from './table';

interface RecipientRow {
  recipient_id: string;
  name: string | null;
  agreement: string | null;
  country: string | null;
  status: RecipientEntry['status'];
  registered_at: string | null;
  verified_at: string | null;
  suspended_at: string | null;
}

const select = statement<RecipientRow>(
  'recipients.select',
  'SELECT recipient_id, name, agreement, country, status, registered_at, verified_at, suspended_at FROM recipients WHERE recipient_id = ANY($1::text[])',
);

const upsert = statement(
  'recipients.upsert',
  `INSERT INTO recipients (recipient_id, name, agreement, country, status, registered_at, verified_at, suspended_at)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
   ON CONFLICT (recipient_id) DO UPDATE SET
     name = excluded.name, agreement = excluded.agreement, country = excluded.country, status = excluded.status,
     registered_at = excluded.registered_at, verified_at = excluded.verified_at, suspended_at = excluded.suspended_at`,
);

const entryOf = (row: RecipientRow): RecipientEntry => ({
  recipientId: row.recipient_id,
  name: optional(row.name),
  agreement: optional(row.agreement),
  country: optional(row.country),
  status: row.status,
  registeredAt: optional(row.registered_at),
  verifiedAt: optional(row.verified_at),
  suspendedAt: optional(row.suspended_at),
  received: [],
  erasureNotices: [],
});

/**
 * `recipients`: the registry part of core's recipients fold, one row per recipient. The
 * fold also lists what each recipient received and its erasure notices; those live in
 * `access_history` and `recipient_copies`, one row per share and per copy, so the state
 * loaded here starts them empty and the lists the fold returns are not kept.
 */
export function recipientsTable(): TableWriter {
  return {
    async write(client, batch) {
      const touched = keysOf(batch, ({ event }) => recipientsProjection.keysOf(event));
      if (touched.length === 0) return;
      const entries = new Map(touched.map((id) => [id, recipientsProjection.initial(id)]));
      for (const row of (await select(client, [touched])).rows) entries.set(row.recipient_id, entryOf(row));
      const changed = new Set<string>();
      for (const { event } of batch) {
        for (const recipientId of recipientsProjection.keysOf(event)) {
          const after = recipientsProjection.evolve(entries.get(recipientId) ?? recipientsProjection.initial(recipientId), event);
          // Only the registry is kept here: the lists start empty again, as they would loaded from the row.
          entries.set(recipientId, after.received.length === 0 && after.erasureNotices.length === 0 ? after : { ...after, received: [], erasureNotices: [] });
          changed.add(recipientId);
        }
      }
      const rows = columns(8);
      for (const recipientId of changed) {
        const entry = entries.get(recipientId);
        if (entry === undefined) continue;
        rows.push([
          recipientId,
          entry.name ?? null,
          entry.agreement ?? null,
          entry.country ?? null,
          entry.status,
          utc(entry.registeredAt),
          utc(entry.verifiedAt),
          utc(entry.suspendedAt),
        ]);
      }
      if (rows.length > 0) await upsert(client, rows.arrays);
    },
  };
}
