/**
 * SQLite append benchmark: Custodian's SQLite EventStore against bare better-sqlite3
 * inserts into a table of the same shape, with the same durability, in the same run.
 *
 *   pnpm bench:sqlite        (= tsc -b && node bench/dist/sqlite.bench.js)
 *
 * Both sides open their own fresh file in os.tmpdir() with journal_mode=WAL and
 * synchronous=FULL (the WAL is fsynced at every commit), and write the same pre-sealed
 * DataUsed records (real canonical JSON with prevHash/hash, ~0.5 kB) with the same ids,
 * round-robin over 100 streams:
 *
 * - one event per append: Custodian `append(stream, [event], expectedRevision)`, awaited;
 *   bare: one `INSERT … VALUES (…)` statement, autocommitted (its own transaction).
 * - batches of 100: Custodian `append(stream, events, expectedRevision)`; bare: 100 single-row
 *   INSERTs inside one `db.transaction(…)`.
 *
 * Custodian's figure includes all it does per append: input validation, the IMMEDIATE
 * transaction, reading the stream's revision and checking the expected one. The bare side
 * tracks revisions in a JS array and checks nothing. In each run the two sides' appends are
 * interleaved one for one, each timed on its own; the figures are the events written over
 * all runs divided by each side's summed time, after one untimed warm-up run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, events, type EventToAppend, type ExpectedRevision } from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';
import BetterSqlite3 from 'better-sqlite3';

const STREAMS = 100;
const RUNS = 5;
const SINGLE_EVENTS = 1_000;
const BATCH_SIZE = 100;
const BATCH_EVENTS = 10_000;

/** Same columns, keys and index as the store's own table (its triggers fire only on UPDATE/DELETE). */
const BARE_SCHEMA = `
CREATE TABLE events (
  position INTEGER PRIMARY KEY,
  stream   TEXT    NOT NULL,
  revision INTEGER NOT NULL,
  id       TEXT    NOT NULL,
  type     TEXT    NOT NULL,
  data     BLOB    NOT NULL,
  UNIQUE (stream, revision)
);`;

const streamNames = Array.from({ length: STREAMS }, (_, s) => `subject-bench-${s}`);

/** Sealed records, made before any timing; each stream's records are chained as the ledger chains them. */
function sealEvents(count: number): EventToAppend[] {
  const heads = new Array<string>(STREAMS).fill(GENESIS_HASH);
  const out: EventToAppend[] = [];
  for (let n = 0; n < count; n++) {
    const s = n % STREAMS;
    const data = {
      purpose: 'marketing.email',
      categories: ['contact.email'],
      activity: `campaign:spring-sale-${n}`,
      basis: { legalBasis: 'consent' as const, consentEventId: randomUUID() },
    };
    const place = {
      stream: streamNames[s]!,
      subjectId: `bench-${s}`,
      actor: { id: 'svc-campaigns', kind: 'service' as const, roles: ['marketing'] },
      now: new Date(Date.UTC(2026, 0, 1) + n * 1000),
      id: randomUUID(),
    };
    const sealed = events.seal(events.envelope({ type: 'DataUsed', data }, place), heads[s]!);
    heads[s] = sealed.event.hash;
    out.push(sealed.toAppend);
  }
  return out;
}

/** Groups the events into appends of `size`, each to one stream, round-robin over the streams. */
function appendsOf(all: EventToAppend[], size: number): { stream: number; events: EventToAppend[] }[] {
  const perStream = streamNames.map((): EventToAppend[] => []);
  all.forEach((event, n) => perStream[n % STREAMS]!.push(event));
  const out: { stream: number; events: EventToAppend[] }[] = [];
  const longest = Math.ceil(all.length / STREAMS);
  for (let start = 0; start < longest; start += size) {
    for (let s = 0; s < STREAMS; s++) {
      const events = perStream[s]!.slice(start, start + size);
      if (events.length > 0) out.push({ stream: s, events });
    }
  }
  return out;
}

type Appends = ReturnType<typeof appendsOf>;

function freshDirectory(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(os.tmpdir(), 'custodian-sqlite-bench-'));
  return { path: join(dir, 'events.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Side {
  /** Writes appends[i]; only the store's side returns a promise, so only it pays for an await. */
  append(i: number): void | Promise<unknown>;
  close(): Promise<void>;
}

function bare(appends: Appends): Side {
  const file = freshDirectory();
  const db = new BetterSqlite3(file.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(BARE_SCHEMA);
  const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data) VALUES (?, ?, ?, ?, ?)');
  const revisions = new Array<number>(STREAMS).fill(0);
  const insertAll = db.transaction((s: number, batch: EventToAppend[]) => {
    for (const event of batch) insert.run(streamNames[s], revisions[s]!++, event.id, event.type, event.data);
  });
  return {
    append(i) {
      const { stream: s, events: batch } = appends[i]!;
      if (batch.length > 1) return insertAll(s, batch);
      const event = batch[0]!;
      insert.run(streamNames[s], revisions[s]!++, event.id, event.type, event.data);
    },
    async close() {
      db.close();
      file.remove();
    },
  };
}

function custodian(appends: Appends): Side {
  const file = freshDirectory();
  const store = createSqliteEventStore({ path: file.path });
  const expected = new Array<ExpectedRevision>(STREAMS).fill('no_stream');
  return {
    async append(i) {
      const { stream: s, events: batch } = appends[i]!;
      expected[s] = (await store.append(streamNames[s]!, batch, expected[s]!)).nextRevision;
    },
    async close() {
      await store.close();
      file.remove();
    },
  };
}

/**
 * One run: both sides on fresh files, their appends interleaved one for one (which goes
 * first alternates), each side's own time summed. A disk whose fsync latency drifts (other
 * work on the machine, the device's cache) so slows both alike, which separate runs of a
 * few seconds each did not.
 */
async function run(appends: Appends): Promise<{ bare: number; custodian: number }> {
  const sides = [bare(appends), custodian(appends)] as const;
  const seconds = [0, 0];
  try {
    for (let i = 0; i < appends.length; i++) {
      for (let k = 0; k < 2; k++) {
        const which = (i + k) % 2;
        const started = performance.now();
        const pending = sides[which]!.append(i);
        if (pending) await pending;
        seconds[which]! += performance.now() - started;
      }
    }
  } finally {
    for (const side of sides) await side.close();
  }
  return { bare: seconds[0]! / 1000, custodian: seconds[1]! / 1000 };
}

const rate = (n: number) => `${Math.round(n).toLocaleString('en-US').padStart(9)} events/s`;

async function scenario(label: string, all: EventToAppend[], size: number): Promise<number> {
  const appends = appendsOf(all, size);
  await run(appendsOf(all.slice(0, all.length / 5), size));
  const runs: { bare: number; custodian: number }[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await run(appends));
  const total = (side: 'bare' | 'custodian') => runs.reduce((sum, r) => sum + r[side], 0);
  const events = all.length * RUNS;
  const ratio = total('bare') / total('custodian');
  console.log(`\n${label}: ${all.length.toLocaleString('en-US')} events per run, ${RUNS} runs`);
  console.log(`  bare better-sqlite3   ${rate(events / total('bare'))}`);
  console.log(`  Custodian SQLite      ${rate(events / total('custodian'))}`);
  console.log(`  ratio Custodian/bare  ${ratio.toFixed(3)}x   (per run: ${runs.map((r) => (r.bare / r.custodian).toFixed(3)).join(', ')})`);
  return ratio;
}

async function main(): Promise<void> {
  const probe = new BetterSqlite3(':memory:');
  const version = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  probe.close();
  console.log(`SQLite ${version}, Node ${process.version}, ${os.cpus().length} CPUs, files in ${os.tmpdir()}`);
  console.log('journal_mode=WAL, synchronous=FULL on both sides');
  const single = await scenario('one event per append', sealEvents(SINGLE_EVENTS), 1);
  const batched = await scenario(`batches of ${BATCH_SIZE}`, sealEvents(BATCH_EVENTS), BATCH_SIZE);
  const worst = Math.min(single, batched);
  console.log(`\n${worst >= 0.9 ? 'PASS' : 'BELOW GOAL'}: worst ratio ${worst.toFixed(3)}x (goal: at least 0.9x the bare driver)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
