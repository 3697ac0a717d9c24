import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import type { ScannedRecord } from '../store';
import { createBatchQueue, RUNNING_POOL_MIN_BATCH, type Batch } from './batch-queue';
import { HashingFailedError, sharedHashPool } from './hash-pool';
import { hashRecordBatch, packedId, type Hashed } from './record-batch';
import type { Parallelism } from './verify';

/** A sealed record of exactly `length` bytes when given (its data padded to it), stored at `position`. */
function record(position: number, options: { id?: string; length?: number } = {}): ScannedRecord {
  const id = options.id ?? `order-${position}`;
  const stream = `subject-${position % 3}`;
  const seal = (pad: string) => sealRecord({ id, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { pad } }, stream, GENESIS_HASH).bytes;
  const bare = seal('');
  const data = options.length === undefined ? bare : seal('x'.repeat(options.length - bare.length));
  if (options.length !== undefined) expect(data.length).toBe(options.length);
  return { stream, revision: position * 10, position: position + 100, id, data, streamNumber: -1 };
}

/** What the queue hands `settle` of a batch, read during the call (its buffers go back to be packed into). */
interface Settled {
  readonly count: number;
  readonly ids: string[];
  readonly heads: number[];
  readonly faults: number[];
  readonly revisions: number[];
  readonly positions: number[];
  /** Bytes still readable here: 0 once they were transferred to a worker. */
  readonly bytesHere: number;
  readonly buffers: { bytes: ArrayBufferLike; ends: ArrayBufferLike; ids: ArrayBufferLike; idEnds: ArrayBufferLike };
  readonly capacity: { bytes: number; ids: number };
  readonly hashed: ReturnType<typeof summary>;
}

const summary = (hashed: Pick<Hashed, 'status' | 'leafHashes' | 'root' | 'digests'>) => ({
  status: [...hashed.status],
  leaves: Buffer.from(hashed.leafHashes).toString('hex'),
  root: hashed.root && Buffer.from(hashed.root).toString('hex'),
  digests: hashed.digests && [...hashed.digests],
});

/** The records hashed as one batch on this thread, packed by hand. */
function expectedOf(records: readonly ScannedRecord[], mask: number | undefined) {
  let end = 0;
  let idEnd = 0;
  return summary(
    hashRecordBatch({
      bytes: Buffer.concat(records.map((r) => r.data)),
      ends: Uint32Array.from(records, (r) => (end += r.data.length)),
      ids: Buffer.from(records.map((r) => r.id).join('')),
      idEnds: Uint32Array.from(records, (r) => (idEnd += Buffer.byteLength(r.id))),
      count: records.length,
      digestMask: mask,
    }),
  );
}

const MASK = 0xffffffff;

/** A queue whose settle keeps what it is handed; `mask` undefined takes no digests. */
function queueOf(parallelism: Parallelism, mask: number | undefined, onSettle?: () => void) {
  const settled: Settled[] = [];
  const queue = createBatchQueue(parallelism, mask, (batch: Batch, hashed: Hashed) => {
    const n = batch.count;
    settled.push({
      count: n,
      ids: Array.from({ length: n }, (_, i) => packedId(hashed.buffers, i)),
      heads: [...batch.heads.subarray(0, n)],
      faults: [...batch.faults.subarray(0, n)],
      revisions: [...batch.revisions.subarray(0, n)],
      positions: [...batch.positions.subarray(0, n)],
      bytesHere: batch.bytes.length,
      buffers: { bytes: batch.bytes.buffer, ends: batch.ends.buffer, ids: batch.idBytes.buffer, idEnds: batch.idEnds.buffer },
      capacity: { bytes: batch.bytes.buffer.byteLength, ids: batch.idBytes.buffer.byteLength },
      hashed: summary(hashed),
    });
    onSettle?.();
  });
  const add = (records: readonly ScannedRecord[]) => records.forEach((r) => queue.add(r, r.position % 7, r.position % 5));
  return { queue, settled, add };
}

const inThread = (batchBits: number): Parallelism => ({ workers: 0, from: 0, batchBits });

describe('createBatchQueue on the calling thread', () => {
  it('packs full batches of 2^batchBits in read order and hands each to settle with what the walk found of its records', async () => {
    // Given batches of four, hashed on this thread
    const { queue, settled, add } = queueOf(inThread(2), MASK);
    const records = Array.from({ length: 10 }, (_, i) => record(i));
    // When three records are read, nothing is full: nothing is hashed
    add(records.slice(0, 3));
    await queue.drain();
    expect(settled).toHaveLength(0);
    // When the fourth fills the batch, it is hashed, and taken in by the next drain
    add(records.slice(3, 4));
    expect(settled).toHaveLength(0);
    await queue.drain();
    expect(settled.map((s) => s.ids)).toEqual([records.slice(0, 4).map((r) => r.id)]);
    // When the rest is read, finish takes in the next full batch and the last, partial one, in order
    add(records.slice(4));
    await queue.finish();
    expect(settled.map((s) => s.ids)).toEqual([0, 4, 8].map((from) => records.slice(from, from + 4).map((r) => r.id)));
    // and each batch carries, record by record, its head, fault, revision and position, and its digests
    settled.forEach((batch, b) => {
      const mine = records.slice(4 * b, 4 * b + 4);
      expect(batch).toMatchObject({
        count: mine.length,
        heads: mine.map((r) => r.position % 7),
        faults: mine.map((r) => r.position % 5),
        revisions: mine.map((r) => r.revision),
        positions: mine.map((r) => r.position),
        hashed: expectedOf(mine, 0xffffffff),
      });
      // hashed here, its bytes never transferred
      expect(batch.bytesHere).toBeGreaterThan(0);
    });
    expect(settled[0]?.hashed.root).toBeDefined();
    await queue.close();
  });

  it('hashes no empty batch: finish after a full batch, or with nothing read, settles nothing more', async () => {
    const { queue, settled, add } = queueOf(inThread(1), MASK);
    await queue.finish();
    expect(settled).toHaveLength(0);
    add([record(0), record(1)]);
    await queue.finish();
    await queue.finish();
    expect(settled.map((s) => s.count)).toEqual([2]);
  });

  it('takes no digests of the ids when no mask is given', async () => {
    const { queue, settled, add } = queueOf(inThread(1), undefined);
    add([record(0), record(1)]);
    await queue.finish();
    expect(settled[0]?.hashed.digests).toBeUndefined();
    expect(settled[0]?.hashed).toEqual(expectedOf([record(0), record(1)], undefined));
  });

  it('packs the next batch into the buffers a hashed batch handed back', async () => {
    const { queue, settled, add } = queueOf(inThread(1), MASK);
    add([record(0), record(1)]);
    await queue.drain();
    // The second batch was started when the first went to be hashed; the third gets the first's buffers.
    add([0, 1, 2, 3].map((i) => record(i + 2)));
    await queue.finish();
    expect(settled).toHaveLength(3);
    const [first, second, third] = settled as [Settled, Settled, Settled];
    for (const part of ['bytes', 'ends', 'ids', 'idEnds'] as const) {
      expect(third.buffers[part]).toBe(first.buffers[part]);
      expect(second.buffers[part]).not.toBe(first.buffers[part]);
    }
    expect(third.hashed).toEqual(expectedOf([record(4), record(5)], 0xffffffff));
  });

  it('holds a batch of records averaging 1 KiB without a copy, and grows, keeping what it packed, at one byte more', async () => {
    // Given batches of two, 2 KiB of room for their bytes
    const { queue, settled, add } = queueOf(inThread(1), MASK);
    // When two records fill it exactly, it is not grown
    const exact = [record(0, { length: 1000 }), record(1, { length: 1048 })];
    add(exact);
    // When two records are one byte over, it grows to twice its size
    const over = [record(2, { length: 1000 }), record(3, { length: 1049 })];
    add(over);
    // When a record is larger than twice the room, it grows to hold it and no more
    const large = [record(4), record(5, { length: 5000 })];
    add(large);
    await queue.finish();
    expect(settled.map((s) => s.capacity.bytes)).toEqual([2048, 4096, (large[0] as ScannedRecord).data.length + 5000]);
    // and every byte packed before the growth is kept
    expect(settled.map((s) => s.hashed)).toEqual([exact, over, large].map((records) => expectedOf(records, 0xffffffff)));
    expect(settled.every((s) => s.hashed.status.every((status) => status === 0))).toBe(true);
  });

  it('holds ids of 64 bytes a record, reserving three bytes a UTF-16 unit, and grows when the reservation would not fit', async () => {
    // Given batches of two, 128 bytes of room for their ids
    const { queue, settled, add } = queueOf(inThread(1), MASK);
    // An id of 2 bytes and one of 42 units reserve exactly 128: no growth, though the last beyond ASCII takes 126 bytes.
    const exact = [record(0, { id: 'ab' }), record(1, { id: '€'.repeat(42) })];
    // One unit more reserves 131: the room doubles.
    const over = [record(2, { id: 'ab' }), record(3, { id: 'c'.repeat(43) })];
    // An id of 270 bytes after one of 1, more than twice the room, grows it to their reservation.
    const large = [record(4, { id: 'd' }), record(5, { id: '€'.repeat(90) })];
    add([...exact, ...over, ...large]);
    await queue.finish();
    expect(settled.map((s) => s.capacity.ids)).toEqual([128, 256, 271]);
    // and every id is packed whole: its digest and its check are those of the id as read
    expect(settled.map((s) => s.hashed)).toEqual([exact, over, large].map((records) => expectedOf(records, 0xffffffff)));
    expect(settled.map((s) => s.ids)).toEqual([exact, over, large].map((records) => records.map((r) => r.id)));
  });

  it('packs ids handed as bytes in place as it packs ids handed as strings', async () => {
    // Given records whose ids, of one to four bytes a character and one past the batch's room for ids, are handed as strings, and the same as bytes amid others
    const ids = ['order-1', 'bestellung-ä', '注文-2', 'emoji-😀', 'x'.repeat(600)];
    const asText = ids.map((id, i) => record(i, { id }));
    const asBytes = asText.map((r) => {
      const source = Buffer.concat([Buffer.from('«before»'), Buffer.from(r.id), Buffer.from('after')]);
      const idStart = Buffer.byteLength('«before»');
      return { ...r, id: '', idSource: source, idStart, idEnd: idStart + Buffer.byteLength(r.id) };
    });
    const packed = async (records: readonly ScannedRecord[]) => {
      const { queue, settled, add } = queueOf(inThread(3), MASK);
      add(records);
      await queue.finish();
      return settled.map((s) => ({ ids: s.ids, hashed: s.hashed }));
    };
    // Then both give the same batch: the same ids, digests and checks (none at fault)
    const fromText = await packed(asText);
    expect(fromText[0]?.ids).toEqual(ids);
    expect(fromText[0]?.hashed.status).toEqual([0, 0, 0, 0, 0]);
    expect(await packed(asBytes)).toEqual(fromText);
  });

  it('hands on what settle throws, from drain and from finish', async () => {
    const broken = new Error('settle failed');
    const { queue, add } = queueOf(inThread(0), undefined, () => {
      throw broken;
    });
    add([record(0)]);
    await expect(queue.drain()).rejects.toBe(broken);
    add([record(1)]);
    await expect(queue.finish()).rejects.toBe(broken);
  });
});

describe('createBatchQueue on worker threads', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('hashes on this thread up to `from` records, on the workers after, taking the same results in the same order', async () => {
    // Given batches of two, threads from the fifth record
    const { queue, settled, add } = queueOf({ workers: 2, from: 4, batchBits: 1 }, MASK);
    const records = Array.from({ length: 9 }, (_, i) => record(i));
    // When the first two batches are read, they are on this thread: a drain takes both in
    add(records.slice(0, 4));
    await queue.drain();
    expect(settled).toHaveLength(2);
    add(records.slice(4));
    await queue.finish();
    await queue.close();
    // Then the first two batches were hashed here, and the others' bytes went to a worker
    expect(settled.map((s) => s.bytesHere > 0)).toEqual([true, true, false, false, false]);
    expect(settled.map((s) => s.ids)).toEqual([0, 2, 4, 6, 8].map((from) => records.slice(from, from + 2).map((r) => r.id)));
    expect(settled.map((s) => s.hashed)).toEqual([0, 2, 4, 6, 8].map((from) => expectedOf(records.slice(from, from + 2), 0xffffffff)));
  });

  it('hashes on the shared pool from the first batch of 1,024 or more when it is running already, before `from`; a smaller batch stays here', async () => {
    const records = Array.from({ length: 2 * RUNNING_POOL_MIN_BATCH }, (_, i) => record(i));
    const read = async (batchBits: number) => {
      const { queue, settled, add } = queueOf({ workers: 3, from: 1 << 30, batchBits }, MASK);
      add(records);
      await queue.finish();
      await queue.close();
      return settled;
    };
    // Given no pool of three workers running, batches of 1,024 before `from` are hashed here
    expect((await read(10)).map((s) => s.bytesHere > 0)).toEqual([true, true]);
    // Given one running
    const running = sharedHashPool(3);
    try {
      // When batches of 1,024 are read, its workers hash them from the first, with the same results
      const warm = await read(10);
      expect(warm.map((s) => s.bytesHere > 0)).toEqual([false, false]);
      expect(warm.map((s) => s.hashed)).toEqual([0, RUNNING_POOL_MIN_BATCH].map((from) => expectedOf(records.slice(from, from + RUNNING_POOL_MIN_BATCH), MASK)));
      // When batches of 512 are, they stay here
      expect((await read(9)).map((s) => s.bytesHere > 0)).toEqual([true, true, true, true]);
    } finally {
      await running.close();
    }
  });

  it('lets twice as many batches as workers be in flight between reads, and no more', async () => {
    // Given batches of one on two workers, from the first record
    const { queue, settled, add } = queueOf({ workers: 2, from: 0, batchBits: 0 }, MASK);
    const records = Array.from({ length: 7 }, (_, i) => record(i));
    // When four batches are in flight, a drain waits for none
    add(records.slice(0, 4));
    await queue.drain();
    expect(settled).toHaveLength(0);
    // When a fifth is, a drain takes in the first, and only it
    add(records.slice(4, 5));
    await queue.drain();
    expect(settled.map((s) => s.ids)).toEqual([[records[0]?.id]]);
    await queue.drain();
    expect(settled).toHaveLength(1);
    // When two more are, it takes in two
    add(records.slice(5, 7));
    await queue.drain();
    expect(settled.map((s) => s.ids[0])).toEqual(records.slice(0, 3).map((r) => r.id));
    // and finish takes in the rest, in order
    await queue.finish();
    expect(settled.map((s) => s.ids[0])).toEqual(records.map((r) => r.id));
    expect(settled.map((s) => s.hashed)).toEqual(records.map((r) => expectedOf([r], 0xffffffff)));
    await queue.close();
  });

  it("rejects with the workers' failure, and leaves none of its batches rejected unheard", async () => {
    // Given the shared pool of two workers, one of which a batch handed to it by another verify breaks
    const unheard: unknown[] = [];
    const onUnhandled = (reason: unknown) => unheard.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const other = sharedHashPool(2);
    try {
      const poisoned = other.hash({ bytes: new ArrayBuffer(8), ends: new ArrayBuffer(8), ids: new ArrayBuffer(8), idEnds: new ArrayBuffer(8) }, -1, undefined);
      poisoned.catch(() => undefined);
      const { queue, settled, add } = queueOf({ workers: 2, from: 0, batchBits: 0 }, MASK);
      // When the queue hands the pool six batches, three of them to the broken worker
      add(Array.from({ length: 6 }, (_, i) => record(i)));
      // Then finish rejects with the failure, once the batches before it are taken in
      const failure = await queue.finish().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(HashingFailedError);
      expect(failure).toMatchObject({ reason: 'worker_failed' });
      expect(settled.map((s) => s.ids[0])).toEqual(['order-0']);
      await queue.close();
      // and the later batch of the broken worker, rejected too, raised no unhandled rejection
      await new Promise((resolve) => setImmediate(resolve));
      expect(unheard).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await other.close();
    }
  });

  it('hands its workers back on close: the shared pool idles out once every user is done', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'setInterval', 'clearInterval', 'Date', 'hrtime', 'performance'] });
    // Given another user of the shared pool of two workers, and a queue on it
    const other = sharedHashPool(2);
    const { queue, settled, add } = queueOf({ workers: 2, from: 0, batchBits: 0 }, MASK);
    add(Array.from({ length: 6 }, (_, i) => record(i)));
    await queue.finish();
    expect(settled).toHaveLength(6);
    // When both are done with it and its idle time is up
    await queue.close();
    await other.close();
    jest.advanceTimersByTime(5_000);
    // Then its workers are gone: nothing holds it any more
    await expect(other.hash({ bytes: new ArrayBuffer(0), ends: new ArrayBuffer(0), ids: new ArrayBuffer(0), idEnds: new ArrayBuffer(0) }, 0, undefined)).rejects.toMatchObject({
      reason: 'pool_closed',
    });
  });
});
