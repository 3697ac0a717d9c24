import { describe, expect, it } from '@jest/globals';
import { runEventStoreConformance, runTreeConformance, testEvent, collect, conformancePolicy } from '@custodian/testing';
import { InMemoryKeyStore } from '../crypto';
import { subjectStream } from '../events';
import { createLedger } from '../ledger';
import { InMemoryEventStore } from './in-memory';
import { overwriteRaw, rawRecords } from '../testing';

runEventStoreConformance('InMemoryEventStore', () => new InMemoryEventStore());
runTreeConformance('InMemoryEventStore', () => new InMemoryEventStore());

describe('InMemoryEventStore raw access', () => {
  it('shows every record as the exact bytes stored, and lets a test overwrite them', async () => {
    const store = new InMemoryEventStore();
    const first = testEvent('A', { n: 1 });
    await store.append('s-1', [first], 'no_stream');
    await store.append('s-2', [testEvent('B', { n: 2 })], 'no_stream');
    const raw = rawRecords(store);
    expect(raw.map((r) => [r.stream, r.revision])).toEqual([
      ['s-1', 0n],
      ['s-2', 0n],
    ]);
    expect(Buffer.from(raw[0]!.bytes).equals(Buffer.from(first.data))).toBe(true);

    overwriteRaw(store, 's-1', 0n, Buffer.from('{"n":"tampered, and longer than before"}'));
    const [read] = await collect(store.readStream('s-1'));
    expect(read?.id).toBe(first.id);
    expect(Buffer.from(read!.data).toString()).toBe('{"n":"tampered, and longer than before"}');
    expect(() => overwriteRaw(store, 's-1', 5n, Buffer.from('x'))).toThrow();
  });

  it('keeps a record larger than a chunk whole', async () => {
    const store = new InMemoryEventStore();
    const big = Buffer.alloc(5 * 1024 * 1024, 0x61);
    await store.append('big', [{ id: 'big-1', type: 'Big', data: big }], 'no_stream');
    await store.append('big', [testEvent()], 0n);
    const [read] = await collect(store.readStream('big'));
    expect(Buffer.from(read!.data).equals(big)).toBe(true);
  });

  it('refuses use after close', async () => {
    const store = new InMemoryEventStore();
    await store.close();
    await expect(store.append('s', [testEvent()], 'any')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });

  it("keeps a ledger's chains whole when a reader overwrites every byte it was handed", async () => {
    const store = new InMemoryEventStore();
    const ledger = createLedger({ store, keys: new InMemoryKeyStore(), policy: conformancePolicy });
    const subjectId = 'mutating-reader';
    const notice = { id: 'privacy-notice', version: 'v3' };
    await ledger.collect({
      subjectId,
      actor: { id: 'checkout', kind: 'service', roles: ['fulfilment'] },
      source: 'web',
      purposes: ['order.fulfilment'],
      notice,
      data: { 'contact.email': 'ann@example.com' },
    });
    await ledger.grantConsent({ subjectId, actor: { id: subjectId, kind: 'subject', roles: [] }, purpose: 'marketing.email', notice, method: 'checkbox' });
    const before = rawRecords(store).map((record) => Buffer.from(record.bytes).toString('hex'));

    for (const record of [...(await collect(store.readAll())), ...(await collect(store.readStream(subjectStream(subjectId))))]) record.data.fill(0x7b);

    expect(rawRecords(store).map((record) => Buffer.from(record.bytes).toString('hex'))).toEqual(before);
    expect(await ledger.audit.verify()).toMatchObject({ ok: true, broken: [] });
    const use = await ledger.use({
      subjectId,
      actor: { id: 'campaigns', kind: 'service', roles: ['marketing'] },
      purpose: 'marketing.email',
      categories: ['contact.email'],
      activity: 'spring',
    });
    expect(use).toMatchObject({ allowed: true });
  });
});
