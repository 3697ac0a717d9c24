import { parentPort } from 'node:worker_threads';
import { hashRecordBatch } from './record-batch';
import type { BatchReply, BatchRequest } from './hash-pool';

// A worker thread of hash-pool.ts: hashes the batches it is handed and hands back the results, and the batch's own buffers for reuse.
parentPort?.on('message', (request: BatchRequest) => {
  const hashed = hashRecordBatch(Buffer.from(request.bytes), new Uint32Array(request.ends), request.count);
  const reply: BatchReply = { id: request.id, bytes: request.bytes, ends: request.ends, status: hashed.status, leafHashes: hashed.leafHashes, root: hashed.root };
  parentPort?.postMessage(reply, [request.bytes, request.ends, hashed.status.buffer as ArrayBuffer, hashed.leafHashes.buffer as ArrayBuffer]);
});
