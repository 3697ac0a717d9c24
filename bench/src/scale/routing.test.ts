import { describe, expect, it } from '@jest/globals';
import { addPartition, bucketOf, bucketsMoved, initialBucketMap, murmur3 } from './routing';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('routing a subject to a partition', () => {
  it('hashes with MurmurHash3_x86_32 as its reference vectors say, so any language routes alike', () => {
    expect(murmur3(bytes(''), 0)).toBe(0);
    expect(murmur3(bytes(''), 1)).toBe(0x514e28b7);
    expect(murmur3(bytes('The quick brown fox jumps over the lazy dog'), 0)).toBe(0x2e4ff723);
    expect(murmur3(bytes('hello'), 0)).toBe(0x248bfa47);
    expect(murmur3(bytes('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
  });
});

describe('the bucket map', () => {
  it('routes the same id to the same bucket, and spreads ids evenly over buckets', () => {
    expect(bucketOf('cust-4f9a2c', 4096)).toBe(bucketOf('cust-4f9a2c', 4096));
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const bucket = bucketOf(`cust-${i}`, 16);
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('adds a partition by moving only its fair share of buckets, all to it, and stays balanced', () => {
    const before = initialBucketMap(4096, 16);
    const after = addPartition(before);
    expect(bucketsMoved(before, after)).toBe(Math.floor(4096 / 17));
    expect(after.filter((partition, b) => partition !== before[b]).every((partition) => partition === 16)).toBe(true);
    const held = Array.from({ length: 17 }, (_, p) => after.filter((partition) => partition === p).length);
    expect(Math.max(...held) - Math.min(...held)).toBeLessThanOrEqual(1);
  });

  it('doubles the partitions one at a time moving half the buckets, no more', () => {
    let map = initialBucketMap(4096, 16);
    for (let p = 16; p < 32; p++) map = addPartition(map);
    expect(bucketsMoved(initialBucketMap(4096, 16), map)).toBe(2048);
    expect(new Set(map).size).toBe(32);
  });
});
