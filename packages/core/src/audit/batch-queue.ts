import type { ScannedRecord } from '../store';
import { hashingInThread, sharedHashPool, sharedHashPoolRunning, type HashPool } from './hash-pool';
import type { BatchBuffers, Hashed } from './record-batch';
import type { Parallelism } from './verify';

/** A batch of records read and checked for their links, waiting for its digests. */
export interface Batch {
  bytes: Buffer;
  readonly ends: Uint32Array;
  used: number;
  idBytes: Buffer;
  readonly idEnds: Uint32Array;
  idsUsed: number;
  count: number;
  /** Per record: the walk's number for its stream, what its link checks found, its place. */
  readonly heads: Uint32Array;
  readonly faults: Uint8Array;
  readonly revisions: Float64Array;
  readonly positions: Float64Array;
}

/** A copy of the `used` bytes of `from` in a buffer of its own with room for `more`. */
function grown(from: Buffer, used: number, more: number): Buffer {
  const to = Buffer.from(new ArrayBuffer(Math.max(2 * from.length, used + more)));
  from.copy(to, 0, 0, used);
  return to;
}

function packIdText(batch: Batch, id: string): void {
  // UTF-8 takes at most 3 bytes a UTF-16 unit.
  if (batch.idsUsed + 3 * id.length > batch.idBytes.length) batch.idBytes = grown(batch.idBytes, batch.idsUsed, 3 * id.length);
  batch.idsUsed += batch.idBytes.write(id, batch.idsUsed, 'utf8');
}

/** A byte at a time: for the few dozen bytes of an id, faster than a copy call or a view to copy from. */
function packIdBytes(batch: Batch, source: Uint8Array, start: number, end: number): void {
  if (batch.idsUsed + end - start > batch.idBytes.length) batch.idBytes = grown(batch.idBytes, batch.idsUsed, end - start);
  const to = batch.idBytes;
  let at = batch.idsUsed;
  for (let i = start; i < end; i++) to[at++] = source[i] as number;
  batch.idsUsed = at;
}

/**
 * The smallest batch a running pool takes before `from` records: a smaller one (a page of one
 * subject's stream) is hashed here in about the time of a worker's round trip.
 */
export const RUNNING_POOL_MIN_BATCH = 1024;

/**
 * The walk's batches: records are packed as they are read, a full batch goes to be hashed
 * (on this thread for the first `from` records, unless the shared pool is running already and
 * the batch is of RUNNING_POOL_MIN_BATCH or more; on the shared pool's workers after), and the
 * results are handed to `settle` in read order. The buffers hashing hands back are packed
 * into again.
 */
export function createBatchQueue(parallelism: Parallelism, digestMask: number | undefined, settle: (batch: Batch, hashed: Hashed) => void) {
  const size = 2 ** parallelism.batchBits;
  /** Batches in flight, in read order, and buffers back from hashing, free to pack into. */
  const pending: { batch: Batch; hashed: Promise<Hashed> }[] = [];
  const free: BatchBuffers[] = [];
  let pool: HashPool = hashingInThread;
  let dispatched = 0;
  let batch = newBatch();

  function newBatch(): Batch {
    const buffers = free.pop();
    return {
      bytes: Buffer.from(buffers?.bytes ?? new ArrayBuffer(size * 1024)),
      ends: new Uint32Array(buffers?.ends ?? new ArrayBuffer(size * 4)),
      used: 0,
      idBytes: Buffer.from(buffers?.ids ?? new ArrayBuffer(size * 64)),
      idEnds: new Uint32Array(buffers?.idEnds ?? new ArrayBuffer(size * 4)),
      idsUsed: 0,
      count: 0,
      heads: new Uint32Array(size),
      faults: new Uint8Array(size),
      revisions: new Float64Array(size),
      positions: new Float64Array(size),
    };
  }

  function pack(record: ScannedRecord): void {
    const { data } = record;
    if (batch.used + data.length > batch.bytes.length) batch.bytes = grown(batch.bytes, batch.used, data.length);
    batch.bytes.set(data, batch.used);
    batch.used += data.length;
    batch.ends[batch.count] = batch.used;
    if (record.idSource === undefined) packIdText(batch, record.id);
    else packIdBytes(batch, record.idSource, record.idStart as number, record.idEnd as number);
    batch.idEnds[batch.count] = batch.idsUsed;
  }

  function dispatch(): void {
    if (batch.count === 0) return;
    const packed = batch;
    if (!pool.threaded && parallelism.workers > 0 && (dispatched >= parallelism.from || (packed.count >= RUNNING_POOL_MIN_BATCH && sharedHashPoolRunning(parallelism.workers))))
      pool = sharedHashPool(parallelism.workers);
    const buffers = { bytes: packed.bytes.buffer, ends: packed.ends.buffer, ids: packed.idBytes.buffer, idEnds: packed.idEnds.buffer } as BatchBuffers;
    const hashed = pool.hash(buffers, packed.count, digestMask);
    // Taken in only in read order: a failed worker's later batches must not reject unheard and end the process; the first is what drain reports.
    hashed.catch(() => undefined);
    pending.push({ batch: packed, hashed });
    dispatched += packed.count;
    batch = newBatch();
  }

  /** Takes in the batches hashed, in read order, until at most `inFlight` are left. */
  async function drain(inFlight: number): Promise<void> {
    while (pending.length > inFlight) {
      const next = pending.shift() as { batch: Batch; hashed: Promise<Hashed> };
      const hashed = await next.hashed;
      settle(next.batch, hashed);
      free.push(hashed.buffers);
    }
  }

  return {
    /** Packs the record with what its walk found of it so far. */
    add(record: ScannedRecord, head: number, fault: number): void {
      const i = batch.count;
      pack(record);
      batch.heads[i] = head;
      batch.faults[i] = fault;
      batch.revisions[i] = record.revision;
      batch.positions[i] = record.position;
      batch.count++;
      if (batch.count === size) dispatch();
    },
    /** Between reads: waits while more batches are in flight than keep the workers busy. */
    drain: () => drain(pool.threaded ? 2 * parallelism.workers : 0),
    /** Hashes what is left and takes in every result. */
    async finish(): Promise<void> {
      dispatch();
      await drain(0);
    },
    close: () => pool.close(),
  };
}
