import { parentPort } from 'node:worker_threads';
import { answerBatch, type BatchRequest } from './record-batch';

// A worker thread of hash-pool.ts: a message shell around answerBatch, which holds all it
// does (and is tested on the calling thread: mutation testing cannot see into a worker).
parentPort?.on('message', (request: BatchRequest) => {
  const { reply, transfer } = answerBatch(request);
  parentPort?.postMessage(reply, transfer);
});
