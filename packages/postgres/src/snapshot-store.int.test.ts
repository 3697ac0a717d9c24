import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createLedger, InMemoryKeyStore, subjectStream, type Actor } from '@custodian/core';
import { conformancePolicy, runSnapshotStoreConformance } from '@custodian/testing';
import { createPostgresEventStore, createPostgresSnapshotStore, type PostgresSnapshotStore } from './index';
import { startTestDatabase, type TestDatabase } from './test-support/postgres';

let database: TestDatabase;
beforeAll(async () => {
  database = await startTestDatabase();
}, 60_000);
afterAll(() => database.stop());

const opened: PostgresSnapshotStore[] = [];
runSnapshotStoreConformance('PostgreSQL', {
  open: () => createPostgresSnapshotStore({ connectionString: database.url, schema: 'conformance' }),
  async reopen() {
    const again = await createPostgresSnapshotStore({ connectionString: database.url, schema: 'conformance' });
    opened.push(again);
    return again;
  },
  async close(store) {
    for (const again of opened.splice(0)) await again.close();
    await store.close();
  },
});

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment', 'marketing'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const alice: Actor = { id: 'alice', kind: 'subject', roles: [] };
const notice = { id: 'privacy-notice', version: 'v3' };

describe('PostgreSQL snapshots under the ledger', () => {
  it('are read by a restarted ledger, kept out of the write-ahead log, and one edited by an attacker is refused: the decision stands', async () => {
    const events = await createPostgresEventStore({ connectionString: database.url, schema: 'under_ledger' });
    const snapshots = await createPostgresSnapshotStore({ connectionString: database.url, schema: 'under_ledger' });
    const attacker = new Client({ connectionString: database.url });
    await attacker.connect();
    const secret = randomBytes(32);
    const open = () =>
      createLedger({ store: events, keys: new InMemoryKeyStore(), policy: conformancePolicy, cache: { maxEntries: 0 }, snapshots: { store: snapshots, secret, every: 1 } });
    const use = (ledger: ReturnType<typeof open>) =>
      ledger.use({ subjectId: 'alice', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign' });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
    try {
      const { rows: kind } = await attacker.query("SELECT relpersistence FROM pg_class WHERE oid = 'under_ledger.snapshots'::regclass");
      expect(kind).toEqual([{ relpersistence: 'u' }]);
      const first = open();
      await first.collect({ subjectId: 'alice', actor: checkout, source: 'web', purposes: ['marketing.email'], notice, data: { 'contact.email': 'alice@example.com' } });
      await first.grantConsent({ subjectId: 'alice', actor: alice, purpose: 'marketing.email', notice, method: 'checkbox' });
      await first.withdrawConsent({ subjectId: 'alice', actor: alice, purpose: 'marketing.email' });
      await settle();

      const restarted = open();
      expect(await use(restarted)).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
      expect(restarted.cacheStats()).toMatchObject({ snapshotLoads: 1, snapshotRejections: 0 });
      await settle();

      const { rows } = await attacker.query<{ snapshot: Buffer }>('SELECT snapshot FROM under_ledger.snapshots WHERE stream = $1', [subjectStream('alice')]);
      const text = rows[0]?.snapshot.toString('utf8') ?? '';
      expect(text).not.toContain('alice@example.com');
      expect(text).toContain('"status":"withdrawn"');
      await attacker.query('UPDATE under_ledger.snapshots SET snapshot = $1 WHERE stream = $2', [
        Buffer.from(text.replace('"status":"withdrawn"', '"status":"granted"')),
        subjectStream('alice'),
      ]);

      const fooled = open();
      expect(await use(fooled)).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
      expect(fooled.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
    } finally {
      await attacker.end();
      await snapshots.close();
      await events.close();
    }
  });

  it('refuses every call once closed, and bad options by their field', async () => {
    const snapshots = await createPostgresSnapshotStore({ connectionString: database.url });
    await snapshots.close();
    await expect(snapshots.load('subject-a')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(snapshots.save('subject-a', Uint8Array.of(1))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(createPostgresSnapshotStore({ connectionString: 'mysql://x/y' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'connectionString' }] });
  });
});
