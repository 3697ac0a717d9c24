/**
 * Decisions benchmark (issue 16, item 1): `ledger.use` should not slow down with the number
 * of customers or the length of their history. In-memory event, key and snapshot stores.
 *
 *   pnpm bench:decisions   (= tsc -b && node bench/dist/decisions.bench.js)
 *
 * 1. Customers: for each N (1,000 / 10,000 / 100,000 / 1,000,000) a fresh ledger, N
 *    customers each `collect`ed (an email, for order.fulfilment and marketing.email) and
 *    `grantConsent`ed; then DECISIONS `use`s round-robin over them, one awaited after the
 *    other, so consecutive decisions hit different streams. Two ledgers per N:
 *    (a) the default cache (20,000 entries) with snapshots every 4 events: past 20,000
 *        customers each decision is a cache miss, read from the snapshot on;
 *    (b) a cache sized to hold every customer (`cache: { maxEntries: N }`), no snapshots.
 *    Goal: the rate at each N ≥ 0.7 × the rate at 1,000 customers.
 * 2. History: STREAMS customers, each with E events (collect, consent, then E - 2 uses),
 *    E = 2 / 12 / 52 / 200; then one `use` per customer with `cache: { maxEntries: 0 }`, so
 *    every decision is a cache miss: with snapshots (every 4 events), and without (each
 *    miss folds the whole stream, as before snapshots). Goal: the rate at each E ≥ 0.7 × the
 *    rate at 2 events.
 *
 * Sizes: DECISIONS_CUSTOMERS (comma-separated, default 1000,10000,100000,1000000),
 * DECISIONS_COUNT (decisions per run, default 100,000), DECISIONS_STREAMS (customers of
 * part 2, default 5,000); DECISIONS_CUSTOMERS=0 runs part 2 alone. Rates are by wall time and, in
 * brackets, by this process's CPU time.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createInMemorySnapshotStore, createLedger, definePolicy, InMemoryEventStore, InMemoryKeyStore, type Actor, type Ledger, type LedgerOptions } from '@custodian/core';
import { reportFigure } from './figures';

const sizes = (name: string, fallback: number[]): number[] =>
  process.env[name]
    ?.split(',')
    .map((n) => Number(n.trim()))
    .filter((n) => Number.isSafeInteger(n) && n > 0) ?? fallback;
const CUSTOMERS = sizes('DECISIONS_CUSTOMERS', [1_000, 10_000, 100_000, 1_000_000]);
const DECISIONS = sizes('DECISIONS_COUNT', [100_000])[0] ?? 100_000;
const STREAMS = sizes('DECISIONS_STREAMS', [5_000])[0] ?? 5_000;
const HISTORY = [2, 12, 52, 200];
const GOAL = 0.7;
const SNAPSHOT_EVERY = 4;

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
// collect needs an actor holding the role of a purpose collected for (docs/policy.md).
const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] };
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const customerId = (i: number) => `cust-${i.toString(36).padStart(6, '0')}`;

interface Rate {
  wall: number;
  cpu: number;
}

async function timed(count: number, work: (i: number) => Promise<unknown>): Promise<Rate> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) await work(i);
  const used = process.cpuUsage(cpu);
  return { wall: count / ((performance.now() - wall) / 1000), cpu: count / ((used.user + used.system) / 1e6) };
}

const withSnapshots = (): Pick<LedgerOptions, 'snapshots'> => ({ snapshots: { store: createInMemorySnapshotStore(), secret: randomBytes(32), every: SNAPSHOT_EVERY } });

async function customers(ledger: Ledger, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const subjectId = customerId(i);
    await ledger.collect({
      subjectId,
      actor: checkout,
      source: 'checkout-form',
      purposes: ['order.fulfilment', 'marketing.email'],
      notice,
      data: { 'contact.email': `customer${i}@example.com` },
    });
    await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
  }
}

const use = (ledger: Ledger, i: number, n: number, activity = 'campaign:spring-sale') =>
  ledger.use({ subjectId: customerId(i % n), actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity });

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rateText = (rate: Rate) => `${fmt(rate.wall).padStart(9)}/s (cpu ${fmt(rate.cpu).padStart(9)}/s)`;
function verdict(rate: Rate, base: Rate): string {
  const ratio = rate.cpu / base.cpu;
  return `ratio ${ratio.toFixed(2)} (cpu), ${(rate.wall / base.wall).toFixed(2)} (wall); goal ≥ ${GOAL} × ${fmt(base.cpu)}/s = ${fmt(GOAL * base.cpu)}/s: ${ratio >= GOAL ? 'met' : 'NOT met'}`;
}

function figureOf(what: string, rate: Rate, base: Rate, baseLabel: string): void {
  const ratio = rate.cpu / base.cpu;
  reportFigure({ item: '1', what, measured: `${fmt(rate.cpu)}/s by CPU, ${ratio.toFixed(2)}× the rate at ${baseLabel}`, goal: `≥ ${GOAL}×`, met: ratio >= GOAL });
}

async function byCustomers(): Promise<void> {
  console.log(`\n1. decisions/s vs customers (round-robin, ${fmt(DECISIONS)} decisions per run)`);
  const configs: [string, (n: number) => Partial<LedgerOptions>][] = [
    ['default cache (20,000) + snapshots every 4', () => withSnapshots()],
    ['cache sized to every customer, no snapshots', (n) => ({ cache: { maxEntries: n } })],
  ];
  for (const [label, options] of configs) {
    console.log(`  ${label}`);
    let base: Rate | undefined;
    for (const n of CUSTOMERS) {
      const ledger = createLedger({ store: new InMemoryEventStore(), keys: new InMemoryKeyStore(), policy, ...options(n) });
      await customers(ledger, n);
      await timed(Math.min(n, 5_000), (i) => use(ledger, i, n, 'warm-up'));
      const rate = await timed(DECISIONS, (i) => use(ledger, i, n));
      base ??= rate;
      const stats = ledger.cacheStats();
      console.log(`    ${fmt(n).padStart(9)} customers: ${rateText(rate)}  ${verdict(rate, base)}`);
      if (rate !== base) figureOf(`decisions/s at ${fmt(n)} customers, ${label}`, rate, base, `${fmt(CUSTOMERS[0] ?? 0)} customers`);
      console.log(
        `      cache: ${fmt(stats.entries)} entries, ~${fmt(stats.approximateBytes / 1e6)} MB, ${fmt(stats.hits)} hits, ${fmt(stats.misses)} misses, ${fmt(stats.snapshotLoads)} from snapshots, ${fmt(stats.snapshotRejections)} rejected`,
      );
    }
  }
}

async function byHistory(): Promise<void> {
  console.log(`\n2. decisions/s on cache misses vs events per stream (${fmt(STREAMS)} customers, one decision each, cache: { maxEntries: 0 })`);
  for (const [label, snapshots] of [
    ['snapshots every 4', true],
    ['no snapshots (a miss folds the whole stream)', false],
  ] as const) {
    console.log(`  ${label}`);
    let base: Rate | undefined;
    for (const events of HISTORY) {
      const store = new InMemoryEventStore();
      const keys = new InMemoryKeyStore();
      const snapshotOptions = snapshots ? withSnapshots() : {};
      const builder = createLedger({ store, keys, policy, ...snapshotOptions });
      await customers(builder, STREAMS);
      for (let round = 2; round < events; round++) for (let i = 0; i < STREAMS; i++) await use(builder, i, STREAMS, `history-${round}`);
      const ledger = createLedger({ store, keys, policy, cache: { maxEntries: 0 }, ...snapshotOptions });
      const rate = await timed(STREAMS, (i) => use(ledger, i, STREAMS));
      base ??= rate;
      const stats = ledger.cacheStats();
      console.log(`    ${String(events).padStart(4)} events: ${rateText(rate)}  ${verdict(rate, base)}  (${fmt(stats.snapshotLoads)} from snapshots)`);
      if (rate !== base) figureOf(`decisions/s on misses at ${events} events a stream, ${label}`, rate, base, `${HISTORY[0] ?? 0} events`);
    }
  }
}

async function main(): Promise<void> {
  console.log(`decisions benchmark: customers ${CUSTOMERS.map(fmt).join(' / ')}, history ${HISTORY.join(' / ')} events; node ${process.version}`);
  await byCustomers();
  await byHistory();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
