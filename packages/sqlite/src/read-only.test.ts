import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { collect, testEvent } from '@custodian/testing';
import { createSqliteEventStore, NotALedgerError, ReadOnlyStoreError, SCHEMA_VERSION, UnsupportedSchemaError } from './index';
import { overwriteRaw } from './testing';

const root = mkdtempSync(join(tmpdir(), 'custodian-sqlite-ro-'));
let files = 0;
const freshPath = () => join(root, `file-${++files}.db`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The file's bytes and modification time: what a read-only open must leave as it found them. */
const fingerprint = (path: string) => ({ sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), mtimeMs: statSync(path).mtimeMs });

/** Another application's database, in WAL mode as many are, with `user_version` as it likes. */
function appDatabase(userVersion: number, ddl = 'CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)'): string {
  const path = freshPath();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(ddl);
  db.pragma(`user_version = ${userVersion}`);
  db.close();
  return path;
}

const tables = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name")
      .all()
      .map((r) => r.name);
  } finally {
    db.close();
  }
};

describe('a SQLite store opened read-only', () => {
  it('reads a ledger, refuses appends with a typed error, and changes no byte of the file', async () => {
    const path = freshPath();
    const writer = createSqliteEventStore({ path });
    await writer.append('s', [testEvent('A'), testEvent('B')], 'no_stream');
    await writer.close();
    const before = fingerprint(path);

    const store = createSqliteEventStore({ path, readonly: true });
    expect((await collect(store.readAll())).map((e) => e.type)).toEqual(['A', 'B']);
    await expect(store.append('s', [testEvent('C')], 1n)).rejects.toBeInstanceOf(ReadOnlyStoreError);
    await expect(store.append('s', [testEvent('C')], 1n)).rejects.toMatchObject({ code: 'READ_ONLY_STORE', path, operation: 'append' });
    expect(() => overwriteRaw(store, 's', 0n, Buffer.from('x'))).toThrow(ReadOnlyStoreError);
    expect((await collect(store.readAll())).map((e) => e.type)).toEqual(['A', 'B']);
    await store.close();
    expect(fingerprint(path)).toEqual(before);
  });

  it.each([
    ['user_version 0', 0],
    ['a user_version of its own', 7],
  ])('refuses a SQLite file that is not a ledger (%s), creating nothing in it', (_what, userVersion) => {
    const path = appDatabase(userVersion);
    const before = fingerprint(path);
    expect(() => createSqliteEventStore({ path, readonly: true })).toThrow(NotALedgerError);
    try {
      createSqliteEventStore({ path, readonly: true });
    } catch (error) {
      expect(error).toMatchObject({ code: 'NOT_A_LEDGER', path, reason: 'no_events_table' });
      expect((error as Error).message).toBe(`${path} is a SQLite file but not a Custodian ledger: it has no events table`);
    }
    expect(tables(path)).toEqual(['orders']);
    expect(fingerprint(path)).toEqual(before);
  });

  it('refuses an events table of another shape, and one without the ledger schema version', async () => {
    const other = appDatabase(SCHEMA_VERSION, 'CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT, at TEXT)');
    expect(() => createSqliteEventStore({ path: other, readonly: true })).toThrow(
      expect.objectContaining({ code: 'NOT_A_LEDGER', reason: 'events_table_shape' }) as unknown as Error,
    );
    const unversioned = freshPath();
    await createSqliteEventStore({ path: unversioned }).close();
    const db = new Database(unversioned);
    db.pragma('user_version = 0');
    db.close();
    expect(() => createSqliteEventStore({ path: unversioned, readonly: true })).toThrow(/is a SQLite file but not a Custodian ledger: its schema version \(user_version\) is 0/);
  });

  it('refuses a file that is not SQLite at all, and one written with a newer schema', async () => {
    const notes = freshPath();
    writeFileSync(notes, 'just some notes, long enough to fill a SQLite header and then some more. '.repeat(4));
    expect(() => createSqliteEventStore({ path: notes, readonly: true })).toThrow(expect.objectContaining({ code: 'NOT_A_LEDGER', reason: 'not_sqlite' }) as unknown as Error);
    const newer = freshPath();
    await createSqliteEventStore({ path: newer }).close();
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => createSqliteEventStore({ path: newer, readonly: true })).toThrow(UnsupportedSchemaError);
  });

  it('never creates a missing file', () => {
    const path = freshPath();
    expect(() => createSqliteEventStore({ path, readonly: true })).toThrow();
    expect(existsSync(path)).toBe(false);
  });
});
