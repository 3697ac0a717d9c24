/**
 * Group commit benchmark: `ledger.use` decisions per second on a SQLite file store, by one
 * caller and by 64 concurrent callers, with the store's group commit on and off, in one run.
 *
 *   pnpm bench:group-commit                      (= tsc -b && node bench/dist/group-commit.bench.js)
 *   node bench/dist/group-commit.bench.js --subjects 1000 --decisions 5000   (a reduced run)
 *
 * For each setting, a fresh file in os.tmpdir() (WAL, synchronous=FULL: every commit is
 * fsynced either way), a ledger on it with an in-memory key store, and `--subjects`
 * customers collected (an email, for order.fulfilment and marketing.email) and consenting
 * to marketing.email, untimed. Then, timed: `--decisions` uses for marketing.email by one
 * caller, each awaited before the next, and `--decisions` uses by 64 callers at once, each
 * taking the next decision when its last one resolved; both round-robin over the customers,
 * so the stream cache holds every state and a decision reads nothing from the file.
 *
 * Goals (issue 16, item 2): at least 15,000 decisions/s with 64 callers and group commit on,
 * and one caller no slower than with it off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLedger, definePolicy, InMemoryKeyStore, type Actor, type Ledger } from '@custodian/core';
import { createSqliteEventStore, type SqliteEventStoreOptions } from '@custodian/sqlite';
import { reportFigure } from './figures';

const CONCURRENT = 64;
const GOAL_64 = 15_000;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const SUBJECTS = option('subjects', 5_000);
const DECISIONS = option('decisions', 30_000);

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
// The collector holds a role of a purpose it collects for (docs/policy.md).
const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment', 'marketing'] };
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const subjectIds = Array.from({ length: SUBJECTS }, (_, i) => `cust-${i}`);

/** Runs `count` tasks by `callers` concurrent callers, each starting the next task once its last resolved. */
async function concurrently(callers: number, count: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function customers(ledger: Ledger): Promise<void> {
  await concurrently(CONCURRENT, SUBJECTS, async (s) => {
    const subjectId = subjectIds[s] as string;
    const data = { 'contact.email': `customer${s}@example.com` };
    await ledger.collect({ subjectId, actor: checkout, source: 'checkout-form', purposes: ['order.fulfilment', 'marketing.email'], notice, data });
    await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
  });
}

/** Decisions per second by `callers` concurrent callers. */
async function decisions(ledger: Ledger, callers: number, offset: number): Promise<number> {
  let allowed = 0;
  const started = performance.now();
  await concurrently(callers, DECISIONS, async (i) => {
    const subjectId = subjectIds[(offset + i) % SUBJECTS] as string;
    const decision = await ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring-sale' });
    if (decision.allowed) allowed++;
  });
  const seconds = (performance.now() - started) / 1000;
  if (allowed !== DECISIONS) throw new Error(`${DECISIONS - allowed} decisions were refused`);
  return DECISIONS / seconds;
}

async function measure(groupCommit: SqliteEventStoreOptions['groupCommit']): Promise<{ one: number; many: number }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'custodian-group-commit-bench-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db'), groupCommit });
  try {
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
    await customers(ledger);
    const one = await decisions(ledger, 1, 0);
    const many = await decisions(ledger, CONCURRENT, DECISIONS);
    return { one, many };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (n: number) => `${Math.round(n).toLocaleString('en-US').padStart(8)} decisions/s`;

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, files in ${os.tmpdir()}; WAL, synchronous=FULL`);
  console.log(`${SUBJECTS.toLocaleString('en-US')} customers; ${DECISIONS.toLocaleString('en-US')} ledger.use decisions per figure\n`);
  const off = await measure(false);
  const on = await measure(undefined);
  console.log(`                      1 caller              ${CONCURRENT} callers`);
  console.log(`group commit off  ${rate(off.one)}   ${rate(off.many)}`);
  console.log(`group commit on   ${rate(on.one)}   ${rate(on.many)}`);
  console.log(`ratio on/off      ${(on.one / off.one).toFixed(2).padStart(8)}x              ${(on.many / off.many).toFixed(2).padStart(8)}x\n`);
  reportFigure({
    item: '2',
    what: `SQLite decisions/s, ${CONCURRENT} callers, group commit on`,
    measured: rate(on.many).trim(),
    goal: `≥ ${GOAL_64.toLocaleString('en-US')}/s`,
    met: on.many >= GOAL_64,
  });
  reportFigure({
    item: '2',
    what: 'SQLite decisions/s, 1 caller, group commit on / off',
    measured: `${(on.one / off.one).toFixed(2)}×`,
    goal: 'no slower (≥ 0.95×)',
    met: on.one >= off.one * 0.95,
  });
  console.log(`${on.many >= GOAL_64 ? 'PASS' : 'BELOW GOAL'}: ${CONCURRENT} callers, group commit on: ${rate(on.many)} (goal ≥ ${GOAL_64.toLocaleString('en-US')})`);
  console.log(`${on.one >= off.one * 0.95 ? 'PASS' : 'BELOW GOAL'}: 1 caller, on/off ${(on.one / off.one).toFixed(2)}x (goal: no slower; 5% allowed for noise)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
