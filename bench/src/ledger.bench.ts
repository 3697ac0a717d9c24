/**
 * Ledger benchmark: the whole write path (parse, load, decide, seal, append) and the
 * projection rebuild, on the in-memory stores.
 *
 *   pnpm bench:ledger        (= tsc -b && node bench/dist/ledger.bench.js)
 *
 * Each run, on a fresh InMemoryEventStore + InMemoryKeyStore + ledger:
 *
 * 1. Setup: 10,000 subjects, each `collect`ed (an email, for order.fulfilment and
 *    marketing.email) then `grantConsent`ed for marketing.email: 20,000 operations, timed.
 *    Then every 10th subject withdraws that consent (1,000 operations, not timed).
 * 2. Decisions: 100,000 `ledger.use` for marketing.email, one awaited after the other,
 *    round-robin over the subjects (consecutive decisions hit different streams, each
 *    subject is decided on 10 times): 90% allowed (DataUsed), 10% refused
 *    (UseDenied: consent_withdrawn). Each decision appends its event.
 * 3. Rebuild, from `store.readAll()` (all ~121,000 events), each record decoded with
 *    `events.decode(record.data)`:
 *    (a) read + decode only;
 *    (b) read + decode + fold into all four projections (consent, history, inventory,
 *        recipients) with `applyToProjection`, each into its own Map.
 *
 * 3 runs in this process (a run's store is garbage before the next starts); every figure
 * is printed per run and as the median of the 3, as a wall-clock rate and, in brackets, as a
 * rate per second of this process's CPU time (process.cpuUsage: user + system, all threads).
 * On a shared machine the CPU-time rate is the steadier (time spent waiting for a CPU is not
 * counted); it can also be lower than the wall rate, since GC helper threads run in parallel.
 *
 * Then a CPU profile of the decision path: a child process run with
 * `node --cpu-prof --cpu-prof-interval 100` does the same setup then 20,000 decisions;
 * the profile (written under /tmp, never in the repository) is summarised for the
 * samples taken during the decisions only: top 15 functions by self time, self time by
 * area, and the inclusive time of each step of a decision.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  applyToProjection,
  consentProjection,
  createLedger,
  definePolicy,
  events,
  historyProjection,
  InMemoryEventStore,
  InMemoryKeyStore,
  inventoryProjection,
  recipientsProjection,
  type Actor,
  type ConsentRecord,
  type CustodianEvent,
  type HistoryEntry,
  type Inventory,
  type Ledger,
  type RecipientEntry,
} from '@custodian/core';
import { formatSummary, loadProfile, summariseProfile } from './profile-summary';

const SUBJECTS = 10_000;
const DECISIONS = 100_000;
const PROFILE_DECISIONS = 20_000;
const RUNS = 3;
/** Every WITHDRAW_EVERY-th subject withdraws consent before the decisions: their uses are refused. */
const WITHDRAW_EVERY = 10;
const DECISION_GOAL = 50_000;
const REBUILD_GOAL = 1_000_000;

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], sharing: true, retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});

const checkout: Actor = { id: 'checkout-service', kind: 'service', roles: ['fulfilment'] };
const campaigns: Actor = { id: 'campaign-service', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };
const subjectIds = Array.from({ length: SUBJECTS }, (_, i) => `cust-${i.toString(36).padStart(5, '0')}`);

/** Wall time and this process's CPU time (user + system, all threads) of one timed part, in ms. */
interface Timing {
  ms: number;
  cpuMs: number;
}

function startTimer(): () => Timing {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
  };
}

interface Setup {
  ledger: Ledger;
  store: InMemoryEventStore;
  setup: Timing;
}

async function setup(): Promise<Setup> {
  const store = new InMemoryEventStore();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy });
  const stop = startTimer();
  for (let s = 0; s < SUBJECTS; s++) {
    const subjectId = subjectIds[s] as string;
    await ledger.collect({
      subjectId,
      actor: checkout,
      source: 'checkout-form',
      purposes: ['order.fulfilment', 'marketing.email'],
      notice,
      data: { 'contact.email': `customer${s}@example.com` },
    });
    await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
  }
  const setup = stop();
  for (let s = 0; s < SUBJECTS; s += WITHDRAW_EVERY) {
    const subjectId = subjectIds[s] as string;
    await ledger.withdrawConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', method: 'email' });
  }
  return { ledger, store, setup };
}

/** `count` uses, round-robin over the subjects; returns how many were allowed and refused. */
async function decide(ledger: Ledger, count: number): Promise<{ allowed: number; denied: number } & Timing> {
  let allowed = 0;
  let denied = 0;
  const stop = startTimer();
  for (let i = 0; i < count; i++) {
    const decision = await ledger.use({
      subjectId: subjectIds[i % SUBJECTS] as string,
      actor: campaigns,
      purpose: 'marketing.email',
      categories: ['contact.email'],
      activity: 'campaign:spring-sale',
    });
    if (decision.allowed) allowed++;
    else denied++;
  }
  return { allowed, denied, ...stop() };
}

async function readDecode(store: InMemoryEventStore): Promise<{ events: number; check: number } & Timing> {
  let count = 0;
  let check = 0;
  const stop = startTimer();
  for await (const record of store.readAll()) {
    const event = events.decode(record.data);
    check += event.type.length;
    count++;
  }
  return { events: count, check, ...stop() };
}

interface Projected {
  consent: Map<string, Readonly<Record<string, ConsentRecord>>>;
  history: Map<string, readonly HistoryEntry[]>;
  inventory: Map<string, Inventory>;
  recipients: Map<string, RecipientEntry>;
}

async function readDecodeFold(store: InMemoryEventStore): Promise<{ events: number; projected: Projected } & Timing> {
  const { consent, history, inventory, recipients }: Projected = { consent: new Map(), history: new Map(), inventory: new Map(), recipients: new Map() };
  let count = 0;
  const stop = startTimer();
  for await (const record of store.readAll()) {
    const event: CustodianEvent = events.decode(record.data);
    applyToProjection(consentProjection, consent, event);
    applyToProjection(historyProjection, history, event);
    applyToProjection(inventoryProjection, inventory, event);
    applyToProjection(recipientsProjection, recipients, event);
    count++;
  }
  return { events: count, projected: { consent, history, inventory, recipients }, ...stop() };
}

/** Per second, by wall time and by this process's CPU time: on a shared machine the second is the steadier. */
interface Rate {
  wall: number;
  cpu: number;
}

const rateOf = (count: number, timing: Timing): Rate => ({ wall: count / (timing.ms / 1000), cpu: count / (timing.cpuMs / 1000) });

interface RunResult {
  setup: Rate;
  decisions: Rate;
  allowed: number;
  denied: number;
  events: number;
  readDecode: Rate;
  rebuild: Rate;
}

async function run(): Promise<RunResult> {
  const { ledger, store, setup: setupTiming } = await setup();
  const decisions = await decide(ledger, DECISIONS);
  const plain = await readDecode(store);
  const folded = await readDecodeFold(store);
  if (plain.events !== folded.events) throw new Error('the two rebuild passes read different counts');
  if (decisions.denied !== DECISIONS / WITHDRAW_EVERY) throw new Error(`expected ${DECISIONS / WITHDRAW_EVERY} refusals, got ${decisions.denied}`);
  // Sanity: the projections hold what the run wrote.
  const withdrawn = [...folded.projected.consent.values()].filter((c) => c['marketing.email']?.status === 'withdrawn').length;
  const historyEntries = [...folded.projected.history.values()].reduce((n, h) => n + h.length, 0);
  if (folded.projected.consent.size !== SUBJECTS || withdrawn !== SUBJECTS / WITHDRAW_EVERY || historyEntries !== DECISIONS || folded.projected.inventory.size !== SUBJECTS)
    throw new Error(`projections do not match the run: ${folded.projected.consent.size} consents, ${withdrawn} withdrawn, ${historyEntries} history entries`);
  return {
    setup: rateOf(2 * SUBJECTS, setupTiming),
    decisions: rateOf(DECISIONS, decisions),
    allowed: decisions.allowed,
    denied: decisions.denied,
    events: plain.events,
    readDecode: rateOf(plain.events, plain),
    rebuild: rateOf(folded.events, folded),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const medianRate = (rates: Rate[]): Rate => ({ wall: median(rates.map((r) => r.wall)), cpu: median(rates.map((r) => r.cpu)) });
const rate = (v: number): string => Math.round(v).toLocaleString('en-US');
/** `wall (cpu)`, padded to a column. */
const pair = (r: Rate, width: number): string => `${rate(r.wall)} (${rate(r.cpu)})`.padStart(width);

/** The child of the profile: setup, then only the decisions; prints the decision window on the profile's clock. */
async function profileChild(count: number): Promise<void> {
  const { ledger } = await setup();
  await decide(ledger, 2_000); // warm the decision path a little, as in the timed runs
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const result = await decide(ledger, count);
  const toUs = Number(process.hrtime.bigint() / 1000n);
  console.log(JSON.stringify({ fromUs, toUs, ...result }));
}

/** Steps of a decision, by the function names V8 records for them (compiled core); those never sampled are left out. */
const DECISION_STEPS = [
  'parseOrThrow',
  'execute',
  'load',
  'cached',
  'decideSubject',
  'checkUse',
  'v7',
  'seal',
  'validate',
  'sealRecord',
  'canonicalJson',
  'hash',
  'append',
  'place',
  'advance',
  'toDecision',
];

function profileDecisions(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'custodian-ledger-prof-'));
  const out = execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, __filename, '--profile-child', String(PROFILE_DECISIONS)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const window = JSON.parse(out.trim().split('\n').at(-1) as string) as { fromUs: number; toUs: number; allowed: number; denied: number } & Timing;
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const summary = summariseProfile(loadProfile(path.join(dir, file)), { fromUs: window.fromUs, toUs: window.toUs, top: 15, inclusiveOf: DECISION_STEPS });
  console.log(
    `CPU profile of the decision path: ${PROFILE_DECISIONS.toLocaleString('en-US')} decisions (${window.allowed} allowed, ${window.denied} refused) ` +
      `in ${window.ms.toFixed(0)} ms wall, ${window.cpuMs.toFixed(0)} ms CPU (the profiler thread included), under the profiler (${rate(PROFILE_DECISIONS / (window.ms / 1000))} decisions/s); sampled every 100 µs`,
  );
  console.log(`  profile: ${path.join(dir, file)}; only samples taken during the decisions are counted (setup excluded)`);
  for (const line of formatSummary(summary, { count: PROFILE_DECISIONS, unit: 'decision' })) console.log(line);
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`Ledger benchmark: Node ${process.version}, ${os.cpus().length} x ${cpu}; load average at start ${load()}`);
  console.log(
    `${SUBJECTS.toLocaleString('en-US')} subjects (collect + grantConsent each; every ${WITHDRAW_EVERY}th then withdraws), ` +
      `${DECISIONS.toLocaleString('en-US')} use decisions round-robin, then a rebuild of 4 projections from readAll; in-memory stores.`,
  );
  console.log(`Median of ${RUNS} runs, each on a fresh store. Every rate is wall-clock, then (in brackets) per second of this process's CPU time.\n`);

  const results: RunResult[] = [];
  console.log(
    `run ${'setup ops/s'.padStart(17)} ${'decisions/s'.padStart(17)} ${'allowed/refused'.padStart(16)} ${'events'.padStart(8)} ${'(a) read+decode ev/s'.padStart(21)} ${'(b) +fold ev/s'.padStart(19)}`,
  );
  for (let r = 1; r <= RUNS; r++) {
    const result = await run();
    results.push(result);
    console.log(
      `${String(r).padEnd(3)} ${pair(result.setup, 17)} ${pair(result.decisions, 17)} ${`${result.allowed}/${result.denied}`.padStart(16)} ` +
        `${rate(result.events).padStart(8)} ${pair(result.readDecode, 21)} ${pair(result.rebuild, 19)}`,
    );
  }
  const m = {
    setup: medianRate(results.map((r) => r.setup)),
    decisions: medianRate(results.map((r) => r.decisions)),
    readDecode: medianRate(results.map((r) => r.readDecode)),
    rebuild: medianRate(results.map((r) => r.rebuild)),
  };
  // The fold's own cost, per event, from the two medians.
  const foldUs = 1e6 / m.rebuild.wall - 1e6 / m.readDecode.wall;
  const verdict = (r: Rate, goal: number) => `goal >= ${rate(goal)}: ${r.wall >= goal ? 'MET' : 'MISSED'}${r.wall < goal && r.cpu >= goal ? ' (met in CPU time)' : ''}`;
  console.log('');
  console.log(`Setup (collect + grantConsent):   ${pair(m.setup, 19)} ops/s        (median; ${(1e6 / m.setup.wall).toFixed(1)} µs each)`);
  console.log(
    `Decisions (ledger.use):           ${pair(m.decisions, 19)} decisions/s  (median; ${(1e6 / m.decisions.wall).toFixed(1)} µs each)  ${verdict(m.decisions, DECISION_GOAL)}`,
  );
  console.log(`Rebuild (a) read + decode:        ${pair(m.readDecode, 19)} events/s     (median; ${(1e6 / m.readDecode.wall).toFixed(2)} µs/event)`);
  console.log(
    `Rebuild (b) read + decode + fold: ${pair(m.rebuild, 19)} events/s     (median; ${(1e6 / m.rebuild.wall).toFixed(2)} µs/event, of which the fold ~${foldUs.toFixed(2)} µs)  ` +
      verdict(m.rebuild, REBUILD_GOAL),
  );
  console.log(`Load average at end ${load()}\n`);
  profileDecisions();
}

const args = process.argv.slice(2);
if (args[0] === '--profile-child') {
  profileChild(Number(args[1] ?? PROFILE_DECISIONS)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
