import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { InMemoryEventStore } from '../store';
import { leafDataOfRecord, leafHash, rootOfLeaves } from './hash';
import { buildLogTree, createLogTree } from './log-tree';

async function storeWith(count: number, streams: number) {
  const store = new InMemoryEventStore();
  const heads = new Map<string, string>();
  const records: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const stream = `subject-s${i % streams}`;
    const { bytes, hash } = sealRecord({ id: `e${i}`, n: i }, stream, heads.get(stream) ?? GENESIS_HASH);
    heads.set(stream, hash);
    await store.append(stream, [{ id: `e${i}`, type: 'Test', data: bytes }], 'any');
    records.push(bytes);
  }
  return { store, records };
}

describe('the log tree', () => {
  it('is the tree of the records in readAll order, each leaf the record hash', async () => {
    const { store, records } = await storeWith(37, 5);
    const log = await buildLogTree(store);
    expect(log.size).toBe(37);
    const expected = rootOfLeaves(records.map((bytes) => leafHash(leafDataOfRecord(bytes))));
    expect(Buffer.from(log.tree.root()).equals(Buffer.from(expected))).toBe(true);
    expect(log.indexOf('e12')).toBe(12);
    expect(log.leaf(12)).toMatchObject({ eventId: 'e12', stream: 'subject-s2', revision: 2n });
    expect(log.indexOf('nope')).toBeUndefined();
  });

  it('grows by catching up, to the same roots as a tree built at once', async () => {
    const { store } = await storeWith(10, 3);
    const log = createLogTree(store);
    expect(await log.catchUp({ upTo: 4 })).toBe(4);
    expect(await log.catchUp()).toBe(10);
    const { bytes } = sealRecord({ id: 'late' }, 'subject-late', GENESIS_HASH);
    await store.append('subject-late', [{ id: 'late', type: 'Test', data: bytes }], 'no_stream');
    expect(await log.catchUp()).toBe(11);
    const atOnce = await buildLogTree(store);
    expect(Buffer.from(log.tree.root()).equals(Buffer.from(atOnce.tree.root()))).toBe(true);
    expect(Buffer.from(log.tree.rootAt(4)).equals(Buffer.from(atOnce.tree.rootAt(4)))).toBe(true);
  });
});
