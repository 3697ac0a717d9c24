import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createLedger, InMemoryEventStore, InMemoryKeyStore, ProjectionsClosedError, type EventStore, type RecordedEvent } from '@custodian/core';
import { analyticsStory } from '@custodian/testing';
import type { Pool } from 'pg';
import { createPostgresProjections, type PostgresProjections } from './index';
import { rows, snapshot, testSchemas, type TestSchemas } from './test-support/schemas';

const { checkout, policy, storyClock, writeStory } = analyticsStory;

let schemas: TestSchemas;
beforeAll(async () => {
  schemas = await testSchemas();
});
afterAll(() => schemas.stop());

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function runner(pool: Pool, store: EventStore, batchSize?: number): Promise<PostgresProjections> {
  const projections = await createPostgresProjections({ pool, store, ...(batchSize === undefined ? {} : { batchSize }) });
  open.push(projections);
  return projections;
}

async function storyStore(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await writeStory(store);
  return store;
}

async function lastPosition(store: EventStore): Promise<bigint> {
  let last = 0n;
  for await (const record of store.readAll()) last = record.position;
  return last;
}

/** The position of the `count`th event of the log (undefined for none): stores number their events differently. */
async function positionAfter(store: EventStore, count: number): Promise<bigint | undefined> {
  let seen = 0;
  if (count === 0) return undefined;
  for await (const record of store.readAll()) if (++seen === count) return record.position;
  throw new Error(`the log holds fewer than ${count} events`);
}

async function countEvents(store: EventStore): Promise<number> {
  let count = 0;
  for await (const _ of store.readAll()) count++;
  return count;
}

/** The tables as a fresh runner builds them from the whole log, in a schema of their own. */
async function referenceTables(store: EventStore): Promise<Record<string, unknown[]>> {
  const pool = await schemas.pool();
  const fresh = await createPostgresProjections({ pool, store });
  await fresh.rebuild();
  await fresh.close();
  return snapshot(pool);
}

/** The store, except that reading fails after `reads` events, as a process dying mid-catch-up would stop. */
function dyingAfter(store: EventStore, reads: number): EventStore {
  let left = reads;
  return {
    append: (stream, events, expected) => store.append(stream, events, expected),
    readStream: (stream, options) => store.readStream(stream, options),
    async *readAll(options) {
      for await (const record of store.readAll(options)) {
        if (left-- <= 0) throw new Error('the process died');
        yield record;
      }
    },
    close: () => store.close(),
  };
}

/** The store, except that while `armed` holds a position, the event there reads as bytes no version can decode. */
function corrupting(store: EventStore, armed: { at?: bigint }): EventStore {
  return {
    append: (stream, events, expected) => store.append(stream, events, expected),
    readStream: (stream, options) => store.readStream(stream, options),
    async *readAll(options) {
      for await (const record of store.readAll(options)) yield record.position === armed.at ? { ...record, data: Buffer.from('{"type":"Unreadable"}') } : record;
    },
    close: () => store.close(),
  };
}

/** One more customer, recorded through a ledger of its own on the store. */
async function anotherCustomer(store: EventStore, subjectId: string): Promise<void> {
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

async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createPostgresProjections', () => {
  it('catches up an empty store to position 0, and refuses a batch size that is not a positive integer', async () => {
    const pool = await schemas.pool();
    const store = new InMemoryEventStore();
    expect(await (await runner(pool, store)).catchUp()).toEqual({ applied: 0, position: undefined });
    await expect(createPostgresProjections({ pool, store, batchSize: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'batchSize' }] });
  });

  it('applies nothing twice when caught up twice, whatever the batch size', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const projections = await runner(pool, store, 7);
    const first = await projections.catchUp();
    const tables = await snapshot(pool);
    expect(first).toEqual({ applied: await countEvents(store), position: await lastPosition(store) });
    expect(await projections.catchUp()).toEqual({ applied: 0, position: first.position });
    expect(await snapshot(pool)).toEqual(tables);
    // One batch of everything, or one event per batch: the same tables.
    expect(await referenceTables(store)).toEqual(tables);
    const single = await schemas.pool();
    await (await runner(single, store, 1)).catchUp();
    expect(await snapshot(single)).toEqual(tables);
  });

  it('resumes from its checkpoint after dying mid-catch-up, applying each event once', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    await expect((await runner(pool, dyingAfter(store, 25), 10)).catchUp()).rejects.toThrow('the process died');
    // Two batches of ten committed; the third died before its transaction.
    const restarted = await runner(await schemas.pool(pool.schema), store, 10);
    const twenty = await positionAfter(store, 20);
    expect(await restarted.checkpoint()).toBe(twenty);
    expect(await rows(pool, 'SELECT COUNT(*)::int AS late FROM access_history WHERE position > $1', [String(twenty)])).toEqual([{ late: 0 }]);
    expect(await restarted.catchUp()).toEqual({ applied: (await countEvents(store)) - 20, position: await lastPosition(store) });
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });

  it('keeps a checkpoint at position 0 apart from none: a store that numbers its first event 0 has it applied once', async () => {
    const store = await storyStore();
    expect(await positionAfter(store, 1)).toBe(0n);
    const pool = await schemas.pool();
    await expect((await runner(pool, dyingAfter(store, 1), 1)).catchUp()).rejects.toThrow('the process died');
    const restarted = await runner(await schemas.pool(pool.schema), store, 1);
    expect(await restarted.checkpoint()).toBe(0n);
    expect(await restarted.catchUp()).toEqual({ applied: (await countEvents(store)) - 1, position: await lastPosition(store) });
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });

  it('applies only the new events when restarted after more appends', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const before = await (await runner(pool, store)).catchUp();
    await anotherCustomer(store, 's-zoe');
    const added = (await countEvents(store)) - before.applied;
    expect(added).toBeGreaterThanOrEqual(2);
    expect(await (await runner(await schemas.pool(pool.schema), store)).catchUp()).toEqual({ applied: added, position: await lastPosition(store) });
    expect(await rows(pool, "SELECT kind, activity FROM access_history WHERE subject_id = 's-zoe'")).toEqual([{ kind: 'used', activity: 'order:2001-confirmation' }]);
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });

  it('rebuilds identical tables from the events, and so repairs a table edited by hand', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const projections = await runner(pool, store, 7);
    await projections.catchUp();
    const tables = await snapshot(pool);
    await pool.query("UPDATE consent_state SET status = 'withdrawn'; DELETE FROM access_history WHERE kind = 'denied'");
    expect(await snapshot(pool)).not.toEqual(tables);
    expect(await projections.rebuild()).toEqual({ applied: await countEvents(store), position: await lastPosition(store) });
    expect(await snapshot(pool)).toEqual(tables);
  });

  it('start() catches up, then follows appends, and commits what it applied on close', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const projections = await runner(pool, store);
    const live = projections.start();
    open.push(live);
    await eventually(async () => (await projections.checkpoint()) === (await lastPosition(store)), 'the catch-up');
    await anotherCustomer(store, 's-zoe');
    await eventually(async () => (await projections.checkpoint()) === (await lastPosition(store)), 'the new customer');
    expect(await rows(pool, "SELECT subject_id FROM subjects WHERE subject_id = 's-zoe'")).toHaveLength(1);
    await live.close();
    await expect(live.done).resolves.toBeUndefined();
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });

  it('applies each event once when two instances share the database', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const [a, b] = await Promise.all([runner(pool, store, 3), runner(await schemas.pool(pool.schema), store, 5)]);
    const [fromA, fromB] = await Promise.all([a.catchUp(), b.catchUp()]);
    expect(fromA.applied + fromB.applied).toBe(await countEvents(store));
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });

  it('leaves neither rows nor checkpoint of a batch holding an unreadable event, and says which', async () => {
    const store = await storyStore();
    const bytes = Buffer.from(JSON.stringify({ id: 'e-future', type: 'WrittenByANewerVersion', schemaVersion: 1, data: {} }));
    const before = await countEvents(store);
    await store.append('subject-s-later', [{ id: 'e-future', type: 'WrittenByANewerVersion', data: bytes }], 'no_stream');
    await anotherCustomer(store, 's-zoe');
    const pool = await schemas.pool();
    const projections = await runner(pool, store, 10);
    await expect(projections.catchUp()).rejects.toMatchObject({ code: 'EVENT_UNREADABLE', eventId: 'e-future' });
    // The batches of ten before the one holding it were committed.
    const committed = await positionAfter(store, before - (before % 10));
    expect(committed).toBeDefined();
    expect(await projections.checkpoint()).toBe(committed);
    expect(await rows(pool, 'SELECT COUNT(*)::int AS n FROM access_history WHERE position > $1', [String(committed)])).toEqual([{ n: 0 }]);
    // It stays stuck there rather than skip the event.
    await expect(projections.catchUp()).rejects.toMatchObject({ code: 'EVENT_UNREADABLE' });
    expect(await projections.checkpoint()).toBe(committed);
  });

  it('refuses work once closed, ends the pool it opened, and leaves the store open', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const projections = await createPostgresProjections({ connectionString: schemas.url(pool.schema), store });
    const live = projections.start();
    await projections.close();
    await expect(live.done).resolves.toBeUndefined();
    await expect(projections.catchUp()).rejects.toBeInstanceOf(ProjectionsClosedError);
    await expect(projections.rebuild()).rejects.toBeInstanceOf(ProjectionsClosedError);
    expect(() => projections.start()).toThrow(ProjectionsClosedError);
    await expect(projections.checkpoint()).rejects.toThrow(/pool/i);
    const read: RecordedEvent[] = [];
    for await (const record of store.readAll({ maxCount: 1 })) read.push(record);
    expect(read).toHaveLength(1);
  });
});

describe('a batch that fails part way', () => {
  it('rolls back the rows a batch wrote before a table refused one of its rows, and a retry reaches what a rebuild does', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const projections = await runner(pool, store);
    await projections.catchUp();
    await anotherCustomer(store, 's-new');
    const before = { tables: await snapshot(pool), checkpoint: await projections.checkpoint() };
    // A row of the coming use is there already: its insert fails after the batch's consent, inventory and subject rows were written.
    let usedId: string | undefined;
    for await (const record of store.readAll({ fromPosition: before.checkpoint })) if (record.type === 'DataUsed') usedId = record.id;
    expect(usedId).toBeDefined();
    await pool.query(
      `INSERT INTO access_history (event_id, position, subject_id, at, kind, actor_id, actor_kind, purpose, categories) VALUES ($1, 0, 'planted', 'x', 'used', 'x', 'x', 'x', '[]')`,
      [usedId],
    );
    await expect(projections.catchUp()).rejects.toMatchObject({ code: '23505' });
    await pool.query("DELETE FROM access_history WHERE subject_id = 'planted'");
    expect({ tables: await snapshot(pool), checkpoint: await projections.checkpoint() }).toEqual(before);
    expect(await projections.catchUp()).toEqual({ applied: 2, position: await lastPosition(store) });
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });

  it('leaves the tables as the last batch left them when its connection is killed mid-batch, and the restarted runner applies each event once', async () => {
    const store = await storyStore();
    const pool = await schemas.pool();
    const projections = await runner(pool, store, 10);
    // Another session holds access_requests, so the batch with the first request waits there, its other tables written.
    const blocker = await pool.connect();
    const watcher = await schemas.pool(pool.schema);
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE access_requests IN SHARE MODE');
      const failed = projections.catchUp();
      failed.catch(() => undefined);
      let waiting: number | undefined;
      await eventually(async () => {
        // From outside the blocker's transaction, which sees the activity as it was when it began.
        const [found] = await rows<{ pid: number }>(watcher, "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
        waiting = found?.pid;
        return waiting !== undefined;
      }, 'the batch to wait on the lock');
      await blocker.query('SELECT pg_terminate_backend($1)', [waiting]);
      await expect(failed).rejects.toThrow(/terminat/);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }

    // Whole batches before it were committed, and nothing of it: no row past the checkpoint in any table it had written.
    const checkpoint = await projections.checkpoint();
    const applied = (await rows<{ n: number }>(pool, 'SELECT COUNT(*)::int AS n FROM access_history WHERE position <= $1', [String(checkpoint)]))[0]?.n;
    expect(applied).toBeGreaterThan(0);
    expect(await rows(pool, 'SELECT COUNT(*)::int AS n FROM access_history WHERE position > $1', [String(checkpoint)])).toEqual([{ n: 0 }]);
    expect(await rows(pool, 'SELECT COUNT(*)::int AS n FROM access_requests')).toEqual([{ n: 0 }]);
    let done = 0;
    for await (const record of store.readAll()) if (checkpoint !== undefined && record.position <= checkpoint) done++;
    expect(done % 10).toBe(0);
    const restarted = await runner(await schemas.pool(pool.schema), store, 10);
    expect(await restarted.catchUp()).toEqual({ applied: (await countEvents(store)) - done, position: await lastPosition(store) });
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });

  it('forgets nothing it should not: after a failed batch and another instance moving the tables on, the next batch reads them anew', async () => {
    const store = await storyStore();
    const armed: { at?: bigint } = {};
    const pool = await schemas.pool();
    const projections = await runner(pool, corrupting(store, armed));
    await projections.catchUp();
    await anotherCustomer(store, 's-new-first');
    armed.at = await lastPosition(store);
    await expect(projections.catchUp()).rejects.toThrow();
    delete armed.at;

    const clock = storyClock();
    clock.set('2026-05-03T10:00:00.000Z');
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: clock.now });
    await ledger.share({ subjectId: 's-new-first', actor: checkout, recipientId: analyticsStory.PARCELGO, purpose: 'order.fulfilment', categories: ['contact.email'] });
    await (await runner(await schemas.pool(pool.schema), store)).catchUp();
    await ledger.erase({ subjectId: 's-new-first', actor: analyticsStory.dpo });
    await projections.catchUp();
    expect(await rows(pool, "SELECT recipient_id, erasure FROM recipient_copies WHERE subject_id = 's-new-first'")).toEqual([
      { recipient_id: analyticsStory.PARCELGO, erasure: 'pending' },
    ]);
    expect(await snapshot(pool)).toEqual(await referenceTables(store));
  });
});
