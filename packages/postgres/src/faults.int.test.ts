import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { collect, conformancePolicy, testEvent } from '@custodian/testing';
import {
  buildLogTree,
  createLedger,
  createPemSigner,
  formatCheckpoint,
  generateSignerKey,
  InMemoryKeyStore,
  signNote,
  verifyStore,
  type Actor,
  type EventToAppend,
} from '@custodian/core';
import { ConnectionLostError, createPostgresEventStore } from './index';
import { lockKey } from './schema';
import { startCrashableDatabase, startTestDatabase, type CrashableDatabase, type TestDatabase } from './test-support/postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

describe('a connection killed mid-append (pg_terminate_backend)', () => {
  let database: TestDatabase;
  let admin: Client;
  beforeAll(async () => {
    database = await startTestDatabase();
    admin = await connect(database.url);
  }, 60_000);
  afterAll(async () => {
    await admin.end();
    await database.stop();
  });

  it('is a ConnectionLostError naming the stream, and the retry with the same event ids lands once', async () => {
    const store = await createPostgresEventStore({ connectionString: database.url });
    try {
      const stream = `killed-${randomUUID()}`;
      await store.append(stream, [testEvent('Before')], 'no_stream');
      // Another session holds the append lock, so the store's append waits inside the server until its backend is ended.
      const holder = await connect(database.url);
      await holder.query('SELECT pg_advisory_lock($1)', [lockKey('append', 'custodian').toString()]);
      const events = [testEvent('Killed', { n: 1 }), testEvent('Killed', { n: 2 })];
      const attempt = store.append(stream, events, 0n).catch((error: unknown) => error);
      let waiting: number | undefined;
      while (waiting === undefined) {
        const { rows } = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'custodian' AND wait_event = 'advisory'",
        );
        waiting = rows[0]?.pid;
        if (waiting === undefined) await sleep(10);
      }
      await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
      const error = await attempt;
      await holder.end();

      expect(error).toBeInstanceOf(ConnectionLostError);
      expect(error).toMatchObject({ code: 'POSTGRES_CONNECTION_LOST', stream, reason: '57P01' });
      expect((error as Error).message).toMatch(/retry it with the same event ids/);
      expect((await collect(store.readStream(stream))).map((e) => e.type)).toEqual(['Before']);

      const retried = await store.append(stream, events, 0n);
      expect(retried.nextRevision).toBe(2n);
      expect(await store.append(stream, events, 0n)).toEqual(retried);
      expect((await collect(store.readStream(stream))).map((e) => e.id)).toEqual([expect.any(String), events[0]!.id, events[1]!.id]);
    } finally {
      await store.close();
    }
  });

  it('loses no append and doubles none while backends are killed at random under 4 writers that retry', async () => {
    const store = await createPostgresEventStore({ connectionString: database.url });
    let killing = true;
    let kills = 0;
    const killer = (async () => {
      while (killing) {
        const { rows } = await admin.query<{ ended: boolean }>(
          "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'custodian' AND state = 'active'",
        );
        kills += rows.filter((row) => row.ended).length;
        await sleep(Math.random() * 15);
      }
    })();
    let lost = 0;
    /** Appends until it has landed, each retry with the same events, and counts the connections lost on the way. */
    const appendSurely = async (stream: string, events: EventToAppend[], expected: bigint | 'no_stream') => {
      for (;;) {
        try {
          return await store.append(stream, events, expected);
        } catch (error) {
          if (!(error instanceof ConnectionLostError)) throw error;
          lost++;
        }
      }
    };
    try {
      const written = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const stream = `surely-${randomUUID()}`;
          const ids: string[] = [];
          let expected: bigint | 'no_stream' = 'no_stream';
          for (let i = 0; i < 60; i++) {
            const events = [testEvent('Sure', { i }), testEvent('Sure', { i })];
            const result = await appendSurely(stream, events, expected);
            expect(result.nextRevision).toBe(BigInt(ids.length + 1));
            expected = result.nextRevision;
            ids.push(...events.map((event) => event.id));
          }
          return { stream, ids };
        }),
      );
      killing = false;
      await killer;
      expect(kills).toBeGreaterThan(0);
      expect(lost).toBeGreaterThan(0);
      for (const { stream, ids } of written) expect((await collect(store.readStream(stream))).map((e) => e.id)).toEqual(ids);
    } finally {
      killing = false;
      await killer;
      await store.close();
    }
  }, 120_000);
});

describe('the server killed with SIGKILL mid-append, and started again', () => {
  let database: CrashableDatabase;
  beforeAll(async () => {
    database = await startCrashableDatabase();
  }, 60_000);
  afterAll(() => database.stop());

  const ORIGIN = 'custodian.example/crash';
  const key = generateSignerKey(ORIGIN);
  const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
  const notice = { id: 'privacy-notice', version: 'v3' };

  it('keeps every acknowledged append, and the chains, the positions and the signed checkpoint from before still verify', async () => {
    const keys = new InMemoryKeyStore();
    const before = await createPostgresEventStore({ connectionString: database.url });
    const ledger = createLedger({ store: before, keys, policy: conformancePolicy });
    const collectFor = (subjectId: string) =>
      ledger.collect({ subjectId, actor: checkout, source: 'web', purposes: ['order.fulfilment'], notice, data: { 'contact.email': `${randomUUID()}@example.com` } });
    for (let i = 0; i < 5; i++) await collectFor(`early-${i}`);
    const log = await buildLogTree(before);
    const checkpoint = await signNote(formatCheckpoint({ origin: ORIGIN, size: log.size, root: log.tree.root() }), [createPemSigner(key.pem, ORIGIN)]);

    const acknowledged: string[] = [];
    const failures: unknown[] = [];
    let crashed = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !crashed; i++) {
        try {
          acknowledged.push((await collectFor(`crash-${w}-${i}`)).id);
        } catch (error) {
          failures.push(error);
          return;
        }
      }
    });
    while (acknowledged.length < 40) await sleep(5);
    await database.crash();
    crashed = true;
    await Promise.all(writers);
    await before.close();
    await database.restart();

    // Every append under way when the server died failed as a lost connection: none was acknowledged and then lost.
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure).toMatchObject({ code: 'POSTGRES_CONNECTION_LOST' });
    const after = await createPostgresEventStore({ connectionString: database.url });
    try {
      const missing: string[] = [];
      for (const id of acknowledged) if ((await after.locate(id)) === undefined) missing.push(id);
      expect(missing).toEqual([]);
      const verified = await verifyStore(after, { checkpoint, publicKey: key.verifierKey });
      expect(verified).toMatchObject({ ok: true, broken: [], positionGaps: [], checkpoint: { matches: true } });
      expect(verified.checked).toBeGreaterThanOrEqual(log.size + acknowledged.length);
      // And it takes appends again, after the last position recovered.
      const resumed = createLedger({ store: after, keys, policy: conformancePolicy });
      await resumed.collect({ subjectId: 'after-crash', actor: checkout, source: 'web', purposes: ['order.fulfilment'], notice, data: { 'contact.email': 'a@example.com' } });
      expect((await verifyStore(after)).ok).toBe(true);
    } finally {
      await after.close();
    }
  }, 120_000);
});
