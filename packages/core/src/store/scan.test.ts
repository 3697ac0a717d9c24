import { describe, expect, it } from '@jest/globals';
import * as core from '../index';
import * as storeKit from '../store-kit';
import * as testing from '../testing';
import { readLog, scanRecords } from './scan';

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

  it('hands ids as the UTF-8 bytes it holds when asked, with no string, and as strings otherwise', async () => {
    // Given ids of one, two, three and four bytes a character
    const store = new core.InMemoryEventStore();
    const ids = ['order-1', 'bestellung-ä', '注文-2', 'emoji-😀'];
    for (const [i, id] of ids.entries()) await store.append(`subject-${i}`, [{ id, type: 'Test', data: Buffer.from(`{"n":${i}}`) }], 'no_stream');
    const read = async (idsAsBytes: boolean) => {
      const seen: { id: string; bytes: string | undefined; data: string }[] = [];
      await readLog(store, { idsAsBytes }, (record) =>
        seen.push({
          id: record.id,
          bytes: record.idSource && Buffer.from(record.idSource.subarray(record.idStart, record.idEnd)).toString('utf8'),
          data: Buffer.from(record.data).toString(),
        }),
      );
      return seen;
    };
    const data = ids.map((_, i) => `{"n":${i}}`);
    // Then asked for bytes, each id is its bytes in place and no string
    expect(await read(true)).toEqual(ids.map((id, i) => ({ id: '', bytes: id, data: data[i] })));
    // and otherwise its string alone
    expect(await read(false)).toEqual(ids.map((id, i) => ({ id, bytes: undefined, data: data[i] })));
  });
});
