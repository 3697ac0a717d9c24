import { hash } from 'node:crypto';

/** The first and past-the-last index of the perfect subtrees of height `height` inside leaves [start, end). */
export function subtreesInside(height: number, start: number, end: number): [number, number] {
  const width = 2 ** height;
  return [Math.ceil(start / width), Math.floor(end / width)];
}

/** The leaf hashes of a range of the tree's leaves, and every node of the perfect subtrees inside it. */
export interface HashedLeafRange {
  /** 32 bytes a leaf. */
  readonly leafHashes: Uint8Array;
  /** By height from 1 up, the roots of the perfect subtrees inside the range (`subtreesInside`), 32 bytes apiece. */
  readonly nodes: Uint8Array;
}

/**
 * Hashes `count` leaves of the log's tree from their leaf data (32 bytes apiece), the first
 * at index `start`: each leaf as SHA-256(0x00 || data), and each perfect subtree that lies
 * inside the range as SHA-256(0x01 || left || right). These are hash.ts's hashes, taken here
 * with node:crypto alone so that a worker thread running this (tree-worker.ts) loads nothing
 * else: the checkpointer's tree grows by ranges hashed there, off the service's thread.
 */
export function hashLeafRange(leafData: Uint8Array, count: number, start: number): HashedLeafRange {
  const end = start + count;
  const leafHashes = Buffer.from(new ArrayBuffer(count * 32));
  const leafIn = Buffer.alloc(33);
  for (let i = 0; i < count; i++) {
    // A byte at a time: a view made per leaf, or a copy call, costs more than the 32 bytes.
    for (let at = 0; at < 32; at++) leafIn[at + 1] = leafData[i * 32 + at] as number;
    leafHashes.write(hash('sha256', leafIn, 'binary'), i * 32, 32, 'latin1');
  }
  let total = 0;
  for (let height = 1; ; height++) {
    const [first, last] = subtreesInside(height, start, end);
    if (last <= first) break;
    total += last - first;
  }
  const nodes = Buffer.from(new ArrayBuffer(total * 32));
  const nodeIn = Buffer.alloc(65);
  nodeIn[0] = 0x01;
  let below = leafHashes;
  let belowFirst = start;
  let at = 0;
  for (let height = 1; ; height++) {
    const [first, last] = subtreesInside(height, start, end);
    if (last <= first) break;
    const from = at;
    for (let index = first; index < last; index++) {
      const left = (2 * index - belowFirst) * 32;
      for (let at = 0; at < 64; at++) nodeIn[at + 1] = below[left + at] as number;
      nodes.write(hash('sha256', nodeIn, 'binary'), at * 32, 32, 'latin1');
      at++;
    }
    below = nodes.subarray(from * 32, at * 32);
    belowFirst = first;
  }
  return { leafHashes, nodes };
}
