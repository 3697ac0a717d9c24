import { describe, expect, it, jest } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { createHashPool, sharedHashPool } from './hash-pool';
import { hashRecordBatch, unpackBatch, type BatchBuffers } from './record-batch';

// A platform where no worker thread can start (a sandbox, a runtime without them).
jest.mock('node:worker_threads', () => ({
  Worker: class {
    constructor() {
      throw new Error('worker threads are not available here');
    }
  },
}));

/** One sealed record, packed as a verify packs it. */
function packedOne(): BatchBuffers {
  const id = 'order-1';
  const { bytes } = sealRecord({ id, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n: 1 } }, 'subject-pool', GENESIS_HASH);
  const own = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  return { bytes: own(bytes), ends: Uint32Array.of(bytes.length).buffer, ids: own(Buffer.from(id)), idEnds: Uint32Array.of(id.length).buffer };
}

describe('a hash pool where no worker can start', () => {
  it('hashes on the calling thread, and is not counted as failed', async () => {
    const pool = createHashPool(2);
    expect(pool.threaded).toBe(false);
    expect(pool.failed).toBe(false);
    const hashed = await pool.hash(packedOne(), 1, 0xffffffff);
    expect(Buffer.from(hashed.leafHashes).equals(Buffer.from(hashRecordBatch(unpackBatch(packedOne(), 1, 0xffffffff)).leafHashes))).toBe(true);
    await pool.close();
  });

  it('is what the shared pool hands out too, hashing on this thread', async () => {
    const pool = sharedHashPool(2);
    expect(pool.threaded).toBe(false);
    expect((await pool.hash(packedOne(), 1, undefined)).status).toEqual(Uint8Array.of(0));
    await pool.close();
  });
});
