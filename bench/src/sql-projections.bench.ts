/**
 * SQL projections benchmark: events/s of `rebuild()` and `catchUp()` of the analytics
 * tables (`createSqlProjections`) in a SQLite ledger file.
 *
 *   pnpm bench:sql-projections                  (= tsc -b && node bench/dist/sql-projections.bench.js)
 *   node bench/dist/sql-projections.bench.js --subjects 2000   (a reduced run)
 *
 * The ledger is written through the public API (untimed), `--subjects` customers in two
 * halves: each customer is collected (email and address, for order fulfilment and
 * marketing), consents to marketing, is used by three campaigns and shared with an agency;
 * every 10th withdraws, every 50th is erased and every 20th asks for access. About 8
 * events per customer. Then, timed:
 * - catchUp: the tables follow the first half, then the second half is written and
 *   `catchUp()` applies it (the events after the checkpoint);
 * - rebuild: `rebuild()` empties the tables and applies the whole log.
 *
 * Goal (issue 16, item 6): at least 150,000 events/s for each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLedger, definePolicy, InMemoryKeyStore, type Actor, type Ledger } from '@custodian/core';
import { createSqliteEventStore, createSqlProjections } from '@custodian/sqlite';
import { reportFigure } from './figures';

const GOAL = 150_000;
const CONCURRENT = 64;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 2) throw new Error(`--${name} must be a whole number of at least 2`);
  return value;
}

const SUBJECTS = option('subjects', 20_000);

const policy = definePolicy({
  purposes: {
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], sharing: true, retention: 'P6Y' },
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'], erase: ['privacy'] },
});
// The collector holds a role of each purpose it collects for (docs/policy.md).
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

interface Timed {
  applied: number;
  /** Events per second of wall-clock time, and per second of this process's CPU time (user + system). */
  wall: number;
  cpu: number;
}

async function timed(work: () => Promise<{ applied: number }>): Promise<Timed> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { applied } = await work();
  const used = process.cpuUsage(cpu);
  return { applied, wall: applied / ((performance.now() - started) / 1000), cpu: applied / ((used.user + used.system) / 1e6) };
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const rates = ({ wall, cpu }: Timed) => `${count(wall).padStart(9)} events/s (${count(cpu)} per CPU-second)`;
const verdict = (n: number) => `${n >= GOAL ? 'PASS' : 'BELOW GOAL'} (goal ≥ ${GOAL.toLocaleString('en-US')})`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'custodian-sql-projections-bench-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  try {
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    await ledger.registerRecipient({ recipientId: AGENCY, actor: dpo, name: 'Brightmail Agency GmbH', agreement: 'dpa-2026-014', country: 'DE' });
    await ledger.verifyRecipient({ recipientId: AGENCY, actor: dpo });
    const half = Math.floor(SUBJECTS / 2);
    await concurrently(half, 0, (s) => customer(ledger, s));
    const projections = createSqlProjections(store);
    const first = await projections.catchUp();
    await concurrently(SUBJECTS, half, (s) => customer(ledger, s));

    const caughtUp = await timed(() => projections.catchUp());
    const rebuilt = await timed(() => projections.rebuild());
    await projections.close();

    console.log(`Node ${process.version}, ${os.cpus().length} CPUs, files in ${os.tmpdir()}; ${SUBJECTS.toLocaleString('en-US')} customers`);
    console.log("(wall-clock rate; in brackets, per second of this process's CPU time, the steadier figure on a shared machine)");
    console.log(
      `catchUp  ${caughtUp.applied.toLocaleString('en-US').padStart(9)} events after ${first.applied.toLocaleString('en-US')}  ${rates(caughtUp)}  ${verdict(caughtUp.wall)}`,
    );
    reportFigure({
      item: '6',
      what: `SQLite projections catchUp() (${SUBJECTS.toLocaleString('en-US')} customers)`,
      measured: rates(caughtUp).trim(),
      goal: `≥ ${GOAL.toLocaleString('en-US')} events/s`,
      met: caughtUp.wall >= GOAL,
    });
    reportFigure({
      item: '6',
      what: `SQLite projections rebuild() (${SUBJECTS.toLocaleString('en-US')} customers)`,
      measured: rates(rebuilt).trim(),
      goal: `≥ ${GOAL.toLocaleString('en-US')} events/s`,
      met: rebuilt.wall >= GOAL,
    });
    console.log(`rebuild  ${rebuilt.applied.toLocaleString('en-US').padStart(9)} events            ${rates(rebuilt)}  ${verdict(rebuilt.wall)}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
