import { parentPort } from 'node:worker_threads';
import { hashRecordBatch } from './record-batch';
import type { BatchReply, BatchRequest } from './hash-pool';

// A worker thread of hash-pool.ts: hashes the batches it is handed and hands back the results, and the batch's own buffers for reuse.
parentPort?.on('message', (request: BatchRequest) => {
  const { id, buffers, count, digestMask } = request;
  const hashed = hashRecordBatch({
    bytes: Buffer.from(buffers.bytes),
    ends: new Uint32Array(buffers.ends),
    ids: Buffer.from(buffers.ids),
    idEnds: new Uint32Array(buffers.idEnds),
    count,
    digestMask,
  });
  const reply: BatchReply = { id, buffers, ...hashed };
  const results = [hashed.status, hashed.leafHashes, ...(hashed.digests ? [hashed.digests] : [])].map((array) => array.buffer as ArrayBuffer);
  parentPort?.postMessage(reply, [...Object.values(buffers), ...results]);
});
