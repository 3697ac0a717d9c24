import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { collect, conformancePolicy, runEventStoreConformance, runLedgerConformance, runTreeConformance, testEvent } from '@custodian/testing';
import { createLedger, InMemoryKeyStore, type RecordedEvent } from '@custodian/core';
import { createSqliteEventStore, SchemaMigrationError, UnsupportedSchemaError, type SqliteEventStore } from './index';
import { overwriteRaw, rawRecords } from './testing';

const root = mkdtempSync(join(tmpdir(), 'custodian-sqlite-'));
let files = 0;
const freshPath = () => join(root, `store-${++files}.db`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Its file closed underneath: every read fails from then on.
runEventStoreConformance('SqliteEventStore', () => createSqliteEventStore({ path: freshPath() }), {
  failReads: (store) => void (store as SqliteEventStore).database.close(),
});
runLedgerConformance('SqliteEventStore', () => createSqliteEventStore({ path: freshPath() }), { raceRounds: 15, fairnessRounds: 3 });
runTreeConformance('SqliteEventStore', () => createSqliteEventStore({ path: freshPath() }));

describe('a ledger on a SQLite file', () => {
  it('leaves no personal value in any byte of the database files, before or after erasure', async () => {
    const path = freshPath();
    const store = createSqliteEventStore({ path });
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
    const values: string[] = [];
    for (let i = 0; i < 20; i++) {
      const subjectId = `file-${i}`;
      const email = `FINDME-${i}-${randomUUID()}@example.com`;
      values.push(email);
      await ledger.collect({
        subjectId,
        actor: { id: 'checkout', kind: 'service', roles: ['fulfilment'] },
        source: 'web',
        purposes: ['order.fulfilment'],
        notice: { id: 'n', version: '1' },
        data: { 'contact.email': email },
      });
      if (i % 2 === 0) await ledger.erase({ subjectId, actor: { id: 'dpo', kind: 'employee', roles: ['privacy'] } });
    }
    expect((await ledger.audit.verify()).ok).toBe(true);
    await store.close();
    const bytes = Buffer.concat(
      readdirSync(root)
        .filter((f) => f.startsWith(basename(path)))
        .map((f) => readFileSync(join(root, f))),
    );
    expect(bytes.length).toBeGreaterThan(0);
    for (const value of values) expect(bytes.includes(value)).toBe(false);
    expect(bytes.includes('FINDME')).toBe(false);
  });
});

describe('SqliteEventStore on its file', () => {
  let path: string;
  const open: SqliteEventStore[] = [];
  const openStore = (options: { pollIntervalMs?: number } = {}) => {
    const store = createSqliteEventStore({ path, ...options });
    open.push(store);
    return store;
  };
  beforeEach(() => {
    path = freshPath();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('opens the file in WAL mode with synchronous=FULL', () => {
    const { database } = openStore();
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('keeps every event across a reopen', async () => {
    const first = openStore();
    const event = testEvent('Kept', { n: 1 });
    const { position } = await first.append('s', [event, testEvent('Also')], 'no_stream');
    await first.close();
    const second = openStore();
    const read = await collect(second.readStream('s'));
    expect(read.map((e) => [e.id, e.revision])).toEqual([
      [event.id, 0n],
      [read[1]!.id, 1n],
    ]);
    expect(read[1]!.position).toBe(position);
    expect((await second.append('s', [testEvent()], 1n)).nextRevision).toBe(2n);
  });

  it('stores the exact bytes given, as a BLOB, even from a view into a larger buffer', async () => {
    const store = openStore();
    const backing = Buffer.from('xx{"exact":"bytes é"}yy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.length - 4);
    await store.append('s', [{ id: 'e-1', type: 'T', data: view }], 'no_stream');
    const row = store.database.prepare('SELECT typeof(data) AS kind, data FROM events').get() as { kind: string; data: Buffer };
    expect(row.kind).toBe('blob');
    expect(row.data.toString()).toBe('{"exact":"bytes é"}');
    expect(Buffer.from(rawRecords(store)[0]!.bytes).equals(row.data)).toBe(true);
  });

  it('shows raw records and lets a test overwrite one, as an attacker with the file could', async () => {
    const store = openStore();
    const first = testEvent('A', { n: 1 });
    await store.append('s-1', [first], 'no_stream');
    await store.append('s-2', [testEvent('B', { n: 2 })], 'no_stream');
    expect(rawRecords(store).map((r) => [r.stream, r.revision])).toEqual([
      ['s-1', 0n],
      ['s-2', 0n],
    ]);
    overwriteRaw(store, 's-1', 0n, Buffer.from('{"n":"tampered"}'));
    const [read] = await collect(store.readStream('s-1'));
    expect(read?.id).toBe(first.id);
    expect(Buffer.from(read!.data).toString()).toBe('{"n":"tampered"}');
    expect(() => overwriteRaw(store, 's-1', 5n, Buffer.from('x'))).toThrow(/s-1@5/);
  });

  it('refuses updates and deletes from any client of the file', async () => {
    const store = openStore();
    await store.append('s', [testEvent()], 'no_stream');
    const other = new Database(path);
    try {
      expect(() => other.prepare("UPDATE events SET data = x'00'").run()).toThrow('events are immutable');
      expect(() => other.prepare('DELETE FROM events').run()).toThrow('events are immutable');
    } finally {
      other.close();
    }
    expect(rawRecords(store)).toHaveLength(1);
  });

  it('puts two events at one revision of a stream in no case, even for a writer that skips the check', async () => {
    const store = openStore();
    await store.append('s', [testEvent()], 'no_stream');
    const insert = store.database.prepare("INSERT INTO events (stream, revision, id, type, data) VALUES ('s', 0, 'x', 'T', x'00')");
    expect(() => insert.run()).toThrow(/UNIQUE/);
  });

  it('sees appends made through another connection: reads at once, subscriptions by polling', async () => {
    const writer = openStore();
    const reader = openStore({ pollIntervalMs: 20 });
    const seen: RecordedEvent[] = [];
    let arrived!: () => void;
    const third = new Promise<void>((resolve) => (arrived = resolve));
    const subscription = reader.subscribeToAll({}, async (event) => {
      seen.push(event);
      if (seen.length === 3) arrived();
    });
    await writer.append('s', [testEvent('A'), testEvent('B')], 'no_stream');
    await writer.append('s', [testEvent('C')], 1n);
    expect((await collect(reader.readStream('s'))).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    await third;
    await subscription.close();
    expect(seen.map((e) => e.type)).toEqual(['A', 'B', 'C']);
    await expect(reader.append('s', [testEvent()], 1n)).rejects.toMatchObject({ code: 'WRONG_EXPECTED_REVISION', actual: 2n });
  });

  it('reads one consistent view while appends land between pages', async () => {
    const store = openStore();
    await store.append(
      's',
      Array.from({ length: 600 }, (_, i) => testEvent('N', { i })),
      'no_stream',
    );
    let count = 0;
    let revision = 599n;
    for await (const event of store.readStream('s')) {
      if (count % 100 === 0) revision = (await store.append('s', [testEvent('Late')], revision)).nextRevision;
      expect(event.type).toBe('N');
      count++;
    }
    expect(count).toBe(600);
    const all = await collect(store.readAll({ maxCount: 1000 }));
    expect(all).toHaveLength(606);
  });

  it('refuses a file written with a newer schema', () => {
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => createSqliteEventStore({ path })).toThrow(UnsupportedSchemaError);
  });

  it('refuses an append to a store opened read-only, naming the operation and the file, and writes nothing', async () => {
    const writer = openStore();
    const kept = testEvent('Kept');
    await writer.append('s', [kept], 'no_stream');
    await writer.close();
    const reader = createSqliteEventStore({ path, readonly: true });
    open.push(reader);
    const error = await reader.append('s', [testEvent()], 'any').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'READ_ONLY_STORE', operation: 'append', path, message: `append refused: ${path} was opened read-only` });
    expect((await collect(reader.readAll())).map((e) => e.id)).toEqual([kept.id]);
  });

  it('refuses use after close, and closes twice without harm', async () => {
    const store = openStore();
    await store.close();
    await store.close();
    await expect(store.append('s', [testEvent()], 'any')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(collect(store.readAll())).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(() => rawRecords(store)).toThrow(/closed/);
  });
});

describe('a ledger file whose streams are copied or moved with SQL', () => {
  const marketer = { id: 'campaigns', kind: 'service' as const, roles: ['marketing'] };
  const privacy = { id: 'dpo', kind: 'employee' as const, roles: ['privacy'] };
  const notice = { id: 'privacy-notice', version: 'v3' };
  const keys = new InMemoryKeyStore();
  let path: string;

  beforeEach(async () => {
    path = freshPath();
    const store = createSqliteEventStore({ path });
    const ledger = createLedger({ store, keys, policy: conformancePolicy });
    await ledger.collect({
      subjectId: 'alice',
      actor: { id: 'checkout', kind: 'service', roles: ['fulfilment', 'marketing'] },
      source: 'web',
      purposes: ['marketing.email'],
      notice,
      data: { 'contact.email': 'alice@example.com' },
    });
    await ledger.grantConsent({ subjectId: 'alice', actor: { id: 'alice', kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
    await ledger.registerRecipient({ recipientId: 'agency', actor: privacy, name: 'Agency', agreement: 'dpa-1', country: 'FR' });
    await ledger.verifyRecipient({ recipientId: 'agency', actor: privacy });
    await store.close();
  });

  /** Runs SQL on the file as another client would: the triggers stay as they are unless the SQL drops them. */
  const attack = (sql: string) => {
    const db = new Database(path);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };
  const FRESH_ID =
    "printf('%s-%s-7%s-8%s-%s', lower(hex(randomblob(4))), lower(hex(randomblob(2))), substr(lower(hex(randomblob(2))), 2), substr(lower(hex(randomblob(2))), 2), lower(hex(randomblob(6))))";
  const cloneSql = (from: string, to: string, id = 'id') =>
    `INSERT INTO events (stream, revision, id, type, data) SELECT '${to}', revision, ${id}, type, data FROM events WHERE stream = '${from}' ORDER BY revision`;

  async function onLedger<T>(run: (ledger: ReturnType<typeof createLedger>) => Promise<T>): Promise<T> {
    const store = createSqliteEventStore({ path });
    try {
      return await run(createLedger({ store, keys, policy: conformancePolicy }));
    } finally {
      await store.close();
    }
  }
  const useFor = (ledger: ReturnType<typeof createLedger>, subjectId: string) =>
    ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'spring-campaign' });

  it("refuses the copy of a subject's stream under the same ids: the file holds each id once", () => {
    expect(() => attack(cloneSql('subject-alice', 'subject-eve'))).toThrow(/UNIQUE constraint failed: events.id/);
  });

  it('reports a copy made with the id index dropped, and decides nothing on it', async () => {
    attack(`DROP INDEX events_id; ${cloneSql('subject-alice', 'subject-eve')}`);
    await onLedger(async (ledger) => {
      expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream: 'subject-eve', revision: 0n, reason: 'stream_mismatch' })]);
      await expect(useFor(ledger, 'eve')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: 'subject-eve', revision: 0n, reason: 'stream_mismatch' });
      expect((await useFor(ledger, 'alice')).allowed).toBe(true);
    });
  });

  it('reports a copy made under fresh ids, and decides nothing on it', async () => {
    attack(cloneSql('subject-alice', 'subject-eve', FRESH_ID));
    await onLedger(async (ledger) => {
      expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream: 'subject-eve', revision: 0n, reason: 'stream_mismatch' })]);
      await expect(useFor(ledger, 'eve')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: 'subject-eve', reason: 'stream_mismatch' });
      await expect(ledger.consentState('eve')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', reason: 'stream_mismatch' });
    });
  });

  it('reports a renamed stream, and decides nothing under its new name', async () => {
    attack("DROP TRIGGER events_no_update; UPDATE events SET stream = 'subject-eve' WHERE stream = 'subject-alice';");
    await onLedger(async (ledger) => {
      expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream: 'subject-eve', revision: 0n, reason: 'stream_mismatch' })]);
      await expect(useFor(ledger, 'eve')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: 'subject-eve', reason: 'stream_mismatch' });
    });
  });

  it('shares nothing with an unregistered recipient given a copy of a registered one', async () => {
    attack(cloneSql('recipient-agency', 'recipient-rogue', FRESH_ID));
    await onLedger(async (ledger) => {
      const share = (recipientId: string) => ledger.share({ subjectId: 'alice', actor: marketer, recipientId, purpose: 'marketing.email', categories: ['contact.email'] });
      expect((await ledger.audit.verify()).broken).toEqual([expect.objectContaining({ stream: 'recipient-rogue', revision: 0n, reason: 'stream_mismatch' })]);
      await expect(share('rogue')).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream: 'recipient-rogue', reason: 'stream_mismatch' });
      expect((await share('agency')).allowed).toBe(true);
    });
  });
});

describe('a file of schema version 1 (no index on event ids)', () => {
  const V1 = `
    CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, data BLOB NOT NULL, UNIQUE (stream, revision));
    PRAGMA user_version = 1;`;
  const v1File = (rows: string) => {
    const path = freshPath();
    const db = new Database(path);
    db.exec(`${V1} ${rows}`);
    db.close();
    return path;
  };

  it('is migrated on open: its ids become unique, and a repeated id is refused', async () => {
    const path = v1File("INSERT INTO events (stream, revision, id, type, data) VALUES ('s', 0, 'e-1', 'T', x'00');");
    const store = createSqliteEventStore({ path });
    try {
      expect(store.database.pragma('user_version', { simple: true })).toBe(2);
      await expect(store.append('other', [{ id: 'e-1', type: 'T', data: Buffer.from([1]) }], 'no_stream')).rejects.toMatchObject({ code: 'DUPLICATE_EVENT_ID' });
      expect(() => store.database.prepare("INSERT INTO events (stream, revision, id, type, data) VALUES ('t', 0, 'e-1', 'T', x'00')").run()).toThrow(/UNIQUE/);
    } finally {
      await store.close();
    }
  });

  it('is refused, untouched, when it already holds an id twice', () => {
    const path = v1File("INSERT INTO events (stream, revision, id, type, data) VALUES ('s', 0, 'e-1', 'T', x'00'), ('t', 0, 'e-1', 'T', x'00');");
    let error: unknown;
    try {
      createSqliteEventStore({ path });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SchemaMigrationError);
    expect(error).toMatchObject({ code: 'SCHEMA_MIGRATION_FAILED', from: 1, to: 2 });
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });
});
