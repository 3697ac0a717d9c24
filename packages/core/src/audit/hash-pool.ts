import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { hashRecordBatch, type HashedBatch } from './record-batch';

/** The buffers a batch is packed in (see RecordBatch), each its own ArrayBuffer. */
export interface BatchBuffers {
  readonly bytes: ArrayBuffer;
  readonly ends: ArrayBuffer;
  readonly ids: ArrayBuffer;
  readonly idEnds: ArrayBuffer;
}

/** A batch as a worker is handed it: the buffers are transferred, not copied, and come back with the reply. */
export interface BatchRequest {
  readonly id: number;
  readonly buffers: BatchBuffers;
  readonly count: number;
  readonly digestMask: number | undefined;
}

/** A hashed batch, with the buffers it was packed in, free to pack the next one into. */
export interface Hashed extends HashedBatch {
  readonly buffers: BatchBuffers;
}

export interface BatchReply extends Hashed {
  readonly id: number;
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
    const batch = {
      bytes: Buffer.from(buffers.bytes),
      ends: new Uint32Array(buffers.ends),
      ids: Buffer.from(buffers.ids),
      idEnds: new Uint32Array(buffers.idEnds),
      count,
      digestMask,
    };
    return { ...hashRecordBatch(batch), buffers };
  },
  async close() {},
};

/**
 * The worker's module beside this one. Run from the sources (the tests), it is TypeScript,
 * which the worker's Node reads through ts-node, the workspace's own.
 */
function startWorker(): Worker {
  const file = join(__dirname, `hash-worker${extname(__filename)}`);
  const fromSources = file.endsWith('.ts');
  return new Worker(file, fromSources ? { execArgv: ['--require', 'ts-node/register/transpile-only'] } : {});
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
  const waiting = new Map<number, { resolve: (hashed: Hashed) => void; reject: (error: unknown) => void; worker: Worker }>();
  /** Batches each worker holds: a worker holds the process alive while it hashes, and never while idle. */
  const held = new Map<Worker, number>(workers.map((worker) => [worker, 0]));
  let nextId = 0;
  let failure: unknown;
  function hold(worker: Worker, change: 1 | -1): void {
    const now = (held.get(worker) ?? 0) + change;
    held.set(worker, now);
    if (now === 1 && change === 1) worker.ref();
    if (now === 0) worker.unref();
  }
  function fail(worker: Worker, error: unknown): void {
    failure ??= error;
    for (const [id, entry] of waiting) {
      if (entry.worker !== worker) continue;
      waiting.delete(id);
      hold(worker, -1);
      entry.reject(error);
    }
  }
  for (const worker of workers) {
    worker.on('message', (reply: BatchReply) => {
      const entry = waiting.get(reply.id);
      if (entry === undefined) return;
      waiting.delete(reply.id);
      hold(worker, -1);
      entry.resolve(reply);
    });
    worker.on('error', (error) => fail(worker, error));
    worker.on('exit', (code) => fail(worker, new Error(`a hashing worker thread exited with code ${code}`)));
    // After the listeners, which would hold the process again.
    worker.unref();
  }
  return {
    threaded: true,
    hash(buffers, batchCount, digestMask) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = nextId++;
      const worker = workers[id % workers.length] as Worker;
      return new Promise<Hashed>((resolve, reject) => {
        waiting.set(id, { resolve, reject, worker });
        hold(worker, 1);
        const request: BatchRequest = { id, buffers, count: batchCount, digestMask };
        worker.postMessage(request, Object.values(buffers) as ArrayBuffer[]);
      });
    },
    async close() {
      failure ??= new Error('the hashing pool is closed');
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
      held.idle = setTimeout(() => {
        if (shared === held) shared = undefined;
        void held.pool.close();
      }, IDLE_MS);
      held.idle.unref();
    },
  };
}
