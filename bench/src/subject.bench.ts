// One customer's question costs one customer's events (issue 16, item 4): a ledger of N
// events over many customers is built through the public API, on the in-memory store and on
// SQLite, then for random customers it times
//   replay-at-subject  subjectAt(store, id, position)   what `custodian replay --at <pos> --subject <id>` runs
//   explain            ledger.audit.explain(eventId)    one of the customer's uses
//   report view        readSubject(store, id)           what `custodian report` renders
//   export             ledger.exportSubject(id)         what `custodian export` prints
// and prints median, p99 and max beside the goal: at most 50 ms each at 1,000,000 events.
// Each customer is collected, consents, is used five times, shared with one of 20 agencies
// (nine in ten), and some withdraw (then are refused), are erased (the agency confirms) or
// ask for a copy: about ten events each.
// Run: N=1000000 npx pnpm bench:subject    (SQLITE_N caps the SQLite ledger, SAMPLES the customers timed)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLedger, definePolicy, InMemoryEventStore, InMemoryKeyStore, readSubject, subjectAt, type Actor, type EventStore, type Ledger } from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';
import { reportFigure } from './figures';

const N = Number(process.env.N ?? 1_000_000);
const SQLITE_N = Number(process.env.SQLITE_N ?? N);
const SAMPLES = Number(process.env.SAMPLES ?? 200);
const GOAL_MS = 50;
const AGENCIES = 20;
const WARM_UP = 20;

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
  permissions: { registerRecipient: ['privacy'], verifyRecipient: ['privacy'], erase: ['privacy'] },
});
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const self = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });
const notice = { id: 'privacy-notice', version: 'v3' };
const agency = (i: number) => `agency-${i % AGENCIES}`;

/** A seeded generator, so both stores get the same ledger and the same samples. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One customer's life; returns how many events it wrote and the id of one of their uses. */
async function customer(ledger: Ledger, i: number): Promise<{ events: number; useId: string }> {
  const subjectId = `cust-${i}`;
  const data = { 'contact.email': `${subjectId}@example.com`, 'contact.address': `${i} Elm Street` };
  await ledger.collect({ subjectId, actor: checkout, source: 'checkout-form', purposes: ['order.fulfilment', 'marketing.email'], notice, data });
  await ledger.grantConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked' });
  let useId = '';
  for (let n = 0; n < 5; n++)
    useId = (await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: `campaign-${n}` })).event.id;
  let written = 7;
  const shared = i % 10 !== 9;
  if (shared) {
    await ledger.share({ subjectId, actor: marketer, recipientId: agency(i), purpose: 'marketing.email', categories: ['contact.email'] });
    written++;
  }
  if (i % 7 === 3) {
    await ledger.withdrawConsent({ subjectId, actor: self(subjectId), purpose: 'marketing.email' });
    await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'after-withdrawal' });
    written += 2;
  }
  if (i % 50 === 11) {
    await ledger.requestErasure({ subjectId, actor: self(subjectId) });
    await ledger.erase({ subjectId, actor: dpo });
    written += 2;
    if (shared) {
      await ledger.confirmRecipientErasure({ subjectId, actor: dpo, recipientId: agency(i) });
      written++;
    }
  } else if (i % 100 === 42) {
    await ledger.requestAccess({ subjectId, actor: self(subjectId), right: 'access' });
    written += 2;
  }
  return { events: written, useId };
}

async function build(store: EventStore, size: number): Promise<{ ledger: Ledger; customers: number; useIds: string[]; events: number }> {
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  let events = 1; // the policy, recorded before the first write
  for (let i = 0; i < AGENCIES; i++) {
    await ledger.registerRecipient({ recipientId: agency(i), actor: dpo, name: `Agency ${i}`, agreement: `dpa-${i}`, country: 'FR' });
    await ledger.verifyRecipient({ recipientId: agency(i), actor: dpo });
    events += 2;
  }
  const useIds: string[] = [];
  const started = performance.now();
  while (events < size) {
    const life = await customer(ledger, useIds.length);
    useIds.push(life.useId);
    events += life.events;
    if (useIds.length % 10_000 === 0) process.stderr.write(`  ${events.toLocaleString('en-US')} events, ${((performance.now() - started) / 1000).toFixed(0)} s\r`);
  }
  process.stderr.write('\n');
  return { ledger, customers: useIds.length, useIds, events };
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function time(store: string, label: string, work: (pick: number) => Promise<unknown>, customers: number, events: number): Promise<void> {
  const pick = random(16);
  // Untimed first calls, so the figures are the steady state rather than the JIT's first compile.
  for (let s = 0; s < WARM_UP; s++) await work(Math.floor(pick() * customers));
  const ms: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const i = Math.floor(pick() * customers);
    const started = performance.now();
    await work(i);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const [median, p99, max] = [quantile(ms, 0.5), quantile(ms, 0.99), ms[ms.length - 1] ?? 0];
  const verdict = p99 <= GOAL_MS ? 'meets' : 'MISSES';
  reportFigure({
    item: '4',
    what: `${label}, one customer of ${events.toLocaleString('en-US')} events (${store})`,
    measured: `p99 ${p99.toFixed(2)} ms (median ${median.toFixed(2)})`,
    goal: `≤ ${GOAL_MS} ms`,
    met: p99 <= GOAL_MS,
  });
  console.log(
    `  ${label.padEnd(18)} median ${median.toFixed(2).padStart(7)} ms   p99 ${p99.toFixed(2).padStart(7)} ms   max ${max.toFixed(2).padStart(7)} ms   goal <= ${GOAL_MS} ms: ${verdict}`,
  );
}

async function measure(name: string, store: EventStore, size: number): Promise<void> {
  const started = performance.now();
  const { ledger, customers, useIds, events } = await build(store, size);
  const seconds = (performance.now() - started) / 1000;
  console.log(`\n${name}: ${events.toLocaleString('en-US')} events over ${customers.toLocaleString('en-US')} customers, built through the ledger in ${seconds.toFixed(1)} s`);
  const middle = BigInt(Math.floor(events / 2));
  const now = new Date();
  await time(name, 'replay-at-subject', (i) => subjectAt(store, `cust-${i}`, middle), customers, events);
  await time(name, 'explain', (i) => ledger.audit.explain(useIds[i] as string), customers, events);
  await time(name, 'report view', (i) => readSubject(store, `cust-${i}`, { now }), customers, events);
  await time(name, 'export', (i) => ledger.exportSubject(`cust-${i}`), customers, events);
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}; ${SAMPLES} random customers timed per figure; goal: each at most ${GOAL_MS} ms at 1,000,000 events`);
  await measure('in-memory', new InMemoryEventStore(), N);
  const dir = mkdtempSync(join(tmpdir(), 'custodian-subject-bench-'));
  const store = createSqliteEventStore({ path: join(dir, 'ledger.db') });
  try {
    await measure('SQLite (WAL, synchronous=FULL)', store, SQLITE_N);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
