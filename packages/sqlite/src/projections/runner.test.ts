import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { createLedger, InMemoryKeyStore, type RecordedEvent } from '@custodian/core';
import { createSqliteEventStore, type SqliteEventStore } from '../index';
import { createSqlProjections, PROJECTION_TABLES, ProjectionsClosedError, type SqlProjections } from './index';
import { checkout, dpo, PARCELGO, policy, storyClock, writeStory } from './test-support/dataset';
import { tempFiles } from './test-support/files';
import { rows, snapshot } from './test-support/tables';
import { rawRecords } from '../testing';

const files = tempFiles('custodian-sql-runner-');
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  // Runners before stores: a runner's close waits for its batch, which needs the store.
  for (const item of open.splice(0).reverse()) await item.close();
});
afterAll(() => files.remove());

function openStore(path: string, options: { pollIntervalMs?: number } = {}): SqliteEventStore {
  const store = createSqliteEventStore({ path, ...options });
  open.push(store);
  return store;
}

function runner(store: SqliteEventStore, batchSize?: number): SqlProjections {
  const projections = createSqlProjections(store, batchSize === undefined ? {} : { batchSize });
  open.push(projections);
  return projections;
}

const lastPosition = (store: SqliteEventStore) => BigInt(rawRecords(store).length);

/** The tables as a fresh runner builds them from the whole log, on another connection to the same file. */
async function referenceTables(path: string): Promise<Record<string, unknown[]>> {
  const store = createSqliteEventStore({ path });
  try {
    const fresh = createSqlProjections(store);
    await fresh.rebuild();
    await fresh.close();
    return snapshot(store.database);
  } finally {
    await store.close();
  }
}

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The store, except that reading fails after `reads` events, as a process dying mid-catch-up would stop. */
function dyingAfter(store: SqliteEventStore, reads: number): SqliteEventStore {
  let left = reads;
  return {
    ...store,
    async *readAll(options) {
      for await (const record of store.readAll(options)) {
        if (left-- <= 0) throw new Error('the process died');
        yield record;
      }
    },
  };
}

/** The store, except that the first batch read waits for `meanwhile` before it is handed over. */
function pausingOnce(store: SqliteEventStore, meanwhile: () => Promise<unknown>): SqliteEventStore {
  let paused = false;
  return {
    ...store,
    async *readAll(options) {
      yield* store.readAll(options);
      if (paused) return;
      paused = true;
      await meanwhile();
    },
  };
}

/** One more customer, recorded through a ledger on any connection to the file. */
async function anotherCustomer(store: SqliteEventStore, subjectId: string): Promise<void> {
  const clock = storyClock();
  clock.set('2026-05-02T10:00:00.000Z');
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: clock.now });
  await ledger.collect({
    subjectId,
    actor: checkout,
    source: 'checkout-form',
    purposes: ['order.fulfilment'],
    notice: { id: 'privacy-notice', version: 'v3' },
    data: { 'contact.email': 'new@example.com' },
  });
  await ledger.use({ subjectId, actor: checkout, purpose: 'order.fulfilment', categories: ['contact.email'], activity: 'order:2001-confirmation' });
}

describe('createSqlProjections', () => {
  it('catches up an empty store to position 0, and refuses a batch size that is not a positive integer', async () => {
    const store = openStore(files.path());
    expect(await runner(store).catchUp()).toEqual({ applied: 0, position: 0n });
    expect(() => createSqlProjections(store, { batchSize: 0 })).toThrow(RangeError);
  });

  it('applies nothing twice when caught up twice', async () => {
    const store = openStore(files.path());
    await writeStory(store);
    const projections = runner(store);
    const first = await projections.catchUp();
    const tables = snapshot(store.database);
    expect(first).toEqual({ applied: Number(lastPosition(store)), position: lastPosition(store) });
    expect(await projections.catchUp()).toEqual({ applied: 0, position: first.position });
    expect(snapshot(store.database)).toEqual(tables);
  });

  it('resumes from its checkpoint after dying mid-catch-up, applying each event once', async () => {
    const path = files.path();
    const first = openStore(path);
    await writeStory(first);
    const total = Number(lastPosition(first));
    await expect(runner(dyingAfter(first, 25), 10).catchUp()).rejects.toThrow('the process died');
    // Two batches of ten committed; the third died before its transaction.
    const dead = runner(first);
    expect(dead.checkpoint()).toBe(20n);
    expect(rows<{ late: number }>(first.database, 'SELECT COUNT(*) AS late FROM access_history WHERE position > 20')).toEqual([{ late: 0 }]);

    const second = openStore(path);
    const resumed = await runner(second, 10).catchUp();
    expect(resumed).toEqual({ applied: total - 20, position: BigInt(total) });
    expect(snapshot(second.database)).toEqual(await referenceTables(path));
  });

  it('applies only the new events when restarted after more appends', async () => {
    const path = files.path();
    const first = openStore(path);
    await writeStory(first);
    const before = await runner(first).catchUp();
    const reopened = openStore(path);
    await anotherCustomer(reopened, 's-zoe');
    const added = Number(lastPosition(reopened) - before.position);
    expect(added).toBeGreaterThanOrEqual(2);
    expect(await runner(reopened).catchUp()).toEqual({ applied: added, position: lastPosition(reopened) });
    expect(rows(reopened.database, "SELECT kind, activity FROM access_history WHERE subject_id = 's-zoe'")).toEqual([{ kind: 'used', activity: 'order:2001-confirmation' }]);
    expect(snapshot(reopened.database)).toEqual(await referenceTables(path));
  });

  it('rebuilds identical tables from the events, and so repairs a table edited by hand', async () => {
    const store = openStore(files.path());
    await writeStory(store);
    const projections = runner(store, 7);
    await projections.catchUp();
    const tables = snapshot(store.database);
    store.database.exec("UPDATE consent_state SET status = 'withdrawn'; DELETE FROM access_history WHERE kind = 'denied'");
    expect(snapshot(store.database)).not.toEqual(tables);
    expect(await projections.rebuild()).toEqual({ applied: Number(lastPosition(store)), position: lastPosition(store) });
    expect(snapshot(store.database)).toEqual(tables);
  });

  it('start() catches up, then follows appends from this store and from another connection', async () => {
    const path = files.path();
    const store = openStore(path, { pollIntervalMs: 20 });
    await writeStory(store);
    const projections = runner(store);
    const live = projections.start();
    open.push(live);
    await eventually(() => projections.checkpoint() === lastPosition(store), 'the catch-up');

    await anotherCustomer(store, 's-zoe');
    await eventually(() => projections.checkpoint() === lastPosition(store), 'an append through this store');
    expect(rows(store.database, "SELECT subject_id FROM subjects WHERE subject_id = 's-zoe'")).toHaveLength(1);

    await anotherCustomer(openStore(path), 's-yan');
    await eventually(() => projections.checkpoint() === lastPosition(store), 'an append through another connection');
    expect(rows(store.database, "SELECT kind FROM access_history WHERE subject_id = 's-yan'")).toEqual([{ kind: 'used' }]);

    await live.close();
    await expect(live.done).resolves.toBeUndefined();
    expect(snapshot(store.database)).toEqual(await referenceTables(path));
  });

  it('applies each event once when two runners share the file', async () => {
    const path = files.path();
    const a = openStore(path);
    await writeStory(a);
    const b = openStore(path);
    const [fromA, fromB] = await Promise.all([runner(a, 3).catchUp(), runner(b, 5).catchUp()]);
    expect(fromA.applied + fromB.applied).toBe(Number(lastPosition(a)));
    expect(snapshot(a.database)).toEqual(await referenceTables(path));
  });

  it('reads again from the checkpoint when another runner set it back while a batch was being read', async () => {
    const path = files.path();
    const a = openStore(path);
    await writeStory(a);
    await runner(a).catchUp();
    await anotherCustomer(a, 's-zoe');
    const b = openStore(path);
    // While A holds the new events, B starts a rebuild that dies after two batches of two.
    const rewind = () =>
      runner(dyingAfter(b, 5), 2)
        .rebuild()
        .catch(() => undefined);
    const result = await runner(pausingOnce(a, rewind)).catchUp();
    expect(result).toEqual({ applied: Number(lastPosition(a)) - 4, position: lastPosition(a) });
    expect(snapshot(a.database)).toEqual(await referenceTables(path));
  });

  it('leaves neither rows nor checkpoint of a batch holding an unreadable event, and says which', async () => {
    const store = openStore(files.path());
    await writeStory(store);
    const bytes = Buffer.from(JSON.stringify({ id: 'e-future', type: 'WrittenByANewerVersion', schemaVersion: 1, data: {} }));
    await store.append('subject-s-later', [{ id: 'e-future', type: 'WrittenByANewerVersion', data: bytes }], 'no_stream');
    const bad = lastPosition(store);
    await anotherCustomer(store, 's-zoe');

    const projections = runner(store, 10);
    await expect(projections.catchUp()).rejects.toMatchObject({ code: 'EVENT_UNREADABLE', eventId: 'e-future' });
    const committed = bad - 1n - ((bad - 1n) % 10n);
    expect(projections.checkpoint()).toBe(committed);
    expect(rows(store.database, 'SELECT COUNT(*) AS n FROM access_history WHERE position > ?', committed)).toEqual([{ n: 0 }]);
    // It stays stuck there rather than skip the event.
    await expect(projections.catchUp()).rejects.toMatchObject({ code: 'EVENT_UNREADABLE' });
    expect(projections.checkpoint()).toBe(committed);
  });

  it('replaces the tables of another layout and refills them', async () => {
    const path = files.path();
    const store = openStore(path);
    await writeStory(store);
    await runner(store).catchUp();
    const tables = snapshot(store.database);
    store.database.exec("UPDATE projection_checkpoints SET schema_version = 0 WHERE name = 'analytics'");
    store.database.exec('ALTER TABLE consent_state ADD COLUMN from_an_older_layout TEXT');
    const upgraded = runner(store);
    expect(upgraded.checkpoint()).toBe(0n);
    expect(rows(store.database, 'SELECT COUNT(*) AS n FROM consent_state')).toEqual([{ n: 0 }]);
    await upgraded.catchUp();
    expect(snapshot(store.database)).toEqual(tables);
  });

  it('refuses work once closed, and leaves the store open', async () => {
    const store = openStore(files.path());
    await writeStory(store);
    const projections = runner(store);
    const live = projections.start();
    await projections.close();
    await expect(live.done).resolves.toBeUndefined();
    await expect(projections.catchUp()).rejects.toBeInstanceOf(ProjectionsClosedError);
    await expect(projections.rebuild()).rejects.toBeInstanceOf(ProjectionsClosedError);
    expect(() => projections.start()).toThrow(ProjectionsClosedError);
    const read: RecordedEvent[] = [];
    for await (const record of store.readAll({ maxCount: 1 })) read.push(record);
    expect(read).toHaveLength(1);
  });
});

/** The store, except that while `armed` holds a position, the event there reads as bytes no version can decode. */
function corrupting(store: SqliteEventStore, armed: { at?: bigint }): SqliteEventStore {
  return {
    ...store,
    async *readAll(options) {
      for await (const record of store.readAll(options)) yield record.position === armed.at ? { ...record, data: Buffer.from('{"type":"Unreadable"}') } : record;
    },
  };
}

describe('a batch that fails part way', () => {
  it('leaves the tables and the checkpoint as the last batch left them when it fails in the middle of its events, and a retry reaches what a rebuild does', async () => {
    const path = files.path();
    const store = openStore(path);
    await writeStory(store);
    const armed: { at?: bigint } = {};
    const projections = runner(corrupting(store, armed));
    await projections.catchUp();
    const before = { tables: snapshot(store.database), checkpoint: projections.checkpoint() };
    // Six events in one batch; the fourth fails, after three were applied.
    for (const subjectId of ['s-new-first', 's-new-failing', 's-new-last']) await anotherCustomer(store, subjectId);
    armed.at = lastPosition(store) - 2n;
    await expect(projections.catchUp()).rejects.toThrow();
    expect({ tables: snapshot(store.database), checkpoint: projections.checkpoint() }).toEqual(before);

    delete armed.at;
    expect(await projections.catchUp()).toEqual({ applied: 6, position: lastPosition(store) });
    expect(snapshot(store.database)).toEqual(await referenceTables(path));
  });

  it('forgets the rows a failed batch held: after another connection moved the tables on, the next batch reads them anew', async () => {
    const path = files.path();
    const store = openStore(path);
    await writeStory(store);
    const armed: { at?: bigint } = {};
    const projections = runner(corrupting(store, armed));
    await projections.catchUp();
    await anotherCustomer(store, 's-new-first');
    // Its use fails the batch after its collection was applied.
    armed.at = lastPosition(store);
    await expect(projections.catchUp()).rejects.toThrow();
    delete armed.at;

    // Meanwhile the customer's data goes to a recipient, and another connection's runner records it.
    const clock = storyClock();
    clock.set('2026-05-03T10:00:00.000Z');
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: clock.now });
    await ledger.share({ subjectId: 's-new-first', actor: checkout, recipientId: PARCELGO, purpose: 'order.fulfilment', categories: ['contact.email'] });
    const other = openStore(path);
    await runner(other).catchUp();
    // Then one more event for the customer, applied here: on the copy the tables hold, not on what the failed batch had.
    await ledger.erase({ subjectId: 's-new-first', actor: dpo });
    await projections.catchUp();
    expect(rows(store.database, "SELECT recipient_id, erasure FROM recipient_copies WHERE subject_id = 's-new-first'")).toEqual([{ recipient_id: PARCELGO, erasure: 'pending' }]);
    expect(snapshot(store.database)).toEqual(await referenceTables(path));
  });
});

/** The indexes made for analysts' queries (every index on the tables but their primary keys). */
function queryIndexes(store: SqliteEventStore): string[] {
  const tables = PROJECTION_TABLES.map((table) => `'${table}'`).join(', ');
  return rows<{ name: string }>(store.database, `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables}) ORDER BY name`).map(
    (row) => row.name,
  );
}

/** The store, except that each `readAll` first calls `look`, so a test sees the file as each batch is read. */
function lookingAtEachRead(store: SqliteEventStore, look: () => void): SqliteEventStore {
  return {
    ...store,
    readAll(options) {
      look();
      return store.readAll(options);
    },
  };
}

describe("the analysts' indexes", () => {
  it('are dropped while a rebuild fills the tables, and built again over the full tables at its end', async () => {
    const path = files.path();
    const store = openStore(path);
    await writeStory(store);
    const seen: string[][] = [];
    const projections = runner(
      lookingAtEachRead(store, () => seen.push(queryIndexes(store))),
      10,
    );
    const indexes = queryIndexes(store);
    expect(indexes).toEqual([
      'access_history_purpose',
      'access_history_recipient',
      'access_history_subject',
      'access_requests_open',
      'access_requests_subject',
      'consent_state_purpose',
      'erased_categories_reason',
      'recipient_copies_recipient',
      'recipient_notices_recipient',
    ]);
    await projections.catchUp();
    expect(seen.every((names) => names.length === indexes.length)).toBe(true);
    seen.length = 0;

    await projections.rebuild();
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((names) => names.length === 0)).toBe(true);
    expect(queryIndexes(store)).toEqual(indexes);
    expect(snapshot(store.database)).toEqual(await referenceTables(path));
    // The query plans of docs/analytics.md use them again.
    expect(rows<{ detail: string }>(store.database, "EXPLAIN QUERY PLAN SELECT * FROM access_history WHERE subject_id = 's-anna' ORDER BY position")).toEqual([
      expect.objectContaining({ detail: expect.stringContaining('access_history_subject') }),
    ]);
  });

  it('are built again when a rebuild fails midway, and, when a process died in one, by the next to open the tables', async () => {
    const path = files.path();
    const store = openStore(path);
    await writeStory(store);
    await runner(store).catchUp();
    const indexes = queryIndexes(store);

    await expect(runner(dyingAfter(store, 15), 10).rebuild()).rejects.toThrow('the process died');
    expect(queryIndexes(store)).toEqual(indexes);

    // What a process that died in a rebuild's batch leaves: the first batch committed, the indexes dropped.
    for (const name of indexes) store.database.exec(`DROP INDEX ${name}`);
    const reopened = openStore(path);
    const resumed = runner(reopened);
    expect(queryIndexes(reopened)).toEqual(indexes);
    expect(resumed.checkpoint()).toBe(10n);
    await resumed.catchUp();
    expect(snapshot(reopened.database)).toEqual(await referenceTables(path));
  });
});
