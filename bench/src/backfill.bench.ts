/**
 * Backfill benchmark: imports N customers, each with one collection (an email and an
 * address, for fulfilment and marketing) and one or two consents (every third also consented
 * to profiling), into a fresh SQLite file ledger (WAL, synchronous=FULL) through
 * `ledger.backfill`, as the CLI's `custodian import` does: each customer a line of JSON text.
 *
 *   pnpm bench:backfill                 (1,000,000 customers)
 *   pnpm bench:backfill -- 20000        (fewer, for a quick look at the trend)
 *   pnpm bench:backfill -- 20000 64     (and the concurrency; default 64)
 *
 * Prints customers/s and events/s, and the time 1,000,000 customers would take at that rate
 * beside the goal (<= 10 minutes). Keys are held by the in-memory key store, as a KMS or a
 * SQL key store would hold them; the file key store (one fsynced file per customer) is timed
 * on a sample of its own and printed beside it, since it sets its own pace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFileKeyStore, createLedger, definePolicy, InMemoryKeyStore, type Actor, type KeyStore } from '@custodian/core';
import { createSqliteEventStore } from '@custodian/sqlite';
import { reportFigure } from './figures';

const GOAL_MINUTES = 10;
const MILLION = 1_000_000;
const customers = Number(process.argv[2] ?? MILLION);
const concurrency = Number(process.argv[3] ?? 64);
const FILE_KEYS_SAMPLE = Math.min(2_000, Math.max(100, Math.floor(customers / 10)));

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P10Y' },
    'marketing.profiling': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P5Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P10Y' },
  },
});
const actor: Actor = { id: 'crm-import', kind: 'service', roles: ['fulfilment', 'marketing', 'privacy'] };
const notice = { id: 'privacy-notice', version: '3' };

function* lines(count: number): Generator<string> {
  const base = Date.parse('2018-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const collectedAt = new Date(base + i * 60_000).toISOString();
    const grantedAt = new Date(base + i * 60_000 + 30_000).toISOString();
    const consents = [{ purpose: 'marketing.email', grantedAt, notice, method: 'web-form', evidence: `signup form v3, session ${i}` }];
    if (i % 3 === 0) consents.push({ purpose: 'marketing.profiling', grantedAt, notice, method: 'checkbox', evidence: `preferences page, session ${i}` });
    yield JSON.stringify({
      subjectId: `cust-${i.toString(36)}`,
      collections: [
        {
          collectedAt,
          source: 'crm-2018',
          purposes: ['order.fulfilment', 'marketing.email'],
          notice,
          data: { 'contact.email': `customer${i}@example.com`, 'contact.address': `${i} High Street` },
        },
      ],
      consents,
    });
  }
}

async function run(count: number, keys: (dir: string) => KeyStore): Promise<{ seconds: number; events: number }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'custodian-bench-backfill-'));
  const store = createSqliteEventStore({ path: join(dir, 'ledger.db') });
  try {
    const ledger = createLedger({ store, keys: keys(dir), policy });
    const started = performance.now();
    const result = await ledger.backfill(lines(count), { importId: 'bench', actor, concurrency });
    const seconds = (performance.now() - started) / 1000;
    if (result.imported !== count) throw new Error(`imported ${result.imported} of ${count}`);
    return { seconds, events: result.events };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const minutesFor = (rate: number) => MILLION / rate / 60;

async function main(): Promise<void> {
  console.log(`backfill: ${customers.toLocaleString('en-US')} customers into a SQLite file, concurrency ${concurrency}, node ${process.version}, ${os.cpus().length} cores`);
  const memory = await run(customers, () => new InMemoryKeyStore());
  const rate = customers / memory.seconds;
  const projected = minutesFor(rate);
  console.log(
    `  in-memory keys: ${customers.toLocaleString('en-US')} customers (${memory.events.toLocaleString('en-US')} events) in ${memory.seconds.toFixed(1)} s: ` +
      `${Math.round(rate).toLocaleString('en-US')} customers/s, ${Math.round(memory.events / memory.seconds).toLocaleString('en-US')} events/s`,
  );
  reportFigure({
    item: '7',
    what: `backfill of 1,000,000 customers into SQLite${customers === MILLION ? '' : ` (projected from ${customers.toLocaleString('en-US')})`}`,
    measured: `${projected.toFixed(1)} min`,
    goal: `≤ ${GOAL_MINUTES} min`,
    met: projected <= GOAL_MINUTES,
  });
  console.log(`  1,000,000 customers: ${projected.toFixed(1)} min projected; goal <= ${GOAL_MINUTES} min: ${projected <= GOAL_MINUTES ? 'met' : 'NOT met'}`);
  const masterKey = Buffer.alloc(32, 7);
  const files = await run(FILE_KEYS_SAMPLE, (dir) => createFileKeyStore({ directory: join(dir, 'keys'), masterKey }));
  const fileRate = FILE_KEYS_SAMPLE / files.seconds;
  console.log(
    `  file key store (sample of ${FILE_KEYS_SAMPLE.toLocaleString('en-US')}): ${Math.round(fileRate).toLocaleString('en-US')} customers/s; 1,000,000 customers: ${minutesFor(fileRate).toFixed(1)} min projected`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
