import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { InMemoryEventStore, type EventStore } from '../store';
import { MalformedTransparencyTextError } from './errors';
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

  it('hashes a long catch-up off the thread, in ranges, to the tree grown one record at a time, proofs and all', async () => {
    const { store } = await storeWith(1_300, 7);
    const oneByOne = createLogTree(store);
    for await (const record of store.readAll()) oneByOne.add(record);
    // Ranges of every shape: from 0, from odd and even sizes, short (on this thread) and long (on the worker).
    const ranged = createLogTree(store);
    for (const upTo of [3, 300, 301, 1_000, 1_300]) expect(await ranged.catchUp({ upTo })).toBe(upTo);
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    for (const size of [1, 3, 255, 256, 300, 301, 511, 512, 1_000, 1_024, 1_299, 1_300]) {
      expect(`${size}:${hex(ranged.tree.rootAt(size))}`).toBe(`${size}:${hex(oneByOne.tree.rootAt(size))}`);
      expect(ranged.tree.consistencyProof(size, 1_300).map(hex)).toEqual(oneByOne.tree.consistencyProof(size, 1_300).map(hex));
      expect(ranged.tree.inclusionProof(size - 1).map(hex)).toEqual(oneByOne.tree.inclusionProof(size - 1).map(hex));
    }
    expect(hex(ranged.tree.root())).toBe(hex(oneByOne.tree.root()));
    expect(ranged.tree.compactRange().roots.map(hex)).toEqual(oneByOne.tree.compactRange().roots.map(hex));
    expect(ranged.indexOf('e777')).toBe(777);
  });

  it('takes in a catch-up of many reads in read order while the next is read, with progress at each', async () => {
    // Three reads of the store's scan (8,192 records each at most), each range hashed while the next is read.
    const { store } = await storeWith(20_000, 11);
    const oneByOne = createLogTree(store);
    for await (const record of store.readAll()) oneByOne.add(record);
    const progress: number[] = [];
    const log = createLogTree(store);
    // From an odd size, so that no range starts where a perfect subtree does.
    expect(await log.catchUp({ upTo: 5 })).toBe(5);
    expect(await log.catchUp({ onProgress: (size) => progress.push(size) })).toBe(20_000);
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    for (const size of [5, 8_196, 8_197, 8_198, 16_384, 16_389, 19_999, 20_000]) expect(`${size}:${hex(log.tree.rootAt(size))}`).toBe(`${size}:${hex(oneByOne.tree.rootAt(size))}`);
    expect(progress).toEqual([8_197, 16_389, 20_000, 20_000]);
    expect(log.leaf(19_999)).toMatchObject({ eventId: 'e19999', position: 19_999n });
  });

  it('names each leaf by its id however long and in whatever script, read as bytes, added as strings, or read through readAll', async () => {
    // Ids of up to 60 characters of one to four UTF-8 bytes each: past the first room for ids (36 KiB), in three ranges.
    const letters = ['a', 'é', '日', '😀'];
    const ids = Array.from({ length: 1_500 }, (_, i) => `${i}-${(letters[i % 4] as string).repeat(1 + (i % 60))}`);
    const store = new InMemoryEventStore();
    for (const [i, id] of ids.entries()) {
      const { bytes } = sealRecord({ id }, `subject-${i % 9}`, GENESIS_HASH);
      await store.append(`subject-${i % 9}`, [{ id, type: 'Test', data: bytes }], 'any');
    }
    const scanned = createLogTree(store);
    for (const upTo of [1, 700, 1_500]) await scanned.catchUp({ upTo });
    const added = createLogTree(store);
    for await (const record of store.readAll()) added.add(record);
    // A store with no scan of its own: the catch-up reads readAll's records, ids as strings.
    const plain: EventStore = { readAll: (options) => store.readAll(options) } as EventStore;
    const read = createLogTree(plain);
    await read.catchUp();
    for (const log of [scanned, added, read]) {
      expect(ids.filter((id, i) => log.leaf(i)?.eventId !== id || log.leaf(i)?.stream !== `subject-${i % 9}`)).toEqual([]);
      expect(log.indexOf(ids[1_234] as string)).toBe(1_234);
      expect(log.indexOf(ids[3] as string)).toBe(3);
      for (const outside of [-1, 1.5, 1_500, Number.NaN]) expect(log.leaf(outside)).toBeUndefined();
    }
  });

  it('stops a catch-up at a record with no hash member, holding every leaf before it', async () => {
    const { store } = await storeWith(600, 3);
    await store.append('subject-bad', [{ id: 'bad', type: 'Test', data: Buffer.from('{"id":"bad"}') }], 'no_stream');
    const { bytes } = sealRecord({ id: 'after' }, 'subject-after', GENESIS_HASH);
    await store.append('subject-after', [{ id: 'after', type: 'Test', data: bytes }], 'no_stream');
    const log = createLogTree(store);
    await expect(log.catchUp()).rejects.toBeInstanceOf(MalformedTransparencyTextError);
    expect(log.size).toBe(600);
    expect(log.leaf(600)).toBeUndefined();
    const before = await buildLogTree(store, { upTo: 600 });
    expect(Buffer.from(log.tree.root()).equals(Buffer.from(before.tree.root()))).toBe(true);
  });
});
