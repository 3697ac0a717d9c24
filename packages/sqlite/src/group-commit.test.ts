import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DuplicateEventIdError, ValidationError, WrongExpectedRevisionError, type EventToAppend, type ExpectedRevision } from '@custodian/core';
import { createSqliteEventStore, type SqliteEventStore, type SqliteEventStoreOptions } from './index';

const root = mkdtempSync(join(tmpdir(), 'custodian-sqlite-group-'));
let files = 0;
const open: SqliteEventStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function openStore(options: Partial<SqliteEventStoreOptions> = {}): { store: SqliteEventStore; path: string } {
  const path = options.path ?? join(root, `group-${++files}.db`);
  const store = createSqliteEventStore({ path, ...options });
  open.push(store);
  return { store, path };
}

const event = (): EventToAppend => ({ id: randomUUID(), type: 'Noted', data: Buffer.from(`{"n":"${randomUUID()}"}`) });

/**
 * Which transaction wrote each event: a TEMP trigger calls back, as each row is inserted,
 * and a second connection counts the events committed at that moment. Events written by
 * one transaction see one count; a later transaction sees a larger one.
 */
function transactionsOf(store: SqliteEventStore, path: string): () => number[][] {
  const observer = new Database(path, { readonly: true });
  const seen = new Map<number, number>();
  const committed = observer.prepare('SELECT COUNT(*) FROM events').pluck();
  store.database.function('seen_by_observer', () => {
    const count = Number(committed.get());
    seen.set(count, (seen.get(count) ?? 0) + 1);
    return 0;
  });
  store.database.exec('CREATE TEMP TRIGGER observed AFTER INSERT ON main.events BEGIN SELECT seen_by_observer(); END;');
  observers.push(observer);
  // For each transaction, in order: how many events were committed before it and how many it wrote.
  return () => [...seen.entries()].sort(([a], [b]) => a - b);
}
const observers: Database.Database[] = [];
afterEach(() => {
  for (const observer of observers.splice(0)) observer.close();
});

/** Every append starts in the same turn of the event loop, so they form one group. */
function together(store: SqliteEventStore, appends: readonly [string, EventToAppend[], ExpectedRevision][]) {
  return Promise.allSettled(appends.map(([stream, events, expected]) => store.append(stream, events, expected)));
}

async function idsOf(store: SqliteEventStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of store.readAll()) ids.push(record.id);
  return ids;
}

describe('group commit on SQLite', () => {
  it('commits the appends of one turn in one transaction, and rejects only the middle one whose expected revision is wrong', async () => {
    const { store, path } = openStore();
    const [a, b, c] = [event(), event(), event()];
    await store.append('subject-b', [event()], 'no_stream');
    const transactions = transactionsOf(store, path);
    const outcomes = await together(store, [
      ['subject-a', [a], 'no_stream'],
      ['subject-b', [b], 5n],
      ['subject-c', [c], 'no_stream'],
    ]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ nextRevision: 0n }) });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ nextRevision: 0n }) });
    const refused = outcomes[1];
    expect(refused?.status).toBe('rejected');
    const error = (refused as PromiseRejectedResult).reason as WrongExpectedRevisionError;
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect({ stream: error.stream, expected: error.expected, actual: error.actual }).toEqual({ stream: 'subject-b', expected: 5n, actual: 0n });
    const stored = await idsOf(store);
    expect(stored).toHaveLength(3);
    expect(stored).toEqual(expect.arrayContaining([a.id, c.id]));
    expect(stored).not.toContain(b.id);
    // One transaction after the first append's: b's insert never ran, a's and c's shared it.
    expect(transactions()).toEqual([[1, 2]]);
  });

  it('checks two appends to one stream in one group in order: the second sees the first', async () => {
    const { store, path } = openStore();
    const transactions = transactionsOf(store, path);
    const first = [event(), event()];
    const second = [event()];
    const stale = [event()];
    const outcomes = await together(store, [
      ['subject-one', first, 'no_stream'],
      ['subject-one', second, 1n],
      // Decided on the stream before the first append of the group: refused, as it would be one transaction later.
      ['subject-one', stale, 'no_stream'],
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseFulfilledResult<{ nextRevision: bigint }>).value.nextRevision).toBe(2n);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ stream: 'subject-one', expected: 'no_stream', actual: 2n });
    const revisions: [bigint, string][] = [];
    for await (const record of store.readStream('subject-one')) revisions.push([record.revision, record.id]);
    expect(revisions).toEqual([...first, ...second].map((e, i) => [BigInt(i), e.id]));
    expect(transactions()).toEqual([[0, 3]]);
  });

  it('refuses an id repeated across a group to the later append only, and a malformed append appends nothing of its own', async () => {
    const { store } = openStore();
    const shared = event();
    const kept = event();
    const malformed = { id: randomUUID(), type: '', data: Buffer.from('{}') };
    const outcomes = await together(store, [
      ['subject-x', [shared], 'no_stream'],
      ['subject-y', [event(), shared], 'any'],
      ['subject-z', [malformed], 'any'],
      ['subject-w', [kept], 'any'],
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect(await idsOf(store)).toEqual([shared.id, kept.id]);
  });

  it('splits a group larger than maxBatch into transactions of at most maxBatch appends', async () => {
    const { store, path } = openStore({ groupCommit: { maxBatch: 4 } });
    const transactions = transactionsOf(store, path);
    const outcomes = await together(
      store,
      Array.from({ length: 10 }, (_, i): [string, EventToAppend[], ExpectedRevision] => [`subject-${i}`, [event()], 'no_stream']),
    );
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(transactions()).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ]);
  });

  it('with groupCommit false, gives each append its own transaction', async () => {
    const { store, path } = openStore({ groupCommit: false });
    const transactions = transactionsOf(store, path);
    await together(store, [
      ['subject-a', [event()], 'no_stream'],
      ['subject-b', [event(), event()], 'no_stream'],
    ]);
    expect(transactions()).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('resolves an append only once its group committed: a reader on another connection already sees it', async () => {
    const { store, path } = openStore();
    const observer = new Database(path, { readonly: true });
    observers.push(observer);
    const ids = [event(), event(), event()];
    await Promise.all(
      ids.map((e, i) => store.append(`subject-${i}`, [e], 'no_stream').then(() => expect(observer.prepare('SELECT COUNT(*) FROM events WHERE id = ?').pluck().get(e.id)).toBe(1))),
    );
  });

  it("rolls back only a failing append's own rows, after some were inserted, and the group's positions stay gap-free and in call order", async () => {
    const { store } = openStore();
    const before = await store.append('subject-before', [event()], 'no_stream');
    // A refusal the store itself does not foresee (a constraint, a full disk for one statement): raised by the second insert of one append.
    store.database.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.events WHEN NEW.type = 'Refused' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END;");
    const [a, b1, c, d1, d2] = [event(), event(), event(), event(), event()];
    const outcomes = await together(store, [
      ['subject-a', [a], 'no_stream'],
      ['subject-b', [b1, { ...event(), type: 'Refused' }], 'no_stream'],
      ['subject-c', [c], 'no_stream'],
      ['subject-d', [d1, d2], 'no_stream'],
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/refused by a trigger/);
    const p = before.position;
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<unknown>).value)).toEqual([
      { nextRevision: 0n, position: p + 1n },
      { nextRevision: 0n, position: p + 2n },
      { nextRevision: 1n, position: p + 4n },
    ]);
    const stored: [string, bigint, bigint][] = [];
    for await (const record of store.readAll()) stored.push([record.id, record.revision, record.position]);
    expect(stored.slice(1)).toEqual([
      [a.id, 0n, p + 1n],
      [c.id, 0n, p + 2n],
      [d1.id, 0n, p + 3n],
      [d2.id, 1n, p + 4n],
    ]);
    expect(stored.map(([id]) => id)).not.toContain(b1.id);
  });

  it('rejects every append of a group, and stores none, when a failure ends its transaction; the next group is written', async () => {
    const { store } = openStore();
    const kept = event();
    await store.append('subject-kept', [kept], 'no_stream');
    // RAISE(ROLLBACK) ends the whole transaction, as SQLITE_FULL or an I/O error would: no savepoint is left to return to.
    store.database.exec("CREATE TEMP TRIGGER doom BEFORE INSERT ON main.events WHEN NEW.type = 'Doomed' BEGIN SELECT RAISE(ROLLBACK, 'the disk is full'); END;");
    const [a, c] = [event(), event()];
    const outcomes = await together(store, [
      ['subject-a', [a], 'no_stream'],
      ['subject-b', [{ ...event(), type: 'Doomed' }], 'no_stream'],
      ['subject-c', [c], 'no_stream'],
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes) expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/the disk is full/);
    expect(await idsOf(store)).toEqual([kept.id]);

    const after = event();
    expect(await store.append('subject-a', [after], 'no_stream')).toEqual({ nextRevision: 0n, position: 2n });
    expect(await idsOf(store)).toEqual([kept.id, after.id]);
  });

  it('writes the appends still waiting for their group when the store closes, and acknowledges them', async () => {
    const { store, path } = openStore();
    const waiting = [event(), event()];
    const acknowledged = Promise.all(waiting.map((e, i) => store.append(`subject-${i}`, [e], 'no_stream')));
    await store.close();
    expect(await acknowledged).toEqual([
      { nextRevision: 0n, position: 1n },
      { nextRevision: 0n, position: 2n },
    ]);
    const reopened = openStore({ path });
    expect(await idsOf(reopened.store)).toEqual(waiting.map((e) => e.id));
  });

  it("writes the next turn's appends in a group of their own once a group was written", async () => {
    const { store, path } = openStore();
    const transactions = transactionsOf(store, path);
    await together(store, [
      ['subject-a', [event()], 'no_stream'],
      ['subject-b', [event()], 'no_stream'],
    ]);
    await together(store, [
      ['subject-c', [event()], 'no_stream'],
      ['subject-d', [event(), event()], 'no_stream'],
    ]);
    await store.append('subject-e', [event()], 'no_stream');
    expect(transactions()).toEqual([
      [0, 2],
      [2, 3],
      [5, 1],
    ]);
  });

  it('refuses a groupCommit setting that is not false or { maxBatch: a positive whole number }, naming the field', () => {
    for (const groupCommit of [{ maxBatch: 0 }, { maxBatch: 1.5 }, { maxBatch: 'many' }, true, { max: 3 }]) {
      let thrown: unknown;
      try {
        createSqliteEventStore({ path: join(root, `refused-${++files}.db`), groupCommit: groupCommit as never });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      // Refused before the file is opened: nothing was created.
      expect(existsSync(join(root, `refused-${files}.db`))).toBe(false);
      expect((thrown as ValidationError).issues.every((issue) => issue.path.startsWith('groupCommit'))).toBe(true);
    }
  });
});
