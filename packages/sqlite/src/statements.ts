import type Database from 'better-sqlite3';
import type { RawRecord, RecordedEvent } from '@custodian/core';
import type { StoredId } from '@custodian/core/store-kit';
import { NO_UPDATE_TRIGGER } from './schema';

interface EventRow {
  position: bigint;
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  data: Buffer;
}

type StreamRow = Omit<EventRow, 'stream'>;

/** Every query the store runs, prepared once per connection. Integers come back as bigints. */
export function prepareStatements(db: Database.Database) {
  const prepare = <Params extends unknown[], Row = unknown>(sql: string) => db.prepare<Params, Row>(sql).safeIntegers(true);

  const lastRevision = prepare<[string], { revision: bigint | null }>('SELECT MAX(revision) AS revision FROM events WHERE stream = ?');
  const lastPosition = prepare<[], { position: bigint | null }>('SELECT MAX(position) AS position FROM events');
  const insert = prepare<[string, bigint, string, string, Uint8Array]>('INSERT INTO events (stream, revision, id, type, data) VALUES (?, ?, ?, ?, ?)');
  const forwards = prepare<[string, bigint, bigint, number], StreamRow>(
    'SELECT position, revision, id, type, data FROM events WHERE stream = ? AND revision >= ? AND revision <= ? ORDER BY revision LIMIT ?',
  );
  const backwards = prepare<[string, bigint, number], StreamRow>(
    'SELECT position, revision, id, type, data FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
  );
  const all = prepare<[bigint, bigint, number], EventRow>(
    'SELECT position, stream, revision, id, type, data FROM events WHERE position >= ? AND position <= ? ORDER BY position LIMIT ?',
  );
  const after = prepare<[bigint, number], EventRow>('SELECT position, stream, revision, id, type, data FROM events WHERE position > ? ORDER BY position LIMIT ?');
  const byId = prepare<[string], { stream: string; revision: bigint; position: bigint; type: string; data: Buffer }>(
    'SELECT stream, revision, position, type, data FROM events WHERE id = ?',
  );
  const raw = prepare<[], { stream: string; revision: bigint; data: Buffer }>('SELECT stream, revision, data FROM events ORDER BY position');

  // The triggers refuse any update; a test standing in for an attacker with the file drops
  // them, as such an attacker could, and puts them back.
  const overwrite = db.transaction((stream: string, revision: bigint, bytes: Uint8Array): number => {
    db.exec('DROP TRIGGER events_no_update');
    const { changes } = db.prepare('UPDATE events SET data = ? WHERE stream = ? AND revision = ?').run(bytes, stream, revision);
    db.exec(NO_UPDATE_TRIGGER);
    return changes;
  });

  return {
    /** The revision of the stream's last event, or 'no_stream'. */
    lastRevision(stream: string): bigint | 'no_stream' {
      return lastRevision.get(stream)?.revision ?? 'no_stream';
    },
    /** The position of the last event stored, or -1n when there is none. */
    lastPosition(): bigint {
      return lastPosition.get()?.position ?? -1n;
    },
    /** Inserts one event and returns its position. */
    insert(stream: string, revision: bigint, id: string, type: string, data: Uint8Array): bigint {
      return BigInt(insert.run(stream, revision, id, type, data).lastInsertRowid);
    },
    /** Where the event with this id is stored, if it is. */
    byId(id: string): StoredId | undefined {
      return byId.get(id);
    },
    forwards(stream: string, from: bigint, to: bigint, limit: number): RecordedEvent[] {
      return forwards.all(stream, from, to, limit).map((row) => ({ stream, ...row }));
    },
    backwards(stream: string, from: bigint, limit: number): RecordedEvent[] {
      return backwards.all(stream, from, limit).map((row) => ({ stream, ...row }));
    },
    /** Events with from <= position <= to, in global order. */
    all(from: bigint, to: bigint, limit: number): RecordedEvent[] {
      return all.all(from, to, limit);
    },
    /** Events after a position, exclusive, in global order. */
    after(position: bigint, limit: number): RecordedEvent[] {
      return after.all(position, limit);
    },
    raw(): RawRecord[] {
      return raw.all().map(({ stream, revision, data }) => ({ stream, revision, bytes: data }));
    },
    overwrite(stream: string, revision: bigint, bytes: Uint8Array): number {
      return overwrite.immediate(stream, revision, bytes);
    },
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
