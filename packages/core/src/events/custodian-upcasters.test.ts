import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH } from '../crypto';
import { catalog } from './catalog';
import { events } from './codec';

/** A record as a ledger before schema version 2 stored it: the event at version 1, its data as that version had it. */
const storedV1 = (type: string, data: unknown) =>
  Buffer.from(
    JSON.stringify({
      id: '00000000-0000-7000-8000-000000000001',
      type,
      schemaVersion: 1,
      subjectId: 's-1',
      occurredAt: '2025-01-01T00:00:00.000Z',
      recordedAt: '2025-01-01T00:00:00.000Z',
      actor: { id: 'crm', kind: 'service', roles: [] },
      data,
      stream: 'subject-s-1',
      prevHash: GENESIS_HASH,
      hash: GENESIS_HASH,
    }),
  );

const notice = { id: 'privacy-notice', version: 'v2' };
const collectedV1 = {
  categories: ['contact.email', 'contact.address'],
  source: 'checkout',
  purposes: ['fraud.prevention', 'order.fulfilment'],
  legalBases: { 'fraud.prevention': 'legitimate_interests', 'order.fulfilment': 'contract' },
  notice,
  retainUntil: '2031-01-01T00:00:00.000Z',
  values: { 'contact.email': 'gcm1.aaaa.bbbb', 'contact.address': 'gcm1.cccc.dddd' },
};

describe("Custodian's own upcasters", () => {
  it('raise DataCollected, DataRectified and DataErased to schema version 2', () => {
    expect([catalog.DataCollected.schemaVersion, catalog.DataRectified.schemaVersion, catalog.DataErased.schemaVersion]).toEqual([2, 2, 2]);
  });

  it('read a collection of version 1 as keeping every purpose named until its one retainUntil, every value under the subject’s one key', () => {
    const record = storedV1('DataCollected', collectedV1);
    const before = Buffer.from(record);
    const read = events.decode(record);
    expect(read.schemaVersion).toBe(2);
    expect(read.data).toEqual({
      ...collectedV1,
      retention: {
        'contact.email': { 'fraud.prevention': '2031-01-01T00:00:00.000Z', 'order.fulfilment': '2031-01-01T00:00:00.000Z' },
        'contact.address': { 'fraud.prevention': '2031-01-01T00:00:00.000Z', 'order.fulfilment': '2031-01-01T00:00:00.000Z' },
      },
      sealedWith: 'subject-key',
    });
    expect(catalog.DataCollected.schema.safeParse(read.data).success).toBe(true);
    expect(record.equals(before)).toBe(true);
  });

  it('read a rectification of version 1 as sealed under the subject’s one key', () => {
    const data = { categories: ['contact.email'], values: { 'contact.email': 'gcm1.eeee.ffff' } };
    const read = events.decode(storedV1('DataRectified', data));
    expect(read.data).toEqual({ ...data, sealedWith: 'subject-key' });
    expect(catalog.DataRectified.schema.safeParse(read.data).success).toBe(true);
  });

  it('read an erasure of version 1 as the whole subject erased at their request, no categories listed', () => {
    const data = { scope: 'all', method: 'crypto-shred', recipientsNotified: ['agency'] };
    const read = events.decode(storedV1('DataErased', data));
    expect(read.data).toEqual({ ...data, reason: 'erasure_request' });
    expect(catalog.DataErased.schema.safeParse(read.data).success).toBe(true);
  });

  it('leave data that is no object as it is, for verification to report rather than the upcaster to throw on', () => {
    expect(events.decode(storedV1('DataCollected', null)).data).toBeNull();
    expect(events.decode(storedV1('DataRectified', 'text')).data).toBe('text');
    expect(events.decode(storedV1('DataErased', [1])).data).toEqual([1]);
  });

  it('keep writing to version 2: a partial erasure must name its categories', () => {
    const partial = { scope: 'categories', method: 'crypto-shred', reason: 'retention_expired', recipientsNotified: [] };
    expect(catalog.DataErased.schema.safeParse(partial).success).toBe(false);
    expect(catalog.DataErased.schema.safeParse({ ...partial, categories: ['contact.email'] }).success).toBe(true);
  });
});
