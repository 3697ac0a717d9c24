import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { collect, testEvent } from '@custodian/testing';
import type { RecordedEvent } from '@custodian/core';
import { createPostgresEventStore, type PostgresEventStore } from './index';
import { startTestDatabase, type TestDatabase } from './test-support/postgres';

const WRITERS = 8;
const TOTAL = 20_000;
/** Appenders per writer: each writer's appends are batched into its one connection's commits. */
const LOOPS = 8;

let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
}, 60_000);
afterAll(() => database.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Appends `count` events to streams of its own, one to sixteen per append, as `loops` concurrent appenders. */
async function write(store: PostgresEventStore, count: number, loops: number): Promise<string[]> {
  const ids: string[] = [];
  let left = count;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      const stream = `order-${randomUUID()}`;
      let expected: bigint | 'no_stream' = 'no_stream';
      while (left > 0) {
        const size = Math.min(left, 1 + Math.floor(Math.random() * 16));
        left -= size;
        const events = Array.from({ length: size }, () => testEvent('Ordered'));
        expected = (await store.append(stream, events, expected)).nextRevision;
        ids.push(...events.map((event) => event.id));
      }
    }),
  );
  return ids;
}

it(`keeps one global order with no gap while ${WRITERS} connections append ${TOTAL} events: every prefix read stays fixed, the subscriber sees each event once`, async () => {
  const stores = await Promise.all(Array.from({ length: WRITERS + 1 }, () => createPostgresEventStore({ connectionString: database.url, poolSize: 1, pollIntervalMs: 5 })));
  const writers = stores.slice(0, WRITERS);
  const reader = stores[WRITERS] as PostgresEventStore;
  try {
    const delivered: RecordedEvent[] = [];
    const subscription = reader.subscribeToAll({}, async (event) => {
      delivered.push(event);
    });

    // The longest log any full read has shown, and what a reader tailing the log from its last position has gathered.
    let longest: RecordedEvent[] = [];
    const tailed: RecordedEvent[] = [];
    const violations: string[] = [];
    let writing = true;
    const readers = (async () => {
      let fullReads = 0;
      // Until a read made after the last append has landed.
      for (let done = false; !done;) {
        done = !writing;
        const read = await collect(reader.readAll());
        fullReads++;
        read.forEach((event, i) => {
          if (event.position !== BigInt(i + 1)) violations.push(`full read ${fullReads}: position ${event.position} at index ${i}`);
          const before = longest[i];
          if (before !== undefined && before.id !== event.id) violations.push(`full read ${fullReads}: position ${event.position} now holds another event`);
        });
        if (read.length < longest.length) violations.push(`full read ${fullReads}: ${read.length} events after ${longest.length} were read`);
        else longest = read;
        // Full reads of a growing log cost the writers' CPU; the tailing reader below runs between them.
        const tailUntil = Date.now() + 100;
        do {
          const from = (tailed[tailed.length - 1]?.position ?? 0n) + 1n;
          for (const event of await collect(reader.readAll({ fromPosition: from }))) {
            const last = tailed[tailed.length - 1]?.position ?? 0n;
            if (event.position !== last + 1n) violations.push(`tail: position ${event.position} after ${last}`);
            tailed.push(event);
          }
        } while (Date.now() < tailUntil);
      }
    })();

    const share = TOTAL / WRITERS;
    const appended = (await Promise.all(writers.map((store) => write(store, share, LOOPS)))).flat();
    writing = false;
    await readers;
    // A subscriber that skipped an event waits for it for ever: give it a while, then judge.
    for (let waited = 0; delivered.length < TOTAL && waited < 30_000; waited += 20) await sleep(20);
    await subscription.close();

    expect(violations.slice(0, 10)).toEqual([]);
    const final = await collect(reader.readAll());
    expect(final).toHaveLength(TOTAL);
    expect(new Set(final.map((event) => event.id))).toEqual(new Set(appended));
    expect(final.map((event) => event.position)).toEqual(Array.from({ length: TOTAL }, (_, i) => BigInt(i + 1)));
    expect(longest.map((event) => event.id)).toEqual(final.map((event) => event.id));
    expect(tailed.map((event) => event.id)).toEqual(final.map((event) => event.id));
    // Exactly once each, in position order: the subscriber's log is the log.
    expect(delivered.map((event) => event.id)).toEqual(final.map((event) => event.id));
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}, 240_000);
