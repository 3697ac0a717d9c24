import { describe, expect, it } from '@jest/globals';
import * as core from '../index';
import * as storeKit from '../store-kit';
import * as testing from '../testing';
import { scanRecords } from './scan';

describe("the in-memory store's scan", () => {
  it('is reachable from no entry point of the package: only core is handed views of the stored bytes', () => {
    for (const entry of [core, storeKit, testing]) {
      expect(Object.values(entry)).not.toContain(scanRecords);
      expect(Object.keys(entry)).not.toContain('scanRecords');
      expect(Object.keys(entry)).not.toContain('readLog');
    }
  });

  it('leaves what readAll hands out a copy', async () => {
    const store = new core.InMemoryEventStore();
    await store.append('subject-a', [{ id: 'e1', type: 'Test', data: Buffer.from('{"a":1}') }], 'no_stream');
    for await (const record of store.readAll()) record.data.fill(0);
    const seen: string[] = [];
    store[scanRecords](0, 10, (record) => seen.push(Buffer.from(record.data).toString()));
    expect(seen).toEqual(['{"a":1}']);
  });
});
