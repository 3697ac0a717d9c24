import { parentPort } from 'node:worker_threads';
import { hashLeafRange } from './leaf-range';
import type { LeafRangeReply, LeafRangeRequest } from './tree-hashing';

// A worker thread of tree-hashing.ts: hashes the leaf ranges it is handed.
parentPort?.on('message', (request: LeafRangeRequest) => {
  const { leafHashes, nodes } = hashLeafRange(new Uint8Array(request.leafData), request.count, request.start);
  const reply: LeafRangeReply = { id: request.id, leafHashes, nodes };
  parentPort?.postMessage(reply, [leafHashes.buffer as ArrayBuffer, nodes.buffer as ArrayBuffer]);
});
