import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createMerkleTree, leafHash, verifyConsistency, verifyInclusion } from '@custodian/core';
import { buildTiles, consistencyRanges, encodeTileIndex, hashFromTiles, inclusionRanges, readerOf, tileCounts, tilePath, tilesFor } from './tiles';

const SIZE = 100_000;
const leaves = Array.from({ length: SIZE }, (_, i) => leafHash(createHash('sha256').update(`record ${i}`).digest()));
const tree = createMerkleTree();
for (const leaf of leaves) tree.append(leaf);
const tiles = buildTiles(leaves);
const read = readerOf(tiles);

/** Deterministic, so a failing case can be replayed. */
function lcg(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
/** Each size a random one, plus the edges where a tile fills up. */
const SIZES = [
  1,
  2,
  255,
  256,
  257,
  65_535,
  65_536,
  65_537,
  70_000,
  99_999,
  SIZE,
  ...Array.from(
    { length: 20 },
    (
      (r) => () =>
        1 + r(SIZE)
    )(lcg(16)),
  ),
];

describe('the tlog-tiles arithmetic, against the ledger tree of 100,000 leaves', () => {
  it('reassembles the root at every size from the tiles alone', () => {
    for (const size of SIZES) expect([size, hex(hashFromTiles({ start: 0, end: size }, size, read))]).toEqual([size, hex(tree.rootAt(size))]);
  });

  it('computes from tiles the inclusion proofs the tree makes, and they verify', () => {
    const random = lcg(6962);
    for (const size of SIZES) {
      for (let round = 0; round < 10; round++) {
        const index = random(size);
        const proof = inclusionRanges(index, size).map((range) => hashFromTiles(range, size, read));
        expect([index, size, proof.map(hex)]).toEqual([index, size, tree.inclusionProof(index, size).map(hex)]);
        expect(verifyInclusion(leaves[index] as Uint8Array, index, size, proof, tree.rootAt(size))).toEqual({ ok: true });
      }
    }
  });

  it('computes from tiles the consistency proofs the tree makes, and they verify', () => {
    const random = lcg(9162);
    for (const size2 of SIZES.filter((size) => size > 1)) {
      for (let round = 0; round < 10; round++) {
        const size1 = 1 + random(size2 - 1);
        const proof = consistencyRanges(size1, size2).map((range) => hashFromTiles(range, size2, read));
        expect([size1, size2, proof.map(hex)]).toEqual([size1, size2, tree.consistencyProof(size1, size2).map(hex)]);
        expect(verifyConsistency(size1, size2, proof, tree.rootAt(size1), tree.rootAt(size2))).toEqual({ ok: true });
      }
    }
  });

  it('names only tiles that exist at the proof size, so the requests the model counts are ones a log serves', () => {
    const random = lcg(1);
    for (const size of SIZES) {
      const index = random(size);
      for (const tile of tilesFor(inclusionRanges(index, size), size)) expect(() => read(tile)).not.toThrow();
      for (const tile of tilesFor([{ start: 0, end: size }], size)) expect(tile.width).toBeGreaterThan(0);
    }
  });
});

describe('the tile layout of the spec (c2sp.org/tlog-tiles)', () => {
  it('counts the tiles of its 70,000 and 256 examples', () => {
    expect(tileCounts(70_000)).toEqual([
      { level: 0, full: 273, partialWidth: 112 },
      { level: 1, full: 1, partialWidth: 17 },
      { level: 2, full: 0, partialWidth: 1 },
    ]);
    expect(tileCounts(256)).toEqual([
      { level: 0, full: 1, partialWidth: 0 },
      { level: 1, full: 0, partialWidth: 1 },
    ]);
    const built = [...buildTiles(leaves.slice(0, 70_000)).keys()];
    expect(built.filter((path) => path.startsWith('tile/0/') && !path.includes('.p/'))).toHaveLength(273);
    expect(built.filter((path) => path.includes('.p/'))).toEqual(['tile/0/273.p/112', 'tile/1/001.p/17', 'tile/2/000.p/1']);
  });

  it('encodes tile indexes in x-prefixed 3-digit groups', () => {
    expect(encodeTileIndex(1_234_067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath({ level: 1, index: 1_234_067, width: 17 })).toBe('tile/1/x001/x234/067.p/17');
    expect(tilePath({ level: 0, index: 5, width: 256 })).toBe('tile/0/005');
  });
});
