import type Database from 'better-sqlite3';
import { recipientsProjection, type RecipientEntry } from '@custodian/core';
import { list, optional, utc } from './columns';
import { batchCache } from './batch-cache';
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

/** The registry of one recipient, as its row has it (null: not set). */
type Registry = Omit<RecipientRow, 'recipient_id'>;

/** A recipient as the batch has it: the fold's entry, and its row as the batch read it (undefined: none yet). */
interface HeldRecipient {
  readonly entry: RecipientEntry;
  readonly stored: Registry | undefined;
}

function registryOf(entry: RecipientEntry): Registry {
  return {
    name: entry.name ?? null,
    agreement: entry.agreement ?? null,
    country: entry.country ?? null,
    status: entry.status,
    registered_at: utc(entry.registeredAt),
    verified_at: utc(entry.verifiedAt),
    suspended_at: utc(entry.suspendedAt),
  };
}

const sameRegistry = (a: Registry, b: Registry): boolean =>
  a.name === b.name &&
  a.agreement === b.agreement &&
  a.country === b.country &&
  a.status === b.status &&
  a.registered_at === b.registered_at &&
  a.verified_at === b.verified_at &&
  a.suspended_at === b.suspended_at;

/** The entry the fold goes on from: the registry of `row`, and lists that start empty. */
function entryOf(recipientId: string, row: Registry | undefined): RecipientEntry {
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

/**
 * `recipients`: the registry part of core's recipients fold, one row per recipient. The
 * fold also lists what each recipient received and its erasure notices; those live in
 * `access_history` and `recipient_copies`, one row per share and per copy, so the entry
 * each event is evolved from holds the registry with empty lists, and only the registry of
 * the entry the fold returns is read (reading its lists would copy them out, once per
 * share). A recipient's row is written when its registry changed, or it had none yet.
 */
export function recipientsTable(db: Database.Database): TableWriter {
  const select = db.prepare<[string], RecipientRow>(
    'SELECT recipient_id, name, agreement, country, status, registered_at, verified_at, suspended_at FROM recipients WHERE recipient_id IN (SELECT value FROM json_each(?))',
  );
  const upsert = db.prepare(`
    INSERT INTO recipients (recipient_id, name, agreement, country, status, registered_at, verified_at, suspended_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (recipient_id) DO UPDATE SET
      name = excluded.name, agreement = excluded.agreement, country = excluded.country, status = excluded.status,
      registered_at = excluded.registered_at, verified_at = excluded.verified_at, suspended_at = excluded.suspended_at`);

  const load = (recipientIds: readonly string[]): HeldRecipient[] => {
    const rows = new Map(select.all(list(recipientIds)).map(({ recipient_id, ...registry }) => [recipient_id, registry]));
    return recipientIds.map((recipientId) => {
      const stored = rows.get(recipientId);
      return { entry: entryOf(recipientId, stored), stored };
    });
  };

  const save = (recipientId: string, { entry }: HeldRecipient): void => {
    const row = registryOf(entry);
    upsert.run(recipientId, row.name, row.agreement, row.country, row.status, row.registered_at, row.verified_at, row.suspended_at);
  };

  const recipients = batchCache(load, save);
  return {
    preload: (events) => recipients.preload(events.flatMap((event) => recipientsProjection.keysOf(event))),
    apply(event) {
      for (const recipientId of recipientsProjection.keysOf(event)) {
        const held = recipients.get(recipientId);
        const after = recipientsProjection.evolve(held.entry, event);
        // A share or an erasure notice leaves a known recipient's registry as it was: nothing to write.
        if (held.stored === undefined || !sameRegistry(registryOf(after), registryOf(held.entry))) recipients.set(recipientId, { entry: after, stored: held.stored });
      }
    },
    flush: () => recipients.flush(),
    discard: () => recipients.discard(),
  };
}
