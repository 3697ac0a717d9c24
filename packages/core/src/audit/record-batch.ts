import { hash } from 'node:crypto';
import { createRecordHasher } from '../crypto';

/** What `hashRecordBatch` found of each record: the low bits its own fault, the flag that its hash member gave no leaf data. */
export const RECORD_MALFORMED = 1;
export const RECORD_HASH_MISMATCH = 2;
export const LEAF_UNREADABLE = 4;

export interface HashedBatch {
  /** One byte a record: RECORD_MALFORMED or RECORD_HASH_MISMATCH (0 when intact), or'ed with LEAF_UNREADABLE. */
  readonly status: Uint8Array;
  /** Each record's leaf hash in the log's tree, 32 bytes apiece. */
  readonly leafHashes: Uint8Array;
  /** The root of the perfect subtree over the batch's leaves, when their count is a power of two. */
  readonly root: Uint8Array | undefined;
}

/**
 * The part of a verify that costs digests, over a batch of records packed back to back
 * (`ends[i]` is where record i ends): each record's own hash checked against its bytes, its
 * leaf hashed as SHA-256(0x00 || the 32 bytes of its hash member, zeros when that member is
 * unreadable), and, for a power-of-two count, the leaves folded into their subtree's root with
 * SHA-256(0x01 || left || right). These are RFC 9162's hashes, as transparency/hash.ts takes
 * them; they are taken here with node:crypto alone, so that a worker thread running this
 * (hash-worker.ts) loads only the record layout, not the whole library.
 */
export function hashRecordBatch(bytes: Buffer, ends: Uint32Array, count: number): HashedBatch {
  const hasher = createRecordHasher();
  const status = new Uint8Array(count);
  const leafHashes = Buffer.from(new ArrayBuffer(count * 32));
  const leafIn = Buffer.alloc(33);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i] as number;
    const fault = hasher.check(bytes.subarray(start, end));
    const own = fault === 'malformed' ? RECORD_MALFORMED : fault === 'hash_mismatch' ? RECORD_HASH_MISMATCH : 0;
    status[i] = hasher.storedReadable ? own : own | LEAF_UNREADABLE;
    if (hasher.storedReadable) leafIn.set(hasher.stored, 1);
    else leafIn.fill(0);
    leafHashes.write(hash('sha256', leafIn, 'binary'), i * 32, 32, 'latin1');
    start = end;
  }
  return { status, leafHashes, root: count > 0 && (count & (count - 1)) === 0 ? subtreeRoot(leafHashes, count) : undefined };
}

/** Folds 2^k leaf hashes pairwise, level by level, into a copy. */
function subtreeRoot(leafHashes: Buffer, count: number): Uint8Array {
  const level = Buffer.from(leafHashes);
  const nodeIn = Buffer.alloc(65);
  nodeIn[0] = 0x01;
  for (let width = count; width > 1; width /= 2) {
    for (let i = 0; i < width / 2; i++) {
      level.copy(nodeIn, 1, 64 * i, 64 * i + 64);
      level.write(hash('sha256', nodeIn, 'binary'), 32 * i, 32, 'latin1');
    }
  }
  return Uint8Array.from(level.subarray(0, 32));
}
