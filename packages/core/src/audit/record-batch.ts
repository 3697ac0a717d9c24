import { hash } from 'node:crypto';
import { createRecordHasher, holdsIdUtf8 } from '../crypto';
import { IdDigestSet } from './id-digests';

/**
 * What `hashRecordBatch` found of each record: the low bits its own fault, then flags: its
 * hash member gave no leaf data; its top-level id is not the one it is stored under.
 */
export const RECORD_MALFORMED = 1;
export const RECORD_HASH_MISMATCH = 2;
export const LEAF_UNREADABLE = 4;
export const ID_MISMATCH = 8;

/** The buffers a batch is packed in (see RecordBatch), each its own ArrayBuffer: what a worker is handed and hands back. */
export interface BatchBuffers {
  readonly bytes: ArrayBuffer;
  readonly ends: ArrayBuffer;
  readonly ids: ArrayBuffer;
  readonly idEnds: ArrayBuffer;
}

/** Records packed back to back (record i ends at `ends[i]`), and the ids they are stored under, in UTF-8, likewise. */
export interface RecordBatch {
  readonly bytes: Buffer;
  readonly ends: Uint32Array;
  readonly ids: Buffer;
  readonly idEnds: Uint32Array;
  readonly count: number;
  /** The mask of the IdDigestSet the ids' digests are for; undefined when none is wanted. */
  readonly digestMask: number | undefined;
}

export interface HashedBatch {
  /** One byte a record: RECORD_MALFORMED or RECORD_HASH_MISMATCH (0 when intact), or'ed with LEAF_UNREADABLE. */
  readonly status: Uint8Array;
  /** Each record's leaf hash in the log's tree, 32 bytes apiece. */
  readonly leafHashes: Uint8Array;
  /** The root of the perfect subtree over the batch's leaves, when their count is a power of two. */
  readonly root: Uint8Array | undefined;
  /** Each id's digest (high, low), as `IdDigestSet.digestInto` writes it, when asked for. */
  readonly digests: Uint32Array | undefined;
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

/** The id record `i` of a batch is stored under, from the buffers it is packed in: asked only of a record at fault, so no string is kept per record. */
export function packedId(buffers: BatchBuffers, i: number): string {
  const idEnds = new Uint32Array(buffers.idEnds);
  return Buffer.from(buffers.ids).toString('utf8', i === 0 ? 0 : (idEnds[i - 1] as number), idEnds[i] as number);
}

/** The batch of `count` records packed in `buffers`, as views of them. */
export function unpackBatch(buffers: BatchBuffers, count: number, digestMask: number | undefined): RecordBatch {
  return { bytes: Buffer.from(buffers.bytes), ends: new Uint32Array(buffers.ends), ids: Buffer.from(buffers.ids), idEnds: new Uint32Array(buffers.idEnds), count, digestMask };
}

/**
 * What a hashing worker (hash-worker.ts, a message shell around this) answers a request
 * with: the batch hashed, and what to transfer back with the reply rather than copy: the
 * batch's own buffers and those of the results. Here, not in the worker's module, so that
 * it is tested on the calling thread.
 */
export function answerBatch(request: BatchRequest): { reply: BatchReply; transfer: ArrayBuffer[] } {
  const { id, buffers, count, digestMask } = request;
  const hashed = hashRecordBatch(unpackBatch(buffers, count, digestMask));
  const results = [hashed.status, hashed.leafHashes, ...(hashed.digests ? [hashed.digests] : [])].map((array) => array.buffer as ArrayBuffer);
  return { reply: { id, buffers, ...hashed }, transfer: [...Object.values(buffers), ...results] };
}

/**
 * The part of a verify that needs no other record: each record's own hash checked against its bytes, its
 * leaf hashed as SHA-256(0x00 || the 32 bytes of its hash member, zeros when that member is
 * unreadable), and, for a power-of-two count, the leaves folded into their subtree's root with
 * SHA-256(0x01 || left || right), whether it holds the id it is stored under, and that id's
 * digest. The hashes are RFC 9162's, as transparency/hash.ts takes them; they are taken here
 * with node:crypto alone, so that a worker thread running this (hash-worker.ts) loads only the
 * record layout, not the whole library.
 */
export function hashRecordBatch(batch: RecordBatch): HashedBatch {
  const { bytes, ends, ids, idEnds, count, digestMask } = batch;
  const hasher = createRecordHasher();
  const digester = digestMask === undefined ? undefined : new IdDigestSet(digestMask);
  const digests = digester && new Uint32Array(2 * count);
  const status = new Uint8Array(count);
  const leafHashes = Buffer.from(new ArrayBuffer(count * 32));
  const leafIn = Buffer.alloc(33);
  let start = 0;
  let idStart = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i] as number;
    const idEnd = idEnds[i] as number;
    const record = bytes.subarray(start, end);
    const fault = hasher.check(record);
    const own = fault === 'malformed' ? RECORD_MALFORMED : fault === 'hash_mismatch' ? RECORD_HASH_MISMATCH : 0;
    status[i] = own | (hasher.storedReadable ? 0 : LEAF_UNREADABLE) | (holdsIdUtf8(record, ids, idStart, idEnd) ? 0 : ID_MISMATCH);
    digester?.digestInto(ids, idStart, idEnd, digests as Uint32Array, 2 * i);
    if (hasher.storedReadable) leafIn.set(hasher.stored, 1);
    else leafIn.fill(0);
    leafHashes.write(hash('sha256', leafIn, 'binary'), i * 32, 32, 'latin1');
    start = end;
    idStart = idEnd;
  }
  return { status, leafHashes, root: count > 0 && (count & (count - 1)) === 0 ? subtreeRoot(leafHashes, count) : undefined, digests };
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
