import { describe, expect, it, jest } from '@jest/globals';
import { InMemoryEventStore, insertRaw, type EventStore, type ReadAllOptions, type RecordedEvent } from '../store';
import { sharedHashPool } from './hash-pool';
import { IdDigestSet } from './id-digests';
import { verifyChain, verifyLog, verifyStore, type Parallelism } from './verify';

/**
 * How a walk reads: when it takes in the batches it handed to hashing, how often it reads the
 * store, and that it hands the shared workers back however it ends. None of this changes a
 * verdict; it is what keeps a verify of millions of events in bounded memory, one pass and no
 * workers left behind.
 */

/** Records that are not records: the walk packs, hashes and counts them all the same (each is malformed). */
const junk = (i: number): RecordedEvent => ({ stream: 'subject-a', revision: BigInt(i), position: BigInt(i), id: `event-${i}`, type: 'Test', data: Buffer.from('{}') });

async function* records(count: number, read: { count: number }, failAfter = Number.POSITIVE_INFINITY): AsyncIterable<RecordedEvent> {
  for (let i = 0; i < count; i++) {
    if (i === failAfter) throw new Error('the store went away');
    read.count = i + 1;
    yield junk(i);
  }
}

const inThread: Parallelism = { workers: 0, from: 0, batchBits: 4 };
const onWorkers: Parallelism = { workers: 2, from: 0, batchBits: 4 };

/** The store's log through `readAll` alone, each read's options noted, failing after `failAfter` records of a read. */
function observed(store: InMemoryEventStore, failAfter = Number.POSITIVE_INFINITY) {
  const reads: (ReadAllOptions | undefined)[] = [];
  const port: EventStore = {
    append: (...a) => store.append(...a),
    readStream: (...a) => store.readStream(...a),
    async *readAll(options) {
      reads.push(options);
      let n = 0;
      for await (const record of store.readAll(options)) {
        if (n++ === failAfter) throw new Error('the store went away');
        yield record;
      }
    },
    close: () => store.close(),
    positionsGapFreeFrom: 0n,
  };
  return { reads, port };
}

function storeOf(count: number): InMemoryEventStore {
  const store = new InMemoryEventStore();
  for (let i = 0; i < count; i++) insertRaw(store, 'subject-a', { id: `event-${i}`, type: 'Test', data: Buffer.from('{}') });
  return store;
}

describe('a walk takes in its hashed batches as it reads', () => {
  it('every 8,192 records of the records given, not only at their end', async () => {
    // Given 30,000 records, read one at a time, and progress every 10,000 checked
    const read = { count: 0 };
    const progress: [checked: number, read: number][] = [];
    // When they are verified
    const result = await verifyChain(records(30_000, read), { onProgress: (checked) => progress.push([checked, read.count]) }, inThread);
    // Then the first 10,000 are taken in at the second stop, after 16,384 read; the rest at the end
    expect(progress).toEqual([
      [10_000, 16_384],
      [20_000, 24_576],
      [30_000, 30_000],
      [30_000, 30_000],
    ]);
    expect(result.checked).toBe(30_000);
  });

  it("after each of the store's batches of 8,192, not only at the end of its log", async () => {
    const store = storeOf(30_000);
    let read = 0;
    const progress: [checked: number, read: number][] = [];
    const result = await verifyLog(store, { onRecord: () => read++, onProgress: (checked) => progress.push([checked, read]) }, new IdDigestSet(), inThread);
    expect(progress.slice(0, 2)).toEqual([
      [10_000, 16_384],
      [20_000, 24_576],
    ]);
    expect(result.checked).toBe(30_000);
  });
});

describe("a verify of a store's whole log", () => {
  it('reads it once when no two ids share a digest', async () => {
    const { reads, port } = observed(storeOf(40));
    expect(await verifyStore(port)).toMatchObject({ checked: 40 });
    expect(reads).toEqual([{}]);
  });

  it('reads it a second time, only as far as the first read went, when ids share a digest', async () => {
    const { reads, port } = observed(storeOf(40));
    // Every digest the same: each id after the first is a suspect for the second read to clear.
    expect(await verifyLog(port, {}, new IdDigestSet(0))).toMatchObject({ ok: false, checked: 40, broken: [expect.objectContaining({ reason: 'malformed' })] });
    expect(reads).toEqual([{}, { maxCount: 40 }]);
  });
});

describe('a walk on worker threads hands the shared workers back', () => {
  /**
   * Runs `walk`, then uses the shared pool of two workers itself and leaves it: true when, its idle time up, the pool
   * has closed, which it does only once every user has left it, the walk too.
   */
  async function handsBack(walk: () => Promise<unknown>): Promise<boolean> {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'setInterval', 'clearInterval', 'Date', 'hrtime', 'performance'] });
    try {
      await walk();
      const after = sharedHashPool(2);
      await after.close();
      jest.advanceTimersByTime(5_000);
      const empty = new ArrayBuffer(0);
      return await after.hash({ bytes: empty, ends: empty, ids: empty, idEnds: empty }, 0, undefined).then(
        () => false,
        (error: unknown) => (error as { reason?: string }).reason === 'pool_closed',
      );
    } finally {
      jest.useRealTimers();
    }
  }

  it('when the records given fail midway', async () => {
    const failing = () => expect(verifyChain(records(100, { count: 0 }, 40), {}, onWorkers)).rejects.toThrow('the store went away');
    expect(await handsBack(failing)).toBe(true);
  });

  it("when the store's read fails midway", async () => {
    const { port } = observed(storeOf(100), 40);
    const failing = () => expect(verifyLog(port, {}, new IdDigestSet(), onWorkers)).rejects.toThrow('the store went away');
    expect(await handsBack(failing)).toBe(true);
  });

  it('when it ends', async () => {
    expect(await handsBack(() => verifyLog(storeOf(100), {}, new IdDigestSet(), onWorkers))).toBe(true);
  });
});
