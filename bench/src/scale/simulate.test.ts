import { describe, expect, it } from '@jest/globals';
import { initialBucketMap } from './routing';
import { bucketsOf, consistencyRequests, hotRecipient, inclusionRequests, partitionLoads, seeded, subjectHashes, tileWrites } from './simulate';
import { tileCounts, TILE_WIDTH } from './tiles';

describe('the simulations behind docs/scaling.md', () => {
  it('writes, checkpoint after checkpoint, every full tile of the final tree exactly once', () => {
    for (const [step, checkpoints] of [
      [1, 70_000],
      [97, 1_000],
      [65_536, 40],
      [1_585, 5_000],
    ] as const) {
      const fullTiles = tileCounts(step * checkpoints).reduce((sum, level) => sum + level.full, 0);
      expect([step, tileWrites(0, step, checkpoints).full]).toEqual([step, fullTiles]);
    }
    // One leaf a checkpoint: sizes 1..255 each rewrite the level-0 partial tile; at 256 it is
    // written full instead, and the level-1 partial tile of width 1 appears.
    expect(tileWrites(0, 1, TILE_WIDTH)).toEqual({ full: 1, partial: 255 + 1 });
  });

  it('counts every subject once in the partition loads', () => {
    const buckets = bucketsOf(subjectHashes(50_000), 4096);
    for (const partitions of [16, 64]) {
      const loads = partitionLoads(buckets, initialBucketMap(4096, partitions));
      expect(loads).toHaveLength(partitions);
      expect(loads.reduce((sum, load) => sum + load, 0)).toBe(50_000);
    }
  });

  it('puts a hot recipient on one partition when rows follow the recipient, and spreads it when they follow the subject', () => {
    const buckets = bucketsOf(subjectHashes(64_000), 4096);
    const hot = hotRecipient(buckets, initialBucketMap(4096, 64), 0.9, 999, seeded(19));
    expect(hot.agencyShare).toBeGreaterThan(0.88);
    expect(hot.byRecipient.maxOverMean).toBeGreaterThan(0.88 * 64);
    expect(hot.bySubject.maxOverMean).toBeLessThan(1.2);
  });

  it('asks for one tile per level, and the partial tiles at the right edge, for an inclusion proof', () => {
    const size = 70_000; // levels: 0 (273 full + 112), 1 (1 full + 17), 2 (partial of 1)
    // Leaf 0: its siblings below height 8 in its tile, 8 to 15 in tile/1/000, and the right half
    // [65536, 70000) from the right edge: 4096 + 256 leaves at level 1, 112 at level 0.
    const first = inclusionRequests(size, 1, () => 0);
    expect([...first.examplePaths].sort()).toEqual(['tile/0/000', 'tile/0/273.p/112', 'tile/1/000', 'tile/1/001.p/17']);
    // The last leaf: its own partial tile, then the left subtrees of 256, 4096 and 65536 leaves.
    const last = inclusionRequests(size, 1, () => size - 1);
    expect([...last.examplePaths].sort()).toEqual(['tile/0/273.p/112', 'tile/1/001.p/17', 'tile/2/000.p/1']);
    expect(consistencyRequests(1, () => [size - 1, size]).meanTiles).toBeGreaterThan(0);
  });
});
