/**
 * Routing a subject to a partition: subjectId → MurmurHash3 (x86, 32-bit, seed 0, over the
 * id's UTF-8 bytes) → one of a fixed number of buckets → the partition the bucket map names.
 * The bucket count never changes, so rebalancing moves whole buckets and the hash stays put.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mix(h: number, k: number): number {
  let block = Math.imul(k, C1);
  block = (block << 15) | (block >>> 17);
  block = Math.imul(block, C2);
  const mixed = h ^ block;
  return (Math.imul((mixed << 13) | (mixed >>> 19), 5) + 0xe6546b64) | 0;
}

/** MurmurHash3_x86_32 of the first `length` bytes, as an unsigned 32-bit number. */
export function murmur3(bytes: Uint8Array, seed = 0, length = bytes.length): number {
  let h = seed | 0;
  const blocks = length - (length % 4);
  for (let i = 0; i < blocks; i += 4) h = mix(h, (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
  let tail = 0;
  for (let i = length - 1; i >= blocks; i--) tail = (tail << 8) | (bytes[i] as number);
  if (length > blocks) {
    tail = Math.imul(tail, C1);
    tail = (tail << 15) | (tail >>> 17);
    h ^= Math.imul(tail, C2);
  }
  h ^= length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const encoder = new TextEncoder();

export function bucketOf(subjectId: string, buckets: number): number {
  return murmur3(encoder.encode(subjectId)) % buckets;
}

/** Which partition holds each bucket: entry b is bucket b's partition. */
export type BucketMap = readonly number[];

/** The first map: buckets dealt round-robin, so every partition has B/P of them (±1). */
export function initialBucketMap(buckets: number, partitions: number): BucketMap {
  return Array.from({ length: buckets }, (_, b) => b % partitions);
}

/**
 * Adds one partition by handing it its fair share of buckets, taken one at a time from the
 * partitions holding most. Only the buckets handed over move: the minimum, B/(P+1).
 */
export function addPartition(map: BucketMap): BucketMap {
  const next = [...map];
  const partitions = Math.max(...map) + 1;
  const held = Array.from({ length: partitions }, () => [] as number[]);
  next.forEach((partition, bucket) => (held[partition] as number[]).push(bucket));
  const share = Math.floor(map.length / (partitions + 1));
  for (let moved = 0; moved < share; moved++) {
    const richest = held.reduce((best, buckets, p) => (buckets.length > (held[best] as number[]).length ? p : best), 0);
    next[(held[richest] as number[]).pop() as number] = partitions;
  }
  return next;
}

/** How many buckets two maps place differently. */
export function bucketsMoved(before: BucketMap, after: BucketMap): number {
  return before.filter((partition, b) => after[b] !== partition).length;
}
