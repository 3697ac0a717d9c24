import { describe, expect, it } from '@jest/globals';
import { Pool } from 'pg';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventToAppend, type ExpectedRevision } from '@custodian/core';
import { collect, testEvent } from '@custodian/testing';
import { createPostgresEventStore, type PostgresEventStore } from './index';
import { migrate, SCHEMA_VERSION } from './schema';
import { useTestDatabase } from './test-support/postgres';

const database = useTestDatabase();

let schemas = 0;

/** A store on a pool of its own, counting the calls of append_batch: appends made in one turn must share one. */
async function openCounted(): Promise<{ store: PostgresEventStore; calls: () => number; schema: string }> {
  const schema = `batch_${++schemas}`;
  const pool = new Pool({ connectionString: database.url, max: 2 });
  let calls = 0;
  const query = pool.query.bind(pool) as (config: { text?: string }) => Promise<unknown>;
  (pool as unknown as { query: typeof query }).query = (config) => {
    if (config.text?.includes('append_batch') === true) calls++;
    return query(config);
  };
  const store = await createPostgresEventStore({ pool, schema });
  const close = store.close.bind(store);
  return { store: Object.assign(store, { close: () => close().then(() => pool.end()) }), calls: () => calls, schema };
}

type Outcome = { nextRevision: bigint } | { error: string };

/** Makes every append in the same turn, so the store sends them as one batch, and answers each one's outcome. */
async function inOneTurn(store: PostgresEventStore, appends: [string, EventToAppend[], ExpectedRevision][]): Promise<Outcome[]> {
  const settled = await Promise.allSettled(appends.map(([stream, events, expected]) => store.append(stream, events, expected)));
  return settled.map((outcome) =>
    outcome.status === 'fulfilled' ? { nextRevision: outcome.value.nextRevision } : { error: (outcome.reason as { code?: string }).code ?? String(outcome.reason) },
  );
}

describe('append_batch', () => {
  it('judges each append of one call on its own when the appends touch different streams and ids', async () => {
    const { store, calls } = await openCounted();
    const stored = testEvent('Stored');
    await store.append('a', [testEvent()], 'no_stream');
    await store.append('z', [stored], 'no_stream');
    const before = calls();

    const outcomes = await inOneTurn(store, [
      ['b', [testEvent('B1')], 'no_stream'],
      ['a', [testEvent('A-late')], 5n],
      ['c', [{ ...testEvent('C'), id: stored.id }], 'no_stream'],
      ['d', [testEvent('D1'), testEvent('D2'), testEvent('D3')], 'any'],
      ['a2', [testEvent('A2')], 'exists'],
      ['e', [testEvent('E1')], 'no_stream'],
    ]);

    expect(calls() - before).toBe(1);
    expect(outcomes).toEqual([
      { nextRevision: 0n },
      { error: new WrongExpectedRevisionError('a', 5n, 0n).code },
      { error: new DuplicateEventIdError('c', stored.id).code },
      { nextRevision: 2n },
      { error: new WrongExpectedRevisionError('a2', 'exists', 'no_stream').code },
      { nextRevision: 0n },
    ]);
    const log = await collect(store.readAll());
    expect(log.map((event) => [event.position, event.stream, event.revision, event.type])).toEqual([
      [1n, 'a', 0n, 'TestEvent'],
      [2n, 'z', 0n, 'Stored'],
      [3n, 'b', 0n, 'B1'],
      [4n, 'd', 0n, 'D1'],
      [5n, 'd', 1n, 'D2'],
      [6n, 'd', 2n, 'D3'],
      [7n, 'e', 0n, 'E1'],
    ]);
    await store.close();
  });

  it('takes appends that depend on each other in their order: one stream twice, one id twice', async () => {
    const { store, calls } = await openCounted();
    await store.append('a', [testEvent('A0')], 'no_stream');
    const shared = testEvent('Shared');
    const before = calls();

    const outcomes = await inOneTurn(store, [
      ['a', [testEvent('A1')], 0n],
      ['a', [testEvent('A2')], 1n],
      ['f', [shared], 'no_stream'],
      ['g', [{ ...shared, type: 'Other' }], 'no_stream'],
      ['a', [testEvent('A-stale')], 1n],
    ]);

    expect(calls() - before).toBe(1);
    expect(outcomes).toEqual([
      { nextRevision: 1n },
      { nextRevision: 2n },
      { nextRevision: 0n },
      { error: new DuplicateEventIdError('g', shared.id).code },
      { error: new WrongExpectedRevisionError('a', 1n, 2n).code },
    ]);
    expect((await collect(store.readAll())).map((event) => [event.position, event.stream, event.type])).toEqual([
      [1n, 'a', 'A0'],
      [2n, 'a', 'A1'],
      [3n, 'a', 'A2'],
      [4n, 'f', 'Shared'],
    ]);
    await store.close();
  });

  it('answers a retried batch of independent appends with the first outcomes, appending nothing twice', async () => {
    const { store } = await openCounted();
    const first = [testEvent('X')];
    const second = [testEvent('Y1'), testEvent('Y2')];
    await inOneTurn(store, [
      ['x', first, 'no_stream'],
      ['y', second, 'no_stream'],
    ]);
    const again = await inOneTurn(store, [
      ['x', first, 'no_stream'],
      ['y', second, 'no_stream'],
    ]);
    expect(again).toEqual([{ nextRevision: 0n }, { nextRevision: 1n }]);
    expect(await collect(store.readAll())).toHaveLength(3);
    await store.close();
  });

  it('never scans the whole table to append, however small it was when the session planned its statements', async () => {
    const schema = `scans_${++schemas}`;
    const counters = async () => {
      await database.admin.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await database.admin.query<{ seq_scan: string; n_tup_ins: string }>(
        'SELECT seq_scan, n_tup_ins FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2',
        [schema, 'events'],
      );
      return rows[0];
    };
    // A backend hands its table counters over when it goes idle or exits, not at once.
    const settled = async (ready: (found: { seq_scan: string; n_tup_ins: string }) => boolean) => {
      for (let tries = 0; tries < 100; tries++) {
        const found = await counters();
        if (found !== undefined && ready(found)) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return counters();
    };
    // Building the three indexes of the new table scans it once each.
    await (await createPostgresEventStore({ connectionString: database.url, schema })).close();
    await settled((found) => found.seq_scan === '3');
    await database.admin.query(`SELECT pg_stat_reset_single_table_counters('"${schema}".events'::regclass)`);

    const store = await createPostgresEventStore({ connectionString: database.url, schema, poolSize: 1 });
    // The first appends plan on an empty table; PL/pgSQL keeps those plans for the session.
    for (let i = 0; i < 40; i++) await store.append(`s-${i % 4}`, [testEvent()], 'any');
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(`t-${i}`, [testEvent()], 'no_stream')));
    await store.close();
    expect(await settled((found) => found.n_tup_ins === '50')).toEqual({ seq_scan: '0', n_tup_ins: '50' });
  });
});

describe('schema version 2', () => {
  it('brings a version 1 ledger up to date on open, keeping its events and appending after them', async () => {
    const schema = `older_${++schemas}`;
    const pool = new Pool({ connectionString: database.url, max: 1 });
    await migrate(pool, { database: 'test', schema }, 1);
    const appended = await pool.query(`SELECT outcome FROM "${schema}".append_batch($1, $2, $3, $4, $5, $6)`, [
      ['old'],
      ['no_stream'],
      [2],
      ['id-1', 'id-2'],
      ['Old', 'Old'],
      [Buffer.from('{"n":1}'), Buffer.from('{"n":2}')],
    ]);
    expect(appended.rows).toEqual([{ outcome: 'appended' }]);
    await pool.end();

    const store = await createPostgresEventStore({ connectionString: database.url, schema });
    await store.append('old', [testEvent('New')], 1n);
    expect((await collect(store.readAll())).map((event) => [event.position, event.stream, event.revision, event.type])).toEqual([
      [1n, 'old', 0n, 'Old'],
      [2n, 'old', 1n, 'Old'],
      [3n, 'old', 2n, 'New'],
    ]);
    const { rows } = await database.admin.query<{ version: number; config: string[] }>(
      `SELECT (SELECT version FROM "${schema}".schema_version) AS version, proconfig AS config FROM pg_proc WHERE oid = $1::regprocedure`,
      [`"${schema}".append_batch(text[], text[], integer[], text[], text[], bytea[])`],
    );
    expect(rows).toEqual([{ version: SCHEMA_VERSION, config: ['enable_seqscan=off'] }]);
    await store.close();
  });
});
