import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { conformancePolicy, buildPackage, startChild, type LineChild } from '@custodian/testing';
import { createLedger, events, InMemoryKeyStore, subjectStream, WrongExpectedRevisionError, type Actor, type CustodianEvent, type EventStore } from '@custodian/core';
import { createPostgresEventStore } from './index';
import { startTestDatabase, type TestDatabase } from './test-support/postgres';

const INSTANCES = 2;
const ROUNDS = 5;
const USES = 100;
let database: TestDatabase;
const hammerers: LineChild[] = [];

beforeAll(async () => {
  buildPackage(join(__dirname, '..'));
  database = await startTestDatabase();
}, 180_000);
afterAll(async () => {
  for (const child of hammerers) child.kill();
  await database.stop();
});

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment', 'marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };

it(`records each withdrawal while ${INSTANCES} other processes, each with its own ledger, hammer the subject with ${USES} uses each, ${ROUNDS} times out of ${ROUNDS}, and no use follows it`, async () => {
  const store = await createPostgresEventStore({ connectionString: database.url });
  // Counts the appends of this process that another process's append beat.
  let lostRaces = 0;
  const counted: EventStore = {
    append: (stream, toAppend, expected) =>
      store.append(stream, toAppend, expected).catch((error: unknown) => {
        if (error instanceof WrongExpectedRevisionError) lostRaces++;
        throw error;
      }),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    close: () => store.close(),
  };
  const ledger = createLedger({ store: counted, keys: new InMemoryKeyStore(), policy: conformancePolicy });
  try {
    for (let i = 0; i < INSTANCES; i++) hammerers.push(startChild(join(__dirname, 'test-support', 'hammer-child.js'), [database.url]));
    await Promise.all(hammerers.map((child) => child.next('ready')));
    for (let round = 0; round < ROUNDS; round++) {
      const subjectId = `hammered-${round}-${randomUUID()}`;
      const subject: Actor = { id: subjectId, kind: 'subject', roles: [] };
      await ledger.collect({
        subjectId,
        actor: checkout,
        source: 'checkout-form',
        purposes: ['marketing.email'],
        notice,
        data: { 'contact.email': `${randomUUID()}@example.com` },
      });
      const consent = await ledger.grantConsent({ subjectId, actor: subject, purpose: 'marketing.email', notice, method: 'checkbox' });

      for (const child of hammerers) child.send(`hammer ${subjectId} ${USES}`);
      await Promise.all(hammerers.map((child) => child.next(`started ${subjectId}`)));
      const withdrawal = await ledger.withdrawConsent({ subjectId, actor: subject, purpose: 'marketing.email' });
      expect(withdrawal).toMatchObject({ type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } });
      for (const child of hammerers) {
        const counts = JSON.parse((await child.next(`done ${subjectId}`)).split(' ')[2] ?? '{}') as { failed: string[] };
        expect({ round, failed: counts.failed }).toEqual({ round, failed: [] });
      }

      const stream: CustodianEvent[] = [];
      for await (const record of store.readStream(subjectStream(subjectId))) stream.push(events.decode(record.data));
      const withdrawnAt = stream.findIndex((e) => e.id === withdrawal.id);
      expect(withdrawnAt).toBeGreaterThan(0);
      const usedAfter = stream.slice(withdrawnAt).filter((e) => e.type === 'DataUsed' && e.data.purpose === 'marketing.email');
      expect({ round, usedAfter }).toEqual({ round, usedAfter: [] });
      expect(stream.slice(0, withdrawnAt).filter((e) => e.type === 'DataUsed' && e.data.basis.consentEventId === consent.id).length).toBeGreaterThanOrEqual(2 * 20);
      expect(stream.filter((e) => e.type === 'DataUsed' || e.type === 'UseDenied')).toHaveLength(INSTANCES * USES);
    }
    // The withdrawals did race the other processes: appends of theirs won, and each withdrawal still got through.
    expect(lostRaces).toBeGreaterThan(0);
    for (const child of hammerers) expect(await child.finish()).toBe(0);
  } finally {
    await store.close();
  }
}, 240_000);
