import type Database from 'better-sqlite3';
import { recipientsProjection, type RecipientEntry } from '@custodian/core';
import { optional, utc } from './columns';
import { batchCache } from './batch-cache';
import type { TableWriter } from './table';

interface RecipientRow {
  name: string | null;
  agreement: string | null;
  country: string | null;
  status: RecipientEntry['status'];
  registered_at: string | null;
  verified_at: string | null;
  suspended_at: string | null;
}

/**
 * `recipients`: the registry part of core's recipients fold, one row per recipient. The
 * fold also lists what each recipient received and its erasure notices; those live in
 * `access_history` and `recipient_copies`, one row per share and per copy, so the state
 * loaded here starts them empty and the lists the fold returns are not kept.
 */
export function recipientsTable(db: Database.Database): TableWriter {
  const select = db.prepare<[string], RecipientRow>('SELECT name, agreement, country, status, registered_at, verified_at, suspended_at FROM recipients WHERE recipient_id = ?');
  const upsert = db.prepare(`
    INSERT INTO recipients (recipient_id, name, agreement, country, status, registered_at, verified_at, suspended_at)
    VALUES (@recipientId, @name, @agreement, @country, @status, @registeredAt, @verifiedAt, @suspendedAt)
    ON CONFLICT (recipient_id) DO UPDATE SET
      name = excluded.name, agreement = excluded.agreement, country = excluded.country, status = excluded.status,
      registered_at = excluded.registered_at, verified_at = excluded.verified_at, suspended_at = excluded.suspended_at`);

  function load(recipientId: string): RecipientEntry {
    const row = select.get(recipientId);
    if (!row) return recipientsProjection.initial(recipientId);
    return {
      recipientId,
      name: optional(row.name),
      agreement: optional(row.agreement),
      country: optional(row.country),
      status: row.status,
      registeredAt: optional(row.registered_at),
      verifiedAt: optional(row.verified_at),
      suspendedAt: optional(row.suspended_at),
      received: [],
      erasureNotices: [],
    };
  }

  const save = (recipientId: string, entry: RecipientEntry): void => {
    upsert.run({
      recipientId,
      name: entry.name ?? null,
      agreement: entry.agreement ?? null,
      country: entry.country ?? null,
      status: entry.status,
      registeredAt: utc(entry.registeredAt),
      verifiedAt: utc(entry.verifiedAt),
      suspendedAt: utc(entry.suspendedAt),
    });
  };

  const recipients = batchCache(load, save);
  return {
    apply(event) {
      for (const recipientId of recipientsProjection.keysOf(event)) {
        const after = recipientsProjection.evolve(recipients.get(recipientId), event);
        // Only the registry is kept here: the lists start empty again, as they would loaded from the row.
        recipients.set(recipientId, after.received.length === 0 && after.erasureNotices.length === 0 ? after : { ...after, received: [], erasureNotices: [] });
      }
    },
    flush: () => recipients.flush(),
    discard: () => recipients.discard(),
  };
}
