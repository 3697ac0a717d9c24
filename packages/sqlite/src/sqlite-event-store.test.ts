import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { collect, conformancePolicy, runEventStoreConformance, runLedgerConformance, testEvent } from '@custodian/testing';
import { createLedger, InMemoryKeyStore, type RecordedEvent } from '@custodian/core';
import { createSqliteEventStore, UnsupportedSchemaError, type SqliteEventStore } from './index';

const root = mkdtempSync(join(tmpdir(), 'custodian-sqlite-'));
let files = 0;
const freshPath = () => join(root, `store-${++files}.db`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Its file closed underneath: every read fails from then on.
runEventStoreConformance('SqliteEventStore', () => createSqliteEventStore({ path: freshPath() }), {
  failReads: (store) => void (store as SqliteEventStore).database.close(),
});
runLedgerConformance('SqliteEventStore', () => createSqliteEventStore({ path: freshPath() }), { raceRounds: 15, fairnessRounds: 3 });

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
      await ledger.collect({ subjectId, actor: { id: 'checkout', kind: 'service', roles: ['fulfilment'] }, source: 'web', purposes: ['order.fulfilment'], notice: { id: 'n', version: '1' }, data: { 'contact.email': email } });
      if (i % 2 === 0) await ledger.erase({ subjectId, actor: { id: 'dpo', kind: 'employee', roles: ['privacy'] } });
    }
    expect((await ledger.audit.verify()).ok).toBe(true);
    await store.close();
    const bytes = Buffer.concat(readdirSync(root).filter((f) => f.startsWith(basename(path))).map((f) => readFileSync(join(root, f))));
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
    expect(Buffer.from(store.rawRecords()[0]!.bytes).equals(row.data)).toBe(true);
  });

  it('shows raw records and lets a test overwrite one, as an attacker with the file could', async () => {
    const store = openStore();
    const first = testEvent('A', { n: 1 });
    await store.append('s-1', [first], 'no_stream');
    await store.append('s-2', [testEvent('B', { n: 2 })], 'no_stream');
    expect(store.rawRecords().map((r) => [r.stream, r.revision])).toEqual([
      ['s-1', 0n],
      ['s-2', 0n],
    ]);
    store.overwriteRaw('s-1', 0n, Buffer.from('{"n":"tampered"}'));
    const [read] = await collect(store.readStream('s-1'));
    expect(read?.id).toBe(first.id);
    expect(Buffer.from(read!.data).toString()).toBe('{"n":"tampered"}');
    expect(() => store.overwriteRaw('s-1', 5n, Buffer.from('x'))).toThrow(/s-1@5/);
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
    expect(store.rawRecords()).toHaveLength(1);
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
    await store.append('s', Array.from({ length: 600 }, (_, i) => testEvent('N', { i })), 'no_stream');
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

  it('refuses use after close, and closes twice without harm', async () => {
    const store = openStore();
    await store.close();
    await store.close();
    await expect(store.append('s', [testEvent()], 'any')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(collect(store.readAll())).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(() => store.rawRecords()).toThrow(/closed/);
  });
});
