// Global audits at scale: builds a SQLite ledger of EVENTS events (customers of about ten
// events each: collection, consent, uses, a share to one agency for a third of them, a
// withdrawal for a tenth, an erasure for one in fifty), then runs `custodian stats`,
// `custodian violations` and `custodian replay --at <end>` (the whole log, not --subject),
// each in its own process under /usr/bin/time, and prints seconds and peak RSS beside the
// goals (2 minutes, 500 MB at 10,000,000 events): at n/2 and n events, and extrapolated
// to 10M along the slope between the two.
// The records are sealed and chained as the ledger writes them (core's `events.seal`) and
// appended through the store's own API, one append per customer, so building stays fast.
// Run: npx pnpm bench:audits   (EVENTS=<n>, default 500,000: it measures at n/2 and n; LEDGER=<prefix> keeps the files)
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  definePolicy,
  events,
  GENESIS_HASH,
  newDataKey,
  POLICY_STREAM,
  policyRecord,
  recipientStream,
  sealValue,
  subjectStream,
  type Actor,
  type EventToAppend,
  type NewEvent,
} from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';
import { reportFigure } from './figures';

const EVENTS = Number(process.env.EVENTS ?? 500_000);
const TARGET = 10_000_000;
const GOAL_SECONDS = 120;
const GOAL_MB = 500;
const CLI = resolve(__dirname, '../../packages/cli/dist/main.js');

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
const marketing: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const dpo: Actor = { id: 'dpo', kind: 'employee', roles: ['privacy'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const start = Date.UTC(2026, 0, 1);
const key = newDataKey();

/** Seals a stream's drafts in order, each linked to the one before: what one append writes. */
function sealStream(drafts: NewEvent[]): EventToAppend[] {
  let previous = GENESIS_HASH;
  return drafts.map((draft) => {
    const { toAppend, event } = events.seal(draft, previous);
    previous = event.hash;
    return toAppend;
  });
}

/** One customer's history: about ten events, the mix of the ledger. */
function customer(n: number, tick: () => Date): NewEvent[] {
  const subjectId = `cust-${n}`;
  const stream = subjectStream(subjectId);
  const at = (actor: Actor) => ({ stream, subjectId, actor, now: tick(), id: randomUUID() });
  const self: Actor = { id: subjectId, kind: 'subject', roles: [] };
  const drafts: NewEvent[] = [];
  const collected = events.envelope(
    {
      type: 'DataCollected',
      data: {
        categories: ['contact.email', 'contact.address'],
        source: 'checkout-form',
        purposes: ['order.fulfilment', 'marketing.email'],
        legalBases: { 'order.fulfilment': 'contract', 'marketing.email': 'consent' },
        notice,
        retainUntil: '2032-01-01T00:00:00.000Z',
        values: { 'contact.email': sealValue(key, `customer${n}@example.com`, subjectId), 'contact.address': sealValue(key, `${n} Hauptstrasse`, subjectId) },
      },
    },
    at(checkout),
  );
  drafts.push(collected);
  const grant = events.envelope({ type: 'ConsentGranted', data: { purpose: 'marketing.email', notice, method: 'checkbox' } }, at(self));
  drafts.push(grant);
  const consent = { legalBasis: 'consent' as const, consentEventId: grant.id };
  for (let i = 0; i < 4; i++)
    drafts.push(
      events.envelope({ type: 'DataUsed', data: { purpose: 'marketing.email', categories: ['contact.email'], activity: `campaign-${i}`, basis: consent } }, at(marketing)),
    );
  drafts.push(
    events.envelope(
      { type: 'DataUsed', data: { purpose: 'order.fulfilment', categories: ['contact.address'], activity: 'order', basis: { legalBasis: 'contract' } } },
      at(checkout),
    ),
  );
  if (n % 3 === 0)
    drafts.push(
      events.envelope(
        { type: 'DataShared', data: { recipientId: 'agency', purpose: 'marketing.email', categories: ['contact.email'], agreement: 'dpa-1', basis: consent } },
        at(marketing),
      ),
    );
  if (n % 10 === 0) drafts.push(events.envelope({ type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } }, at(self)));
  if (n % 50 === 0) {
    drafts.push(events.envelope({ type: 'ErasureRequested', data: {} }, at(self)));
    drafts.push(events.envelope({ type: 'DataErased', data: { scope: 'all', method: 'crypto-shred', recipientsNotified: n % 3 === 0 ? ['agency'] : [] } }, at(dpo)));
  }
  return drafts;
}

async function build(path: string, size: number): Promise<{ events: number; customers: number; seconds: number }> {
  const started = performance.now();
  const store = createSqliteEventStore({ path });
  // Building is not what is measured: no fsync per append, and a thousand customers per transaction.
  store.database.pragma('synchronous = OFF');
  store.database.exec('BEGIN');
  let clock = start;
  const tick = () => new Date((clock += 1_000));
  const admin: Actor = { id: 'admin', kind: 'employee', roles: ['privacy'] };
  await store.append(
    POLICY_STREAM,
    sealStream([events.envelope({ type: 'PolicyDefined', data: policyRecord(policy) }, { stream: POLICY_STREAM, actor: admin, now: tick() })]),
    'no_stream',
  );
  const agency = recipientStream('agency');
  const place = () => ({ stream: agency, actor: dpo, now: tick() });
  await store.append(
    agency,
    sealStream([
      events.envelope({ type: 'RecipientRegistered', data: { recipientId: 'agency', name: 'Agency', agreement: 'dpa-1', country: 'DE' } }, place()),
      events.envelope({ type: 'RecipientVerified', data: { recipientId: 'agency' } }, place()),
    ]),
    'no_stream',
  );
  let written = 3;
  let customers = 0;
  const pending: Promise<unknown>[] = [];
  while (written < size) {
    const drafts = customer(customers, tick);
    const stream = subjectStream(`cust-${customers++}`);
    written += drafts.length;
    // Several appends in flight: a store that groups commits gets to.
    pending.push(store.append(stream, sealStream(drafts), 'no_stream'));
    if (pending.length >= 64) await Promise.all(pending.splice(0));
    if (customers % 1_000 === 0) store.database.exec('COMMIT; BEGIN');
  }
  await Promise.all(pending);
  store.database.exec('COMMIT');
  await store.close();
  return { events: written, customers, seconds: (performance.now() - started) / 1000 };
}

interface Measured {
  seconds: number;
  /** User and system CPU time: on a shared machine, wall time counts the other processes' too. */
  cpuSeconds: number;
  peakMb: number;
  exit: number;
}

/** Runs one CLI command in its own process under /usr/bin/time -v: wall time and peak RSS. */
function measure(args: string[]): Measured {
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const stderr = run.stderr;
  const exit = run.status ?? 1;
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  const cpu = (label: string) => Number(new RegExp(`${label} time \\(seconds\\): ([\\d.]+)`).exec(stderr)?.[1] ?? NaN);
  return { seconds, cpuSeconds: cpu('User') + cpu('System'), peakMb: peakKb / 1024, exit };
}

interface Run {
  events: number;
  results: Map<string, Measured>;
}

/** Builds (or reuses) a ledger of `size` events and measures every audit over it. */
async function runAt(size: number, dir: string): Promise<Run> {
  const path = process.env.LEDGER ? `${process.env.LEDGER}.${size}` : join(dir, `ledger-${size}.db`);
  const built = existsSync(path) ? undefined : await build(path, size);
  const count = built?.events ?? size;
  if (built) console.log(`built ${count.toLocaleString('en-US')} events (${built.customers.toLocaleString('en-US')} customers) in ${built.seconds.toFixed(1)} s`);
  const audits: [string, string[]][] = [
    ['verify', ['verify', '--db', path, '--json']],
    ['stats', ['stats', '--db', path, '--json']],
    ['violations', ['violations', '--db', path, '--json']],
    ['replay --at <end>', ['replay', '--db', path, '--at', String(count), '--json']],
    ['replay --at <end> (text)', ['replay', '--db', path, '--at', String(count)]],
  ];
  const results = new Map<string, Measured>();
  for (const [name, args] of audits) {
    const m = measure(args);
    results.set(name, m);
    console.log(`  ${name.padEnd(26)} ${m.seconds.toFixed(1).padStart(6)} s (${m.cpuSeconds.toFixed(1)} s CPU), peak ${m.peakMb.toFixed(0).padStart(5)} MB (exit ${m.exit})`);
  }
  return { events: count, results };
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('this benchmark measures peak RSS with /usr/bin/time -v, which is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'custodian-audits-'));
  try {
    const baseline = measure(['--help']);
    console.log(`Node ${process.version}; baseline (node and the CLI, no work): ${baseline.peakMb.toFixed(0)} MB\n`);
    // Two sizes: the slope between them is what each further event costs, free of the fixed
    // costs and of V8's heap slack, which dominate a small run.
    const small = await runAt(Math.round(EVENTS / 2), dir);
    const large = await runAt(EVENTS, dir);
    console.log(
      `\nper event (the slope from ${small.events.toLocaleString('en-US')} to ${large.events.toLocaleString('en-US')}) and extrapolated to ${TARGET.toLocaleString('en-US')}:`,
    );
    const added = large.events - small.events;
    for (const [name, at] of large.results) {
      const before = small.results.get(name) as Measured;
      const secondsPerEvent = (at.seconds - before.seconds) / added;
      const cpuPerEvent = (at.cpuSeconds - before.cpuSeconds) / added;
      const cpuSeconds = at.cpuSeconds + cpuPerEvent * (TARGET - large.events);
      const bytesPerEvent = ((at.peakMb - before.peakMb) * 1024 * 1024) / added;
      const seconds = at.seconds + secondsPerEvent * (TARGET - large.events);
      const mb = at.peakMb + (bytesPerEvent * (TARGET - large.events)) / 1024 / 1024;
      reportFigure({
        item: '5',
        what: `${name} at ${TARGET.toLocaleString('en-US')} events (extrapolated from ${large.events.toLocaleString('en-US')})`,
        measured: `${seconds.toFixed(0)} s, peak ${mb.toFixed(0)} MB`,
        goal: `≤ ${GOAL_SECONDS} s, ≤ ${GOAL_MB} MB`,
        met: seconds <= GOAL_SECONDS && mb <= GOAL_MB && at.exit === 0,
      });
      console.log(
        `  ${name.padEnd(26)} ${(secondsPerEvent * 1e6).toFixed(1).padStart(6)} µs and ${bytesPerEvent.toFixed(0).padStart(4)} B per event; ` +
          `at 10M: ${seconds.toFixed(0)} s, ${cpuSeconds.toFixed(0)} s CPU (goal ≤ ${GOAL_SECONDS}), peak ${mb.toFixed(0)} MB (goal ≤ ${GOAL_MB})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
