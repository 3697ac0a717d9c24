import { beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { conformancePolicy, plantEvent } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import { subjectStream, type Actor } from '../events';
import { createLedger } from '../ledger';
import { InMemoryEventStore, type EventStore, type RecordedEvent } from '../store';
import { PARALLELISM, parallelismFor, verifyChain, type VerifyOptions } from './verify';
import { overwriteRaw, rawRecords } from '../testing';

/** The store's whole log, verified as `ledger.audit.verify()` does. */
const verifyLog = (store: EventStore, options: VerifyOptions = {}) => verifyChain(store.readAll(), { ...options, positionsGapFreeFrom: store.positionsGapFreeFrom });

const checkout: Actor = { id: 'checkout', kind: 'service', roles: ['fulfilment'] };
const marketer: Actor = { id: 'campaigns', kind: 'service', roles: ['marketing'] };
const notice = { id: 'privacy-notice', version: 'v3' };

async function seeded(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
  for (const subjectId of ['s-a', 's-b']) {
    await ledger.collect({
      subjectId,
      actor: checkout,
      source: 'web',
      purposes: ['order.fulfilment', 'marketing.email'],
      notice,
      data: { 'contact.email': `${subjectId}@example.com` },
    });
    await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox', evidence: 'ticked' });
    for (let i = 0; i < 3; i++) await ledger.use({ subjectId, actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: `campaign-${i}` });
  }
  return store;
}

/** A view of a store whose `readAll` shows the records after `edit`: deletion, insertion or reordering in storage. */
function viewOf(store: EventStore, edit: (records: RecordedEvent[]) => RecordedEvent[]): EventStore {
  return {
    ...store,
    append: store.append.bind(store),
    readStream: store.readStream.bind(store),
    close: store.close.bind(store),
    async *readAll() {
      const records: RecordedEvent[] = [];
      for await (const record of store.readAll()) records.push(record);
      yield* edit(records);
    },
  };
}

describe('audit.verify on a tampered store', () => {
  let store: InMemoryEventStore;
  const target = { stream: subjectStream('s-a'), revision: 3n };
  let original: Buffer;
  let targetId: string;

  beforeEach(async () => {
    store = await seeded();
    const raw = rawRecords(store).find((r) => r.stream === target.stream && r.revision === target.revision)!;
    original = Buffer.from(raw.bytes);
    targetId = JSON.parse(original.toString()).id;
  });

  it('passes an untouched store', async () => {
    expect(await verifyLog(store)).toEqual({ ok: true, checked: 11, broken: [], positionGaps: [], tailUnverified: true });
  });

  const changes: [string, (record: Record<string, unknown>) => void][] = [
    ['id', (r) => (r.id = '00000000-0000-7000-8000-000000000000')],
    ['type', (r) => (r.type = 'DataAccessed')],
    ['schemaVersion', (r) => (r.schemaVersion = 2)],
    ['subjectId', (r) => (r.subjectId = 's-b')],
    ['occurredAt', (r) => (r.occurredAt = '2020-01-01T00:00:00.000Z')],
    ['recordedAt', (r) => (r.recordedAt = '2020-01-01T00:00:00.000Z')],
    ['actor.id', (r) => ((r.actor as Record<string, unknown>).id = 'someone-else')],
    ['actor.roles', (r) => ((r.actor as Record<string, unknown>).roles = ['marketing', 'admin'])],
    ['data.purpose', (r) => ((r.data as Record<string, unknown>).purpose = 'order.fulfilment')],
    ['data.activity', (r) => ((r.data as Record<string, unknown>).activity = 'nothing-to-see')],
    ['data.basis', (r) => ((r.data as Record<string, unknown>).basis = { legalBasis: 'contract' })],
    ['prevHash', (r) => (r.prevHash = 'f'.repeat(64))],
    ['hash', (r) => (r.hash = 'e'.repeat(64))],
    ['correlationId (added)', (r) => (r.correlationId = 'forged')],
  ];

  it.each(changes)('names exactly the changed record when %s is altered', async (_field, change) => {
    const record = JSON.parse(original.toString()) as Record<string, unknown>;
    change(record);
    overwriteRaw(store, target.stream, target.revision, Buffer.from(JSON.stringify(record)));
    const result = await verifyLog(store);
    expect(result.ok).toBe(false);
    expect(result.broken).toEqual([
      { stream: target.stream, revision: 3n, position: expect.any(BigInt), eventId: targetId, reason: expect.stringMatching(/hash_mismatch|malformed/) },
    ]);
  });

  it('names exactly the changed record when random bytes are altered', async () => {
    for (let trial = 0; trial < 200; trial++) {
      const tampered = Buffer.from(original);
      const at = Math.floor(Math.random() * tampered.length);
      tampered[at] = (tampered[at]! + 1 + Math.floor(Math.random() * 255)) % 256;
      overwriteRaw(store, target.stream, target.revision, tampered);
      const result = await verifyLog(store);
      expect(result.broken).toHaveLength(1);
      expect(result.broken[0]).toMatchObject({ stream: target.stream, revision: 3n, eventId: targetId });
    }
    overwriteRaw(store, target.stream, target.revision, randomBytes(300));
    expect((await verifyLog(store)).broken).toEqual([expect.objectContaining({ revision: 3n, reason: 'malformed' })]);
    overwriteRaw(store, target.stream, target.revision, original);
    expect((await verifyLog(store)).ok).toBe(true);
  });

  it('catches a deleted event, whether or not the revisions were renumbered', async () => {
    const dropped = viewOf(store, (records) => records.filter((r) => !(r.stream === target.stream && r.revision === 3n)));
    expect((await verifyLog(dropped)).broken).toEqual([expect.objectContaining({ stream: target.stream, revision: 4n, reason: 'revision_gap' })]);
    const renumbered = viewOf(store, (records) =>
      records
        .filter((r) => !(r.stream === target.stream && r.revision === 3n))
        .map((r) => (r.stream === target.stream && r.revision > 3n ? { ...r, revision: r.revision - 1n } : r)),
    );
    expect((await verifyLog(renumbered)).broken).toEqual([expect.objectContaining({ stream: target.stream, revision: 3n, reason: 'prev_hash_mismatch' })]);
  });

  it('catches an inserted event, even one forged with the right link', async () => {
    const forger = new InMemoryEventStore();
    let forged: RecordedEvent | undefined;
    for await (const record of store.readStream(target.stream, { maxCount: 3 }))
      await forger.append(target.stream, [{ id: record.id, type: record.type, data: record.data }], 'any');
    await plantEvent(
      forger,
      target.stream,
      { type: 'DataUsed', data: { purpose: 'marketing.email', categories: ['contact.email'], activity: 'forged', basis: { legalBasis: 'contract' } } },
      { actor: marketer, subjectId: 's-a' },
    );
    for await (const record of forger.readStream(target.stream, { fromRevision: 3n })) forged = record;
    const inserted = viewOf(store, (records) => {
      const at = records.findIndex((r) => r.stream === target.stream && r.revision === 3n);
      const shifted = records.map((r) => (r.stream === target.stream && r.revision >= 3n ? { ...r, revision: r.revision + 1n } : r));
      return [...shifted.slice(0, at), { ...forged!, revision: 3n }, ...shifted.slice(at)];
    });
    expect((await verifyLog(inserted)).broken).toEqual([expect.objectContaining({ stream: target.stream, revision: 4n, eventId: targetId, reason: 'prev_hash_mismatch' })]);
  });

  it('catches two events swapped', async () => {
    const swapped = viewOf(store, (records) => {
      const i = records.findIndex((r) => r.stream === target.stream && r.revision === 3n);
      const j = records.findIndex((r) => r.stream === target.stream && r.revision === 4n);
      const out = [...records];
      out[i] = { ...records[j]!, revision: 3n, position: records[i]!.position };
      out[j] = { ...records[i]!, revision: 4n, position: records[j]!.position };
      return out;
    });
    expect((await verifyLog(swapped)).broken).toEqual([expect.objectContaining({ stream: target.stream, revision: 3n, reason: 'prev_hash_mismatch' })]);
  });
});

describe('decisions on a tampered stream', () => {
  it('are refused with TamperedStreamError until the record is restored', async () => {
    const store = await seeded();
    const stream = subjectStream('s-a');
    const raw = rawRecords(store).find((r) => r.stream === stream && r.revision === 1n)!;
    const record = JSON.parse(Buffer.from(raw.bytes).toString()) as { data: { purpose: string } };
    record.data.purpose = 'order.fulfilment';
    overwriteRaw(store, stream, 1n, Buffer.from(JSON.stringify(record)));
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
    const use = () => ledger.use({ subjectId: 's-a', actor: marketer, purpose: 'marketing.email', categories: ['contact.email'], activity: 'after-tamper' });
    await expect(use()).rejects.toMatchObject({ code: 'STREAM_TAMPERED', stream, revision: 1n, reason: 'hash_mismatch' });
    overwriteRaw(store, stream, 1n, raw.bytes);
    expect((await use()).allowed).toBe(true);
  });
});

describe('parallelismFor', () => {
  it('sizes the batches to a chain of known length, between 2^4 and the default 2^12 records', () => {
    expect([0, 1, 16, 17, 50, 4096, 100_000].map((count) => parallelismFor(count).batchBits)).toEqual([4, 4, 4, 5, 6, 12, 12]);
    expect(parallelismFor(50)).toMatchObject({ workers: PARALLELISM.workers, from: PARALLELISM.from });
  });
});
