import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLedger, InMemoryKeyStore, type Ledger } from '@custodian/core';
import { createSqliteEventStore, type SqliteEventStore } from '../index';
import { createSqlProjections } from './index';
import { BRIGHTMAIL, campaigns, checkout, customer, dpo, policy, storyClock } from './test-support/dataset';
import { tempFiles } from './test-support/files';
import { rows, snapshot } from './test-support/tables';

// A batch reads the rows of its keys a slice of 1,000 events at a time, keeps what its
// events changed in memory, and writes it at the batch's end. These customers' events are
// interleaved, so every one of them has events on both sides of a slice's or a batch's edge.
const CUSTOMERS = 200;
const SLICE = 1_000;

const files = tempFiles('custodian-sql-batches-');
let store: SqliteEventStore;

const notice = { id: 'privacy-notice', version: 'v3' };
const subjectOf = (n: number) => `s-${n}`;

/** A customer's story, step by step; each step is taken for every customer before the next. */
const steps: ((ledger: Ledger, n: number, subjectId: string) => Promise<unknown> | undefined)[] = [
  (ledger, _, subjectId) =>
    ledger.collect({
      subjectId,
      actor: checkout,
      source: 'checkout-form',
      purposes: ['order.fulfilment', 'marketing.email'],
      notice,
      data: { 'contact.email': `${subjectId}@example.com` },
    }),
  (ledger, _, subjectId) => ledger.grantConsent({ subjectId, actor: customer(subjectId), purpose: 'marketing.email', notice, method: 'checkbox' }),
  (ledger, _, subjectId) => ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:spring' }),
  (ledger, _, subjectId) => ledger.share({ subjectId, actor: campaigns, recipientId: BRIGHTMAIL, purpose: 'marketing.email', categories: ['contact.email'] }),
  (ledger, n, subjectId) => (n % 3 === 0 ? ledger.withdrawConsent({ subjectId, actor: customer(subjectId), purpose: 'marketing.email', method: 'email' }) : undefined),
  (ledger, n, subjectId) => (n % 4 === 0 ? ledger.requestAccess({ subjectId, actor: customer(subjectId), right: 'access' }) : undefined),
  (ledger, _, subjectId) => ledger.use({ subjectId, actor: campaigns, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign:summer' }),
  (ledger, n, subjectId) => (n % 5 === 0 ? ledger.erase({ subjectId, actor: dpo }) : undefined),
];

beforeAll(async () => {
  store = createSqliteEventStore({ path: files.path() });
  const clock = storyClock();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy, clock: clock.now });
  await ledger.registerRecipient({ recipientId: BRIGHTMAIL, actor: dpo, name: 'Brightmail Agency GmbH', agreement: 'dpa-2026-014', country: 'DE' });
  await ledger.verifyRecipient({ recipientId: BRIGHTMAIL, actor: dpo });
  // Step by step across all customers, so each customer's events are spread over the whole log, in an order fixed by the test.
  for (const step of steps) for (let n = 0; n < CUSTOMERS; n++) await step(ledger, n, subjectOf(n));
});

afterAll(async () => {
  await store.close();
  files.remove();
});

/** The tables as `rebuild()` leaves them with batches of `batchSize` events. */
async function builtWith(batchSize: number): Promise<Record<string, unknown[]>> {
  const projections = createSqlProjections(store, { batchSize });
  await projections.rebuild();
  await projections.close();
  return snapshot(store.database);
}

describe('batches larger than a slice of their reads', () => {
  it('build the tables that batches of a few events build, subjects whose events cross a slice or a batch included', async () => {
    const db = store.database;
    const [counted] = rows<{ total: number }>(db, 'SELECT COUNT(*) AS total FROM events');
    expect(counted?.total).toBeGreaterThan(SLICE + 100);
    // Customers with events on both sides of the first slice's edge: what this test is about.
    const across = rows<{ stream: string }>(db, 'SELECT stream FROM events GROUP BY stream HAVING MIN(position) <= ? AND MAX(position) > ?', SLICE, SLICE);
    expect(across.length).toBeGreaterThan(CUSTOMERS / 2);

    const reference = await builtWith(7);
    expect(reference['consent_state']).toHaveLength(CUSTOMERS);
    expect(await builtWith(5_000)).toEqual(reference);
    expect(await builtWith(1_500)).toEqual(reference);
    expect(await builtWith(SLICE)).toEqual(reference);
  });
});
