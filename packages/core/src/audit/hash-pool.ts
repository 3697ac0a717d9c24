import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { hashRecordBatch, type HashedBatch } from './record-batch';

/** A batch as a worker is handed it: the buffers are transferred, not copied, and come back with the reply. */
export interface BatchRequest {
  readonly id: number;
  readonly bytes: ArrayBuffer;
  readonly ends: ArrayBuffer;
  readonly count: number;
}

export interface BatchReply extends HashedBatch {
  readonly id: number;
  readonly bytes: ArrayBuffer;
  readonly ends: ArrayBuffer;
}

/** Hashed batches, with the buffers they were packed in, free to pack the next one into. */
export interface Hashed extends HashedBatch {
  readonly bytes: ArrayBuffer;
  readonly ends: ArrayBuffer;
}

export interface HashPool {
  /** True when it hashes on worker threads. */
  readonly threaded: boolean;
  /** Hashes the batch packed in `bytes` (its own ArrayBuffer, which the pool may transfer away until the result comes). */
  hash(bytes: ArrayBuffer, ends: ArrayBuffer, count: number): Promise<Hashed>;
  close(): Promise<void>;
}

/** Hashes on the calling thread: a small log, or where no worker can start. */
export const hashingInThread: HashPool = {
  threaded: false,
  async hash(bytes, ends, count) {
    return { ...hashRecordBatch(Buffer.from(bytes), new Uint32Array(ends), count), bytes, ends };
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
  const worker = new Worker(file, fromSources ? { execArgv: ['--require', 'ts-node/register/transpile-only'] } : {});
  worker.unref();
  return worker;
}

/**
 * `count` worker threads, each handed the next batch in turn. A worker that fails fails the
 * batches it holds: the verify reports the error rather than an answer it did not reach.
 * Where no worker can be started at all, the batches are hashed on the calling thread.
 */
export function createHashPool(count: number): HashPool {
  let workers: Worker[];
  try {
    workers = Array.from({ length: count }, startWorker);
  } catch {
    return hashingInThread;
  }
  const waiting = new Map<number, { resolve: (hashed: Hashed) => void; reject: (error: unknown) => void; worker: Worker }>();
  let nextId = 0;
  let failure: unknown;
  function fail(worker: Worker, error: unknown): void {
    failure ??= error;
    for (const [id, entry] of waiting) {
      if (entry.worker !== worker) continue;
      waiting.delete(id);
      entry.reject(error);
    }
  }
  for (const worker of workers) {
    worker.on('message', (reply: BatchReply) => {
      const entry = waiting.get(reply.id);
      waiting.delete(reply.id);
      entry?.resolve(reply);
    });
    worker.on('error', (error) => fail(worker, error));
    worker.on('exit', (code) => fail(worker, new Error(`a hashing worker thread exited with code ${code}`)));
  }
  return {
    threaded: true,
    hash(bytes, ends, batchCount) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = nextId++;
      const worker = workers[id % workers.length] as Worker;
      return new Promise<Hashed>((resolve, reject) => {
        waiting.set(id, { resolve, reject, worker });
        const request: BatchRequest = { id, bytes, ends, count: batchCount };
        worker.postMessage(request, [bytes, ends]);
      });
    },
    async close() {
      failure ??= new Error('the hashing pool is closed');
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
