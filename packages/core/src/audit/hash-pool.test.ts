import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { CustodianError } from '../errors';
import { createHashPool, HashingFailedError, hashingInThread, sharedHashPool, workerOptions, type HashPool } from './hash-pool';
import { hashRecordBatch, unpackBatch, type BatchBuffers, type Hashed } from './record-batch';

/** `count` sealed records packed as a verify packs them, each buffer its own. */
function packed(count: number, from = 0): BatchBuffers {
  const records = Array.from({ length: count }, (_, i) => {
    const id = `order-${from + i}`;
    return { id, bytes: sealRecord({ id, occurredAt: '2026-01-01T00:00:00.000Z', type: 'Test', data: { n: from + i } }, 'subject-pool', GENESIS_HASH).bytes };
  });
  let end = 0;
  let idEnd = 0;
  const own = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  return {
    bytes: own(Buffer.concat(records.map((r) => r.bytes))),
    ends: Uint32Array.from(records, (r) => (end += r.bytes.length)).buffer as ArrayBuffer,
    ids: own(Buffer.from(records.map((r) => r.id).join(''))),
    idEnds: Uint32Array.from(records, (r) => (idEnd += r.id.length)).buffer as ArrayBuffer,
  };
}

/** A batch no worker can hash: a negative count makes its status array throw a RangeError. */
const POISON = -1;

/** What the calling thread makes of the same batch. */
const here = (count: number, from: number, mask: number | undefined) => hashRecordBatch(unpackBatch(packed(count, from), count, mask));
const summary = (hashed: Pick<Hashed, 'status' | 'leafHashes' | 'root' | 'digests'>) => ({
  status: [...hashed.status],
  leaves: Buffer.from(hashed.leafHashes).toString('hex'),
  root: hashed.root && Buffer.from(hashed.root).toString('hex'),
  digests: hashed.digests && [...hashed.digests],
});

/** Worker threads holding the process: each ref'd worker is one active MessagePort. */
const heldWorkers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;

type Settled = { ok: true; hashed: Hashed } | { ok: false; error: unknown };
const settle = (promise: Promise<Hashed>): Promise<Settled> =>
  promise.then(
    (hashed) => ({ ok: true, hashed }),
    (error: unknown) => ({ ok: false, error }),
  );

describe('createHashPool', () => {
  const opened: HashPool[] = [];
  const open = (count: number) => {
    const pool = createHashPool(count);
    opened.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((pool) => pool.close()));
  });

  it('hashes each batch on a worker as this thread does, holding the process only while a worker holds a batch', async () => {
    // Given a pool of two workers
    const pool = open(2);
    expect({ threaded: pool.threaded, failed: pool.failed }).toEqual({ threaded: true, failed: false });
    const before = heldWorkers();
    // When it is handed a batch whose buffers cannot be transferred (the same buffer twice)
    const good = packed(2);
    await expect(pool.hash({ ...good, ids: good.bytes }, 2, undefined)).rejects.toMatchObject({ name: 'DataCloneError' });
    // Then that batch is refused, and leaves the worker free and the pool working
    expect(heldWorkers()).toBe(before);
    expect(pool.failed).toBe(false);
    // When it is handed four batches, two a worker
    const batches = [
      pool.hash(packed(8, 0), 8, 0xffffffff),
      pool.hash(packed(3, 8), 3, undefined),
      pool.hash(packed(4, 11), 4, 0x0f0f0f0f),
      pool.hash(packed(2, 15), 2, undefined),
    ];
    // Then both workers hold the process while they hash
    expect(heldWorkers()).toBe(before + 2);
    const [first, second, third, fourth] = batches as [Promise<Hashed>, Promise<Hashed>, Promise<Hashed>, Promise<Hashed>];
    // and the results are this thread's, each with the buffers it was packed in
    expect(summary(await first)).toEqual(summary(here(8, 0, 0xffffffff)));
    expect(summary(await second)).toEqual(summary(here(3, 8, undefined)));
    expect(Buffer.from((await second).buffers.ids).toString()).toBe('order-8order-9order-10');
    expect(summary(await third)).toEqual(summary(here(4, 11, 0x0f0f0f0f)));
    expect(summary(await fourth)).toEqual(summary(here(2, 15, undefined)));
    // and, idle, no worker holds it
    expect(heldWorkers()).toBe(before);
    expect(pool.failed).toBe(false);
  });

  it('hands batches round its workers in turn: a worker that fails rejects its own batches with a typed error, and only those', async () => {
    // Given a pool of two workers, the first handed a batch it throws on
    const pool = open(2);
    const before = heldWorkers();
    const results = await Promise.all([pool.hash(packed(1), POISON, undefined), ...Array.from({ length: 3 }, (_, i) => pool.hash(packed(2, 2 * i), 2, undefined))].map(settle));
    // Then the first worker's batches, the first and third, are rejected, and the others are hashed
    expect(results.map((result) => result.ok)).toEqual([false, true, false, true]);
    expect(summary((results[3] as { hashed: Hashed }).hashed)).toEqual(summary(here(2, 4, undefined)));
    const [poisoned, , second] = results;
    for (const failed of [poisoned, second]) {
      const error = (failed as { error: unknown }).error;
      expect(error).toBeInstanceOf(HashingFailedError);
      expect(error).toBeInstanceOf(CustodianError);
      expect(error).toMatchObject({ code: 'HASHING_FAILED', reason: 'worker_failed', exitCode: undefined, message: 'a hashing worker thread failed', name: 'HashingFailedError' });
      expect((error as HashingFailedError).cause).toMatchObject({ name: 'RangeError', message: expect.stringContaining('-1') });
    }
    // and the same error for both, the worker's
    expect((poisoned as { error: unknown }).error).toBe((second as { error: unknown }).error);
    // and no worker holds the process
    expect(heldWorkers()).toBe(before);
    // and the pool, failed, refuses every later batch with the first failure, without a worker
    expect(pool.failed).toBe(true);
    await expect(pool.hash(packed(1), 1, undefined)).rejects.toBe((poisoned as { error: unknown }).error);
    expect(heldWorkers()).toBe(before);
    // and still once its workers have exited and it is closed: the first failure is what it tells
    await pool.close();
    await expect(pool.hash(packed(1), 1, undefined)).rejects.toBe((poisoned as { error: unknown }).error);
  });

  it('rejects the batches of a worker that ends while it holds them, naming its exit code', async () => {
    // Given a batch handed to a worker that has not yet started; when the pool is closed at once
    const pool = open(1);
    const before = heldWorkers();
    const held = settle(pool.hash(packed(64), 64, undefined));
    await pool.close();
    // Then the batch is rejected: the worker exited while it held it
    const result = await held;
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(HashingFailedError);
    expect(error).toMatchObject({ code: 'HASHING_FAILED', reason: 'worker_exited', exitCode: expect.any(Number), cause: undefined });
    const { exitCode } = error as HashingFailedError;
    expect((error as HashingFailedError).message).toBe(`a hashing worker thread exited with code ${exitCode} while it hashed`);
    expect(heldWorkers()).toBe(before);
    // and the closed pool refuses what comes after
    expect(pool.failed).toBe(true);
    await expect(pool.hash(packed(1), 1, undefined)).rejects.toMatchObject({ reason: 'pool_closed', message: 'the hashing pool is closed', exitCode: undefined });
  });
});

describe('hashingInThread', () => {
  it('hashes on this thread, handing back the very buffers it was given', async () => {
    const buffers = packed(4);
    const hashed = await hashingInThread.hash(buffers, 4, 0xffffffff);
    expect(hashingInThread.threaded).toBe(false);
    expect(hashed.buffers).toBe(buffers);
    expect(summary(hashed)).toEqual(summary(here(4, 0, 0xffffffff)));
    await expect(hashingInThread.hash(packed(1), POISON, undefined)).rejects.toMatchObject({ name: 'RangeError' });
    await expect(hashingInThread.close()).resolves.toBeUndefined();
  });
});

describe('sharedHashPool', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  const fakeTimeouts = () =>
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'setInterval', 'clearInterval', 'Date', 'hrtime', 'performance'] });

  it('waits idle on a timer that does not hold the process', async () => {
    const pool = sharedHashPool(1);
    await pool.hash(packed(1), 1, undefined);
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    await pool.close();
    expect(timers()).toBe(before);
  });

  it('hands every verify of the same worker count the same workers, and a failed pool to no one again', async () => {
    // Given two verifies on the shared pool of one worker
    const first = sharedHashPool(1);
    const second = sharedHashPool(1);
    expect({ first: first.threaded, second: second.threaded }).toEqual({ first: true, second: true });
    // When a batch fails the first's worker
    const failed = await settle(first.hash(packed(1), POISON, undefined));
    expect(failed).toMatchObject({ ok: false, error: { reason: 'worker_failed' } });
    // Then the second, on the same worker, is refused with that failure
    await expect(second.hash(packed(1), 1, undefined)).rejects.toBe((failed as { error: unknown }).error);
    // and the next verify gets a pool of its own that works
    const third = sharedHashPool(1);
    expect(summary(await third.hash(packed(2), 2, undefined))).toEqual(summary(here(2, 0, undefined)));
    // and a verify that wants two workers gets two others: one failing leaves the other, and the pool of one, working
    const other = sharedHashPool(2);
    const [poisoned, next] = await Promise.all([settle(other.hash(packed(1), POISON, undefined)), settle(other.hash(packed(2), 2, undefined))]);
    expect({ poisoned: poisoned.ok, next: next.ok }).toEqual({ poisoned: false, next: true });
    expect(summary(await third.hash(packed(3), 3, undefined))).toEqual(summary(here(3, 0, undefined)));
    await Promise.all([first, second, third, other].map((pool) => pool.close()));
  });

  it('keeps its workers, idle, for five seconds after the last verify is done with them', async () => {
    fakeTimeouts();
    const first = sharedHashPool(1);
    const second = sharedHashPool(1);
    await first.hash(packed(1), 1, undefined);
    // When the first closes twice, the second still uses the pool
    await first.close();
    await first.close();
    jest.advanceTimersByTime(60_000);
    expect(summary(await second.hash(packed(2), 2, undefined))).toEqual(summary(here(2, 0, undefined)));
    // When the last closes, the workers wait 5 s for another verify
    await second.close();
    jest.advanceTimersByTime(4_999);
    const next = sharedHashPool(1);
    // which, come in time, keeps them past the 5 s
    jest.advanceTimersByTime(60_000);
    expect(summary(await next.hash(packed(3), 3, undefined))).toEqual(summary(here(3, 0, undefined)));
    await next.close();
    jest.advanceTimersByTime(4_999);
    await expect(next.hash(packed(1), 1, undefined)).resolves.toBeDefined();
    // and, once the 5 s are up, they are gone: a verify still holding the pool is refused
    jest.advanceTimersByTime(1);
    await expect(next.hash(packed(1), 1, undefined)).rejects.toMatchObject({ reason: 'pool_closed' });
    // and the next verify starts new workers
    const later = sharedHashPool(1);
    expect(summary(await later.hash(packed(1), 1, undefined))).toEqual(summary(here(1, 0, undefined)));
    await later.close();
    jest.advanceTimersByTime(5_000);
  });
});

describe("a worker's start", () => {
  it('reads the TypeScript sources through ts-node, and the built JavaScript with nothing more', () => {
    expect(workerOptions('packages/core/src/audit/hash-worker.ts')).toEqual({ execArgv: ['--require', 'ts-node/register/transpile-only'] });
    expect(workerOptions('node_modules/@custodian/core/dist/audit/hash-worker.js')).toEqual({});
  });
});
