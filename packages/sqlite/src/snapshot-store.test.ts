import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { createLedger, InMemoryKeyStore, subjectStream, type Actor } from '@custodian/core';
import { conformancePolicy, runSnapshotStoreConformance } from '@custodian/testing';
import { tempFiles } from './projections/test-support/files';
import { createSqliteEventStore } from './sqlite-event-store';
import { createSqliteSnapshotStore, type SqliteSnapshotStore } from './snapshot-store';

const files = tempFiles('custodian-sqlite-snapshots-');
afterAll(() => files.remove());

const paths = new WeakMap<SqliteSnapshotStore, string>();
const opened: SqliteSnapshotStore[] = [];
runSnapshotStoreConformance('SQLite', {
  open() {
    const path = files.path();
    const store = createSqliteSnapshotStore({ path });
    paths.set(store, path);
    return store;
  },
  reopen(store) {
    const again = createSqliteSnapshotStore({ path: paths.get(store) ?? '' });
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

describe('SQLite snapshots under the ledger', () => {
  it('are read by a restarted ledger, and one edited in the file by an attacker is refused: the decision stands', async () => {
    const events = createSqliteEventStore({ path: files.path() });
    const snapshotPath = files.path();
    const snapshots = createSqliteSnapshotStore({ path: snapshotPath });
    const secret = randomBytes(32);
    const open = () =>
      createLedger({ store: events, keys: new InMemoryKeyStore(), policy: conformancePolicy, cache: { maxEntries: 0 }, snapshots: { store: snapshots, secret, every: 1 } });
    const use = (ledger: ReturnType<typeof open>) =>
      ledger.use({ subjectId: 'alice', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'campaign' });
    try {
      const first = open();
      await first.collect({ subjectId: 'alice', actor: checkout, source: 'web', purposes: ['marketing.email'], notice, data: { 'contact.email': 'alice@example.com' } });
      await first.grantConsent({ subjectId: 'alice', actor: alice, purpose: 'marketing.email', notice, method: 'checkbox' });
      await first.withdrawConsent({ subjectId: 'alice', actor: alice, purpose: 'marketing.email' });
      await new Promise((resolve) => setImmediate(resolve));

      const restarted = open();
      expect(await use(restarted)).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
      expect(restarted.cacheStats()).toMatchObject({ snapshotLoads: 1, snapshotRejections: 0 });
      await new Promise((resolve) => setImmediate(resolve));

      const attacker = new Database(snapshotPath);
      const row = attacker.prepare<[string], { snapshot: Buffer }>('SELECT snapshot FROM snapshots WHERE stream = ?').get(subjectStream('alice'));
      const text = row?.snapshot.toString('utf8') ?? '';
      expect(text).not.toContain('alice@example.com');
      expect(text).toContain('"status":"withdrawn"');
      attacker.prepare('UPDATE snapshots SET snapshot = ? WHERE stream = ?').run(Buffer.from(text.replace('"status":"withdrawn"', '"status":"granted"')), subjectStream('alice'));
      attacker.close();

      const fooled = open();
      expect(await use(fooled)).toMatchObject({ allowed: false, reason: 'consent_withdrawn' });
      expect(fooled.cacheStats()).toMatchObject({ snapshotLoads: 0, snapshotRejections: 1 });
    } finally {
      await snapshots.close();
      await events.close();
    }
  });

  it('refuses every call once closed', async () => {
    const snapshots = createSqliteSnapshotStore({ path: files.path() });
    await snapshots.close();
    await expect(snapshots.load('subject-a')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(snapshots.save('subject-a', Uint8Array.of(1))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});
