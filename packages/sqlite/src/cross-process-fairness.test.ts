import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { conformancePolicy, buildPackage, startChild, type LineChild } from '@custodian/testing';
import { createLedger, events, InMemoryKeyStore, subjectStream, WrongExpectedRevisionError, type Actor, type CustodianEvent, type EventStore } from '@custodian/core';
import { createSqliteEventStore } from './index';

const ROUNDS = 10;
const USES = 200;
const dir = mkdtempSync(join(tmpdir(), 'custodian-sqlite-fairness-'));
const path = join(dir, 'fairness.db');
let hammerer: LineChild | undefined;

beforeAll(() => buildPackage(join(__dirname, '..')), 120_000);
afterAll(() => {
  hammerer?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const notice = { id: 'privacy-notice', version: 'v3' };

it(`records a withdrawal while another process hammers the subject with ${USES} concurrent uses, ${ROUNDS} times out of ${ROUNDS}, and no use follows it`, async () => {
  const store = createSqliteEventStore({ path });
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
    hammerer = startChild(join(__dirname, 'test-support', 'hammer-child.js'), [path]);
    await hammerer.next('ready');
    for (let round = 0; round < ROUNDS; round++) {
      const subjectId = `hammered-${round}-${randomUUID()}`;
      const subject: Actor = { id: subjectId, kind: 'subject', roles: [] };
      await ledger.collect({
        subjectId,
        actor: { ...checkout, roles: ['fulfilment', 'marketing'] },
        source: 'checkout-form',
        purposes: ['marketing.email'],
        notice,
        data: { 'contact.email': `${randomUUID()}@example.com` },
      });
      const consent = await ledger.grantConsent({ subjectId, actor: subject, purpose: 'marketing.email', notice, method: 'checkbox' });

      hammerer.send(`hammer ${subjectId} ${USES}`);
      await hammerer.next(`started ${subjectId}`);
      const withdrawal = await ledger.withdrawConsent({ subjectId, actor: subject, purpose: 'marketing.email' });
      expect(withdrawal).toMatchObject({ type: 'ConsentWithdrawn', data: { purpose: 'marketing.email' } });
      const counts = JSON.parse((await hammerer.next(`done ${subjectId}`)).split(' ')[2] ?? '{}') as { allowed: number; denied: number; failed: string[] };
      expect({ round, failed: counts.failed }).toEqual({ round, failed: [] });

      const stream: CustodianEvent[] = [];
      for await (const record of store.readStream(subjectStream(subjectId))) stream.push(events.decode(record.data));
      const withdrawnAt = stream.findIndex((e) => e.id === withdrawal.id);
      expect(withdrawnAt).toBeGreaterThan(0);
      const usedAfter = stream.slice(withdrawnAt).filter((e) => e.type === 'DataUsed' && e.data.purpose === 'marketing.email');
      expect({ round, usedAfter }).toEqual({ round, usedAfter: [] });
      expect(stream.slice(0, withdrawnAt).filter((e) => e.type === 'DataUsed' && e.data.basis.consentEventId === consent.id).length).toBeGreaterThanOrEqual(20);
      expect(stream.filter((e) => e.type === 'DataUsed' || e.type === 'UseDenied')).toHaveLength(USES);
    }
    // The withdrawals did race the other process: appends of theirs lost, and each still got through.
    expect(lostRaces).toBeGreaterThan(0);
    expect(await hammerer.finish()).toBe(0);
  } finally {
    await store.close();
  }
}, 180_000);
