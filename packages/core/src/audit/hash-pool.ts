import { extname, join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { CustodianError } from '../errors';
import { hashRecordBatch, unpackBatch, type BatchBuffers, type BatchReply, type BatchRequest, type Hashed } from './record-batch';

/**
 * A batch could not be hashed on a worker thread: the worker threw (`worker_failed`, the
 * error it threw in `cause`), it ended while it held the batch (`worker_exited`, with its
 * `exitCode`), or the pool had failed or been closed before (`pool_closed`). The verify
 * that handed the batch over reports this rather than an answer it did not reach.
 */
export class HashingFailedError extends CustodianError {
  readonly code = 'HASHING_FAILED';
  constructor(
    readonly reason: 'worker_failed' | 'worker_exited' | 'pool_closed',
    readonly exitCode: number | undefined = undefined,
    override readonly cause: unknown = undefined,
  ) {
    super(
      reason === 'worker_failed'
        ? 'a hashing worker thread failed'
        : reason === 'worker_exited'
          ? `a hashing worker thread exited with code ${exitCode} while it hashed`
          : 'the hashing pool is closed',
    );
  }
}

export interface HashPool {
  /** True when it hashes on worker threads. */
  readonly threaded: boolean;
  /** Hashes a batch; the pool may transfer its buffers away until the result comes. */
  hash(buffers: BatchBuffers, count: number, digestMask: number | undefined): Promise<Hashed>;
  /** Done with it: a shared pool's workers stay a while for the next verify (see `sharedHashPool`). */
  close(): Promise<void>;
}

/** Hashes on the calling thread: a small log, or where no worker can start. */
export const hashingInThread: HashPool = {
  threaded: false,
  async hash(buffers, count, digestMask) {
    return { ...hashRecordBatch(unpackBatch(buffers, count, digestMask)), buffers };
  },
  async close() {},
};

/**
 * How a worker runs the module `file`: from the sources (the tests) it is TypeScript, which
 * the worker's Node reads through ts-node, the workspace's own; built, it is plain JavaScript
 * and needs nothing, so an installed package never asks for ts-node.
 */
export function workerOptions(file: string): WorkerOptions {
  return file.endsWith('.ts') ? { execArgv: ['--require', 'ts-node/register/transpile-only'] } : {};
}

/** The worker's module beside this one. */
function startWorker(): Worker {
  const file = join(__dirname, `hash-worker${extname(__filename)}`);
  return new Worker(file, workerOptions(file));
}

/**
 * `count` worker threads, each handed the next batch in turn. A worker that fails fails the
 * batches it holds: the verify reports the error rather than an answer it did not reach.
 * Where no worker can be started at all, the batches are hashed on the calling thread.
 */
export function createHashPool(count: number): HashPool & { readonly failed: boolean } {
  let workers: Worker[];
  try {
    workers = Array.from({ length: count }, startWorker);
  } catch {
    return { ...hashingInThread, failed: false };
  }
  /** Each worker with the batches it holds: a worker holds the process alive while it hashes, and never while idle. */
  const slots = workers.map((worker) => ({ worker, held: 0 }));
  type Slot = (typeof slots)[number];
  const waiting = new Map<number, { resolve: (hashed: Hashed) => void; reject: (error: HashingFailedError) => void; slot: Slot }>();
  let nextId = 0;
  let failure: HashingFailedError | undefined;
  function hold(slot: Slot, change: 1 | -1): void {
    slot.held += change;
    if (slot.held === 0) slot.worker.unref();
    else slot.worker.ref();
  }
  function fail(slot: Slot, error: HashingFailedError): void {
    failure ??= error;
    for (const [id, entry] of waiting) {
      if (entry.slot !== slot) continue;
      waiting.delete(id);
      hold(slot, -1);
      entry.reject(error);
    }
  }
  for (const slot of slots) {
    slot.worker.on('message', (reply: BatchReply) => {
      const entry = waiting.get(reply.id);
      if (entry === undefined) return;
      waiting.delete(reply.id);
      hold(slot, -1);
      entry.resolve(reply);
    });
    slot.worker.on('error', (error) => fail(slot, new HashingFailedError('worker_failed', undefined, error)));
    slot.worker.on('exit', (code) => fail(slot, new HashingFailedError('worker_exited', code)));
    // After the listeners, which would hold the process again.
    slot.worker.unref();
  }
  return {
    threaded: true,
    hash(buffers, batchCount, digestMask) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = nextId++;
      const slot = slots[id % slots.length] as Slot;
      return new Promise<Hashed>((resolve, reject) => {
        const request: BatchRequest = { id, buffers, count: batchCount, digestMask };
        // Posted before it is waited for: buffers that cannot be transferred reject the batch and leave the worker as it was.
        slot.worker.postMessage(request, Object.values(buffers) as ArrayBuffer[]);
        waiting.set(id, { resolve, reject, slot });
        hold(slot, 1);
      });
    },
    async close() {
      failure ??= new HashingFailedError('pool_closed');
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
    get failed() {
      return failure !== undefined;
    },
  };
}

/** How long the shared pool's workers wait, idle, for the next verify before they end. */
const IDLE_MS = 5_000;

let shared: { pool: HashPool & { failed: boolean }; count: number; users: number; idle: NodeJS.Timeout | undefined } | undefined;

/**
 * The process's pool of `count` workers, started by the first verify that needs it and kept,
 * idle, for IDLE_MS after the last one is done with it: a worker takes tens of milliseconds
 * to start, as long as it takes to hash a batch of ten thousand records, and verifies run
 * one after the other (a report, a CLI check, a benchmark). Its workers never keep the
 * process alive. A pool that failed is not handed out again.
 */
export function sharedHashPool(count: number): HashPool {
  if (shared === undefined || shared.count !== count || shared.pool.failed) {
    const pool = createHashPool(count);
    if (!pool.threaded) return pool;
    shared = { pool: pool as HashPool & { failed: boolean }, count, users: 0, idle: undefined };
  }
  const held = shared;
  clearTimeout(held.idle);
  held.users++;
  let closed = false;
  return {
    threaded: true,
    hash: (buffers, batchCount, digestMask) => held.pool.hash(buffers, batchCount, digestMask),
    async close() {
      if (closed) return;
      closed = true;
      if (--held.users > 0) return;
      // Closed, the pool counts as failed: the next verify starts another.
      held.idle = setTimeout(() => void held.pool.close(), IDLE_MS);
      held.idle.unref();
    },
  };
}

/**
 * Whether the shared pool of `count` workers is running (an earlier verify started it, and it
 * has neither failed nor idled out): a verify then pays no worker's start by hashing on it
 * from its first batch.
 */
export function sharedHashPoolRunning(count: number): boolean {
  return shared !== undefined && shared.count === count && !shared.pool.failed;
}
