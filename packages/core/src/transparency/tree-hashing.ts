import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { hashLeafRange, type HashedLeafRange } from './leaf-range';

export interface LeafRangeRequest {
  readonly id: number;
  /** Transferred: 32 bytes of leaf data a leaf. */
  readonly leafData: ArrayBuffer;
  readonly count: number;
  readonly start: number;
}

export interface LeafRangeReply extends HashedLeafRange {
  readonly id: number;
}

/** How long the worker waits, idle, for the next range before it ends: a checkpointer hands it one every poll. */
const IDLE_MS = 5_000;

interface Running {
  readonly worker: Worker;
  readonly waiting: Map<number, { resolve: (hashed: HashedLeafRange) => void; reject: (error: unknown) => void }>;
  idle: NodeJS.Timeout | undefined;
}

let running: Running | undefined;
let nextId = 0;

/** The worker's module beside this one; run from the sources (the tests), TypeScript read through ts-node, the workspace's own. */
function start(): Running | undefined {
  const file = join(__dirname, `tree-worker${extname(__filename)}`);
  let worker: Worker;
  try {
    worker = new Worker(file, file.endsWith('.ts') ? { execArgv: ['--require', 'ts-node/register/transpile-only'] } : {});
  } catch {
    return undefined;
  }
  const started: Running = { worker, waiting: new Map(), idle: undefined };
  const fail = (error: unknown) => {
    if (running === started) running = undefined;
    for (const entry of started.waiting.values()) entry.reject(error);
    started.waiting.clear();
  };
  worker.on('message', (reply: LeafRangeReply) => {
    const entry = started.waiting.get(reply.id);
    started.waiting.delete(reply.id);
    entry?.resolve(reply);
    if (started.waiting.size === 0) rest(started);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the tree's hashing worker thread exited with code ${code}`)));
  // After the listeners, which would hold the process again: it is held only while a range is hashed.
  worker.unref();
  return started;
}

function rest(idle: Running): void {
  idle.worker.unref();
  idle.idle = setTimeout(() => {
    if (running === idle) running = undefined;
    void idle.worker.terminate();
  }, IDLE_MS);
  idle.idle.unref();
}

/**
 * Hashes a range of leaves (see `hashLeafRange`) on the process's tree-hashing worker thread,
 * started at the first range and ended after IDLE_MS idle; on the calling thread where no
 * worker can start. A `leafData` with a buffer of its own is handed over: its caller no
 * longer reads it.
 */
export function hashLeafRangeOffThread(leafData: Uint8Array, count: number, startIndex: number): Promise<HashedLeafRange> {
  running ??= start();
  const on = running;
  if (on === undefined) return Promise.resolve(hashLeafRange(leafData, count, startIndex));
  clearTimeout(on.idle);
  on.worker.ref();
  // Transferred, so it must be a buffer of its own: never a view of a shared one (Node's Buffer pool).
  const own = leafData.byteOffset === 0 && leafData.byteLength === leafData.buffer.byteLength ? leafData.buffer : new Uint8Array(leafData).buffer;
  const id = nextId++;
  return new Promise<HashedLeafRange>((resolve, reject) => {
    on.waiting.set(id, { resolve, reject });
    const request: LeafRangeRequest = { id, leafData: own as ArrayBuffer, count, start: startIndex };
    on.worker.postMessage(request, [own as ArrayBuffer]);
  });
}
