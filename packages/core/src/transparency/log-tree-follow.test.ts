import { describe, expect, it } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { InMemoryEventStore, WrongExpectedRevisionError, insertRaw, scanRecords, tapAppends, type EventToAppend } from '../store';
import { buildLogTree, createLogTree, type LogTree } from './log-tree';

/** A store of sealed records whose scans count the records they visit: what a catch-up reads back. */
function countingStore() {
  const store = new InMemoryEventStore();
  const heads = new Map<string, string>();
  const read = { records: 0 };
  const scan = store[scanRecords].bind(store);
  store[scanRecords] = (from, maxCount, visit, idsAsBytes) =>
    scan(
      from,
      maxCount,
      (record) => {
        read.records++;
        visit(record);
      },
      idsAsBytes,
    );
  let n = 0;
  const sealed = (stream: string): EventToAppend => {
    const id = `e${n++}`;
    const { bytes, hash } = sealRecord({ id }, stream, heads.get(stream) ?? GENESIS_HASH);
    heads.set(stream, hash);
    return { id, type: 'Test', data: bytes };
  };
  const append = async (stream: string, count = 1) => {
    const events = Array.from({ length: count }, () => sealed(stream));
    await store.append(stream, events, 'any');
    return events;
  };
  return { store, read, sealed, append };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The followed tree is the tree of the log as readAll gives it: every root, every leaf named alike. */
async function expectTheLogsTree(log: LogTree, store: InMemoryEventStore): Promise<void> {
  const atOnce = await buildLogTree(store);
  expect(log.size).toBe(atOnce.size);
  for (let size = 1; size <= atOnce.size; size++) expect(`${size}:${hex(log.tree.rootAt(size))}`).toBe(`${size}:${hex(atOnce.tree.rootAt(size))}`);
  for (let index = 0; index < atOnce.size; index++) {
    expect(log.leaf(index)).toEqual(atOnce.leaf(index));
    expect(log.indexOf((atOnce.leaf(index) as { eventId: string }).eventId)).toBe(index);
  }
}

describe('a log tree following the appends of its process', () => {
  it('takes them as written, reading back only what it did not see, to the tree of readAll', async () => {
    const { store, read, sealed, append } = countingStore();
    await append('subject-a', 3);
    const log = createLogTree(store);
    await log.catchUp();
    log.followAppends();
    read.records = 0;
    await append('subject-a', 2);
    await append('subject-b');
    // Neither a retried append (the same ids again) nor a refused one writes, so neither is taken.
    const batch = [sealed('subject-c'), sealed('subject-c'), sealed('subject-c')];
    await store.append('subject-c', batch, 'no_stream');
    await store.append('subject-c', batch, 'no_stream');
    await expect(store.append('subject-c', [sealed('subject-c')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    // Held, not yet in the tree: the next catch-up adds them.
    expect(log.size).toBe(3);
    expect(log.leaf(3)).toBeUndefined();
    expect(await log.catchUp()).toBe(9);
    expect(read.records).toBe(0);
    await expectTheLogsTree(log, store);
  });

  it('reads back a record written behind the store, and the appends after it until a catch-up, then follows again', async () => {
    const { store, read, sealed, append } = countingStore();
    await append('subject-a');
    const log = createLogTree(store);
    await log.catchUp();
    log.followAppends();
    await append('subject-a');
    insertRaw(store, 'subject-z', sealed('subject-z'));
    await append('subject-b', 2);
    read.records = 0;
    expect(await log.catchUp()).toBe(5);
    expect(read.records).toBe(3);
    read.records = 0;
    await append('subject-c', 4);
    expect(await log.catchUp()).toBe(9);
    expect(read.records).toBe(0);
    await expectTheLogsTree(log, store);
  });

  it('reads back what is appended while a catch-up runs, and what is appended once it stopped following', async () => {
    const { store, read, append } = countingStore();
    for (let i = 0; i < 600; i++) await append(`subject-s${i % 7}`);
    const log = createLogTree(store);
    const stop = log.followAppends();
    // Appended once the first range is in the tree, while the catch-up still runs (an append writes before it first awaits).
    let late: Promise<unknown> | undefined;
    await log.catchUp({ onProgress: () => void (late ??= append('subject-late', 2)) });
    await late;
    read.records = 0;
    expect(await log.catchUp()).toBe(602);
    expect(read.records).toBe(2);
    stop();
    read.records = 0;
    await append('subject-after', 3);
    expect(await log.catchUp()).toBe(605);
    expect(read.records).toBe(3);
    await expectTheLogsTree(log, store);
  });

  it('puts followed appends before a record added one by one', async () => {
    const { store, append } = countingStore();
    await append('subject-a');
    const log = createLogTree(store);
    await log.catchUp();
    const stop = log.followAppends();
    await append('subject-a', 2);
    stop();
    const [late] = await append('subject-b');
    for await (const record of store.readAll({ fromPosition: 3n })) log.add(record);
    expect(log.size).toBe(4);
    expect(log.leaf(3)?.eventId).toBe(late?.id);
    await expectTheLogsTree(log, store);
  });

  it('leaves a record with no readable hash member to the catch-up, which names it', async () => {
    const { store, read, append } = countingStore();
    await append('subject-a');
    const log = createLogTree(store);
    await log.catchUp();
    log.followAppends();
    await append('subject-a');
    await store.append('subject-a', [{ id: 'junk', type: 'Test', data: Buffer.from('{"not":"a record"}') }], 'any');
    await append('subject-a');
    read.records = 0;
    await expect(log.catchUp()).rejects.toThrow();
    expect(read.records).toBe(2);
    expect(log.size).toBe(2);
  });
});

describe('the in-memory store telling its appends', () => {
  it('tells each append written with its first position and revision, and drops a listener that throws without failing the append', async () => {
    const { store, append } = countingStore();
    await append('subject-a', 2);
    const heard: Array<[string, number, number, string[]]> = [];
    const stop = store[tapAppends](({ stream, position, revision, events }) => heard.push([stream, position, revision, events.map((event) => event.id)]));
    store[tapAppends](() => {
      throw new Error('a listener failing');
    });
    await append('subject-a', 2);
    await append('subject-b');
    stop();
    await append('subject-b');
    expect(heard).toEqual([
      ['subject-a', 2, 2, ['e2', 'e3']],
      ['subject-b', 4, 0, ['e4']],
    ]);
    expect((await buildLogTree(store)).size).toBe(6);
  });
});
