import { describe, expect, it } from '@jest/globals';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemoryKeyStore } from '../crypto';
import type { Actor, CustodianEvent } from '../events';
import { events } from '../events';
import { createLedger } from '../ledger';
import { definePolicy } from '../policy';
import { InMemoryEventStore, rawRecords, type EventStore } from '../store';
import { BackfillLineError, backfillEventId, type BackfillRecordInput } from './index';

const policy = definePolicy({
  purposes: {
    'marketing.email': { legalBasis: 'consent', categories: ['contact.email'], roles: ['marketing'], retention: 'P2Y' },
    'order.fulfilment': { legalBasis: 'contract', categories: ['contact.email', 'contact.address'], roles: ['fulfilment'], retention: 'P6Y' },
  },
});
const importer: Actor = { id: 'crm-import', kind: 'service', roles: ['marketing', 'fulfilment', 'privacy'] };
const agent: Actor = { id: 'agent-7', kind: 'employee', roles: ['marketing', 'fulfilment', 'privacy'] };
const notice = { id: 'privacy-notice', version: '3' };
const NOW = new Date('2026-03-01T10:00:00.000Z');
const EMAIL = 'ann.backfill@example.com';

function setUp(store: EventStore = new InMemoryEventStore()) {
  const keys = new InMemoryKeyStore();
  return { store, keys, ledger: createLedger({ store, keys, policy, clock: () => NOW }) };
}

/** A customer collected in 2019 for fulfilment, who consented to marketing in 2019. */
function customer(subjectId: string, overrides: Partial<BackfillRecordInput> = {}): BackfillRecordInput {
  return {
    subjectId,
    collections: [{ collectedAt: '2019-01-10T08:00:00Z', source: 'crm-2019', purposes: ['order.fulfilment', 'marketing.email'], notice, data: { 'contact.email': EMAIL } }],
    consents: [{ purpose: 'marketing.email', grantedAt: '2019-02-01T12:00:00Z', notice, method: 'web-form', evidence: 'ticked the newsletter box on signup form v3' }],
    ...overrides,
  };
}

async function stored(store: EventStore): Promise<CustodianEvent[]> {
  const all: CustodianEvent[] = [];
  for await (const record of store.readAll()) all.push(events.decode(record.data));
  return all;
}

async function rejection(attempt: Promise<unknown>): Promise<BackfillLineError> {
  const outcome = await attempt.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(BackfillLineError);
  return outcome as BackfillLineError;
}

describe('backfill', () => {
  it('records each collection and consent at its original time, marked with the import and line, with ids the import fixes', async () => {
    const { store, ledger } = setUp();
    const result = await ledger.backfill([customer('c-1'), customer('c-2')], { importId: 'crm-2026', actor: importer });
    expect(result).toMatchObject({ importId: 'crm-2026', read: 2, imported: 2, alreadyImported: 0, rejected: 0, events: 4 });
    const subjectEvents = (await stored(store)).filter((event) => event.subjectId === 'c-2');
    expect(subjectEvents.map((e) => [e.type, e.occurredAt, e.recordedAt, e.backfill, e.id])).toEqual([
      ['DataCollected', '2019-01-10T08:00:00.000Z', NOW.toISOString(), { importId: 'crm-2026', line: 2 }, backfillEventId('crm-2026', 2, 0)],
      ['ConsentGranted', '2019-02-01T12:00:00.000Z', NOW.toISOString(), { importId: 'crm-2026', line: 2 }, backfillEventId('crm-2026', 2, 1)],
    ]);
    expect((subjectEvents[0]?.data as { retainUntil: string }).retainUntil).toBe('2025-01-10T08:00:00.000Z');
    expect((await ledger.audit.verify()).ok).toBe(true);
  });

  it('answers at a past time from the original times: a consent of 2019, never withdrawn, stands in 2020; one withdrawn in 2021 is withdrawn in 2022', async () => {
    const { ledger } = setUp();
    const withdrawn = customer('c-2', {
      consents: [{ purpose: 'marketing.email', grantedAt: '2019-02-01T12:00:00Z', notice, method: 'email', withdrawnAt: '2021-06-01T00:00:00Z' }],
    });
    await ledger.backfill([customer('c-1'), withdrawn], { importId: 'crm-2026', actor: importer });
    const in2020 = ledger.audit.at(new Date('2020-01-01T00:00:00Z'));
    expect((await in2020.consentState('c-1'))['marketing.email']).toMatchObject({ status: 'granted', since: '2019-02-01T12:00:00.000Z' });
    expect((await in2020.inventory('c-1')).categories.map((c) => c.category)).toEqual(['contact.email']);
    expect((await ledger.audit.at(new Date('2018-12-31T00:00:00Z')).consentState('c-1'))['marketing.email']).toBeUndefined();
    expect((await in2020.consentState('c-2'))['marketing.email']?.status).toBe('granted');
    expect((await ledger.audit.at(new Date('2022-01-01T00:00:00Z')).consentState('c-2'))['marketing.email']).toMatchObject({
      status: 'withdrawn',
      since: '2021-06-01T00:00:00.000Z',
    });
  });

  it('keeps the live events a prefix at a past time: a live consent recorded after the moment stays out though a backfill follows it', async () => {
    const { ledger } = setUp();
    await ledger.grantConsent({ subjectId: 'c-live', actor: agent, purpose: 'marketing.email', notice, method: 'api' });
    await ledger.backfill([customer('c-1')], { importId: 'crm-2026', actor: importer });
    const before = ledger.audit.at(new Date(NOW.getTime() - 1));
    expect(await before.consentState('c-live')).toEqual({});
    expect((await before.consentState('c-1'))['marketing.email']?.status).toBe('granted');
    expect((await ledger.consentState('c-live'))['marketing.email']?.status).toBe('granted');
  });

  it('judges uses by the original times: retention runs from the original collection, and a backfilled consent allows a use', async () => {
    const { ledger } = setUp();
    const recent = customer('c-new', {
      collections: [{ collectedAt: '2025-12-01T00:00:00Z', source: 'web', purposes: ['marketing.email'], notice, data: { 'contact.email': EMAIL } }],
      consents: [],
    });
    await ledger.backfill([customer('c-old'), recent], { importId: 'crm-2026', actor: importer });
    const old = await ledger.use({ subjectId: 'c-old', actor: agent, purpose: 'marketing.email', categories: ['contact.email'], activity: 'newsletter' });
    expect(old).toMatchObject({ allowed: false, reason: 'retention_expired' });
    const fresh = await ledger.use({ subjectId: 'c-new', actor: agent, purpose: 'marketing.email', categories: ['contact.email'], activity: 'newsletter' });
    expect(fresh.allowed).toBe(false);
    await ledger.backfill([{ subjectId: 'c-new', consents: [{ purpose: 'marketing.email', grantedAt: '2025-12-01T00:00:00Z', notice, method: 'checkbox' }] }], {
      importId: 'crm-2026-consents',
      actor: importer,
    });
    const allowed = await ledger.use({ subjectId: 'c-new', actor: agent, purpose: 'marketing.email', categories: ['contact.email'], activity: 'newsletter' });
    expect(allowed).toMatchObject({ allowed: true, basis: { legalBasis: 'consent', consentEventId: backfillEventId('crm-2026-consents', 1, 0) } });
    expect(await ledger.audit.violations()).toEqual([]);
  });

  it('seals values and evidence as collect does: no plaintext in the store, and erase makes the backfilled value unreadable', async () => {
    const { store, ledger } = setUp();
    const recent = customer('c-1', {
      collections: [{ collectedAt: '2024-05-01T00:00:00Z', source: 'crm', purposes: ['order.fulfilment'], notice, data: { 'contact.email': EMAIL } }],
    });
    await ledger.backfill([recent], { importId: 'crm-2026', actor: importer });
    const bytes = rawRecords(store as InMemoryEventStore).map((record) => Buffer.from(record.bytes).toString('utf8'));
    expect(bytes.some((text) => text.includes(EMAIL) || text.includes('newsletter box'))).toBe(false);
    const read = await ledger.access({ subjectId: 'c-1', actor: agent, purpose: 'order.fulfilment', categories: ['contact.email'] });
    expect(read.data).toEqual({ 'contact.email': EMAIL });
    expect((await ledger.exportSubject('c-1')).data.map((entry) => entry.value)).toEqual([EMAIL]);
    await ledger.erase({ subjectId: 'c-1', actor: agent });
    const after = await ledger.access({ subjectId: 'c-1', actor: agent, purpose: 'order.fulfilment', categories: ['contact.email'] });
    expect(after.data).toBeUndefined();
    expect((await ledger.exportSubject('c-1')).data.map((entry) => entry.value)).toEqual([null]);
  });

  it('refuses a purpose the policy does not declare, naming the line and the field; nothing of that customer lands, and no later line is read', async () => {
    const { store, ledger } = setUp();
    const unknown = customer('c-2', { consents: [{ purpose: 'marketing.sms', grantedAt: '2019-02-01T12:00:00Z', notice, method: 'web-form' }] });
    let read = 0;
    function* lines() {
      for (const record of [customer('c-1'), unknown, customer('c-3')]) {
        read++;
        yield record;
      }
    }
    const error = await rejection(ledger.backfill(lines(), { importId: 'crm-2026', actor: importer }));
    expect(error).toMatchObject({ code: 'BACKFILL_LINE_REJECTED', line: 2, reason: 'invalid', field: 'consents.0.purpose' });
    expect(error.message).toMatch(/^line 2 of import crm-2026 was not imported: consents\.0\.purpose: is not a purpose of the policy/);
    expect(read).toBe(2);
    const subjects = new Set((await stored(store)).map((event) => event.subjectId));
    expect([...subjects]).toEqual([undefined, 'c-1']);
  });

  it('names the line and field of a malformed line, never its values; with skip it lists each and imports the rest', async () => {
    const { store, ledger } = setUp();
    const lines = [
      JSON.stringify(customer('c-1')),
      `{"subjectId": "c-2", "collections": [{"data": {"contact.email": "${EMAIL}"`,
      '',
      JSON.stringify(customer('c-4', { consents: [{ purpose: 'marketing.email', grantedAt: 'yesterday', notice, method: 'web-form' }] })),
      JSON.stringify(
        customer('c-5', {
          collections: [{ collectedAt: '2030-01-01T00:00:00Z', source: 'crm', purposes: ['order.fulfilment'], notice, data: { 'contact.address': '1 High St' } }],
        }),
      ),
      JSON.stringify(customer('c-6')),
    ];
    const stopped = await rejection(ledger.backfill(lines, { importId: 'crm-2026', actor: importer }));
    expect(stopped).toMatchObject({ line: 2, field: '' });
    expect(stopped.message).not.toContain(EMAIL);

    const { ledger: other, store: otherStore } = setUp();
    const result = await other.backfill(lines, { importId: 'crm-2026', actor: importer, onInvalid: 'skip' });
    expect(result).toMatchObject({ read: 6, imported: 2, rejected: 3 });
    expect(result.rejectedLines.map((e) => [e.line, e.field])).toEqual([
      [2, ''],
      [4, 'consents.0.grantedAt'],
      [5, 'collections.0.collectedAt'],
    ]);
    expect(result.rejectedLines.map((e) => e.message).join()).not.toMatch(/ann\.backfill|High St/);
    expect(new Set((await stored(otherStore)).map((event) => event.subjectId))).toEqual(new Set([undefined, 'c-1', 'c-6']));
    expect((await stored(store)).filter((event) => event.subjectId !== undefined)).toHaveLength(2);
  });

  it('refuses a line the actor may not write, and a second consent to a purpose while the first still holds', async () => {
    const { ledger } = setUp();
    const clerk: Actor = { id: 'crm-import', kind: 'service', roles: ['fulfilment'] };
    expect(await rejection(ledger.backfill([customer('c-1')], { importId: 'crm-2026', actor: clerk }))).toMatchObject({ line: 1, reason: 'not_permitted' });
    const overlapping = customer('c-1', {
      consents: [
        { purpose: 'marketing.email', grantedAt: '2019-02-01T12:00:00Z', notice, method: 'web-form', withdrawnAt: '2021-01-01T00:00:00Z' },
        { purpose: 'marketing.email', grantedAt: '2020-02-01T12:00:00Z', notice, method: 'web-form' },
      ],
    });
    expect(await rejection(ledger.backfill([overlapping], { importId: 'crm-2026', actor: importer }))).toMatchObject({ field: 'consents.1.grantedAt' });
  });

  it('appends nothing twice when rerun: a run cut after some lines and run again imports the rest; a third run finds all of it', async () => {
    const { store, ledger } = setUp();
    const all = Array.from({ length: 30 }, (_, i) => customer(`c-${i}`));
    const first = await ledger.backfill(all.slice(0, 12), { importId: 'crm-2026', actor: importer });
    expect(first.imported).toBe(12);
    const second = await ledger.backfill(all, { importId: 'crm-2026', actor: importer, concurrency: 7 });
    expect(second).toMatchObject({ imported: 18, alreadyImported: 12, events: 36 });
    const third = await ledger.backfill(all, { importId: 'crm-2026', actor: importer });
    expect(third).toMatchObject({ imported: 0, alreadyImported: 30, events: 0 });
    const kept = await stored(store);
    expect(kept).toHaveLength(1 + 30 * 2);
    expect(new Set(kept.map((event) => event.id)).size).toBe(kept.length);
    expect((await ledger.audit.verify()).ok).toBe(true);
  });

  it('finds an erased customer imported by an earlier run, and refuses to backfill an erased customer anew', async () => {
    const { ledger } = setUp();
    await ledger.backfill([customer('c-1')], { importId: 'crm-2026', actor: importer });
    await ledger.erase({ subjectId: 'c-1', actor: agent });
    expect(await ledger.backfill([customer('c-1')], { importId: 'crm-2026', actor: importer })).toMatchObject({ alreadyImported: 1, imported: 0 });
    expect(await rejection(ledger.backfill([customer('c-1')], { importId: 'crm-2027', actor: importer }))).toMatchObject({ reason: 'refused', field: 'subjectId' });
  });

  it('adds to a customer the ledger already knows, after their own events', async () => {
    const { store, ledger } = setUp();
    await ledger.collect({ subjectId: 'c-1', actor: agent, source: 'web', purposes: ['order.fulfilment'], notice, data: { 'contact.address': '1 High St' } });
    expect(await ledger.backfill([customer('c-1')], { importId: 'crm-2026', actor: importer })).toMatchObject({ imported: 1 });
    expect((await stored(store)).filter((e) => e.subjectId === 'c-1').map((e) => [e.type, e.backfill?.line])).toEqual([
      ['DataCollected', undefined],
      ['DataCollected', 1],
      ['ConsentGranted', 1],
    ]);
    expect((await ledger.audit.verify()).ok).toBe(true);
  });

  it('keeps up to `concurrency` customers in flight at once, and no more', async () => {
    const inner = new InMemoryEventStore();
    let inFlight = 0;
    let most = 0;
    const store: EventStore = {
      readStream: (stream, options) => inner.readStream(stream, options),
      readAll: (options) => inner.readAll(options),
      close: () => inner.close(),
      async append(stream, toAppend, expected) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        try {
          return await inner.append(stream, toAppend, expected);
        } finally {
          inFlight--;
        }
      },
    };
    const { ledger } = setUp(store);
    await ledger.backfill(
      Array.from({ length: 40 }, (_, i) => customer(`c-${i}`)),
      { importId: 'crm-2026', actor: importer, concurrency: 8 },
    );
    expect(most).toBe(8);
  });

  it('loses no line of a readline over a stream that flows while the store is slow to answer its first read', async () => {
    // A database round trip before the first line is asked for: the readline reads the whole
    // input meanwhile, and would drop its lines and end unheard if nobody listened yet.
    const memory = new InMemoryEventStore();
    const slow: EventStore = {
      append: (stream, toAppend, expected) => memory.append(stream, toAppend, expected),
      readStream: async function* (stream, options) {
        await sleep(50);
        yield* memory.readStream(stream, options);
      },
      readAll: (options) => memory.readAll(options),
      close: () => memory.close(),
    };
    const { ledger } = setUp(slow);
    const input = Readable.from([`${['c-1', 'c-2', 'c-3'].map((id) => JSON.stringify(customer(id))).join('\n')}\n`]);
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    const imported = ledger.backfill(lines, { importId: 'crm-2019', actor: importer });
    const result = await Promise.race([imported, sleep(5_000).then(() => 'still waiting for a line')]);
    expect(result).toMatchObject({ read: 3, imported: 3 });
  });

  it('refuses options that are not an import, before reading anything', async () => {
    const { ledger } = setUp();
    await expect(ledger.backfill([customer('c-1')], { importId: 'ann@example.com', actor: importer })).rejects.toMatchObject({ code: 'BACKFILL_OPTIONS_INVALID' });
    await expect(ledger.backfill([customer('c-1')], { importId: 'crm', actor: importer, concurrency: 0 })).rejects.toMatchObject({ code: 'BACKFILL_OPTIONS_INVALID' });
  });
});
