/**
 * The tile arithmetic of C2SP tlog-tiles (c2sp.org/tlog-tiles): the log's RFC 6962 tree
 * served as static 256-hash tiles. A tile at level L holds up to 256 consecutive hashes of
 * tree height 8·L; everything between two levels is rehashed by the client. These functions
 * say which tiles a proof needs, so the model counts requests by generating the real paths.
 */
import { nodeHash } from '@custodian/core';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
export const HASH_BYTES = 32;

/** One tile resource of a tree of some size: full (width 256) or the partial right edge of its level. */
export interface TileRef {
  level: number;
  index: number;
  width: number;
}

export interface LevelCount {
  level: number;
  full: number;
  /** The width of the level's partial tile, 0 when it has none. */
  partialWidth: number;
}

const span = (level: number) => TILE_WIDTH ** level;

/** Full and partial tiles per level for a tree of `size` leaves (the spec's "Partial Tiles"). */
export function tileCounts(size: number): LevelCount[] {
  const levels: LevelCount[] = [];
  for (let level = 0; Math.floor(size / span(level)) > 0; level++) {
    levels.push({ level, full: Math.floor(size / span(level + 1)), partialWidth: Math.floor(size / span(level)) % TILE_WIDTH });
  }
  return levels;
}

/** The tile, at this tree size, that holds hash number `position` of height 8·level. */
export function tileHolding(level: number, position: number, size: number): TileRef {
  const index = Math.floor(position / TILE_WIDTH);
  const full = (index + 1) * span(level + 1) <= size;
  return { level, index, width: full ? TILE_WIDTH : Math.floor(size / span(level)) % TILE_WIDTH };
}

/** `<N>` as the spec encodes it: 3-digit groups, all but the last prefixed with `x` (1234067 → x001/x234/067). */
export function encodeTileIndex(index: number): string {
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

/** A number naming a tile, cheaper than its path: a proof's tiles are counted by the million. */
export function tileKey(tile: TileRef): number {
  return tile.index * 4096 + tile.level * TILE_WIDTH + (tile.width % TILE_WIDTH);
}

export function tilePath(tile: TileRef): string {
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${tile.width < TILE_WIDTH ? `.p/${tile.width}` : ''}`;
}

/** A range of leaves [start, end) whose Merkle Tree Hash a proof carries. */
export interface LeafRange {
  start: number;
  end: number;
}

const largestPowerBelow = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), as the ranges of its hashes, from the leaf's sibling up. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  let [start, end, m] = [0, size, index];
  const ups: LeafRange[] = [];
  while (end - start > 1) {
    const k = largestPowerBelow(end - start);
    if (m < k) {
      ups.push({ start: start + k, end });
      end = start + k;
    } else {
      ups.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return ups.reverse();
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], true), as ranges, in the order the proof lists them. */
export function consistencyRanges(size1: number, size2: number): LeafRange[] {
  const proof: LeafRange[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push({ start, end });
      return;
    }
    const k = largestPowerBelow(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      proof.push({ start: start + k, end });
    } else {
      sub(m - k, start + k, end, false);
      proof.push({ start, end: start + k });
    }
  };
  if (size1 > 0 && size1 < size2) sub(size1, 0, size2, true);
  return proof;
}

/** A perfect subtree: 2^height leaves from `start` (a multiple of 2^height). */
interface Perfect {
  start: number;
  height: number;
}

/** floor(log2(n)) for a whole number n ≥ 1, exact where Math.log2 rounds near a power of two. */
function floorLog2(n: number): number {
  let h = Math.floor(Math.log2(n));
  if (2 ** h > n) h--;
  if (2 ** (h + 1) <= n) h++;
  return h;
}

/**
 * [start, end) as perfect subtrees, left to right, one per set bit of its length; its hash is
 * their right fold. Every range an RFC 9162 proof names starts at a multiple of the power of
 * two at or above its length, so each of these subtrees starts at a multiple of its own size.
 */
function perfectSubtrees(range: LeafRange): Perfect[] {
  const parts: Perfect[] = [];
  for (let start = range.start; start < range.end;) {
    const height = floorLog2(range.end - start);
    parts.push({ start, height });
    start += 2 ** height;
  }
  return parts;
}

/** Where a perfect subtree's hash comes from: `count` stored hashes of level `level` from `position`. */
function storedHashesOf(part: Perfect): { level: number; position: number; count: number } {
  const level = Math.floor(part.height / TILE_HEIGHT);
  return { level, position: part.start / span(level), count: 2 ** (part.height - level * TILE_HEIGHT) };
}

/** The tiles a client fetches to compute the hashes of these ranges in a tree of `size` leaves. */
export function tilesFor(ranges: readonly LeafRange[], size: number): TileRef[] {
  const tiles = new Map<number, TileRef>();
  for (const range of ranges) {
    for (const part of perfectSubtrees(range)) {
      const { level, position } = storedHashesOf(part);
      const tile = tileHolding(level, position, size);
      tiles.set(tileKey(tile), tile);
    }
  }
  return [...tiles.values()];
}

/** Reads a tile's bytes (`width` hashes) from wherever the tiles are kept. */
export type TileReader = (tile: TileRef) => Uint8Array;

/** The Merkle Tree Hash of a range, from tiles alone: what a tlog-tiles client computes. */
export function hashFromTiles(range: LeafRange, size: number, read: TileReader): Uint8Array {
  const hashes = perfectSubtrees(range).map((part) => {
    const { level, position, count } = storedHashesOf(part);
    const tile = tileHolding(level, position, size);
    const bytes = read(tile);
    const offset = position % TILE_WIDTH;
    return rootOfPerfect(Array.from({ length: count }, (_, i) => bytes.subarray((offset + i) * HASH_BYTES, (offset + i + 1) * HASH_BYTES)));
  });
  return hashes.reduceRight((right, left) => nodeHash(left, right));
}

/**
 * Every tile of a tree, built from its leaf hashes level by level: entry i of level L+1 is
 * the root of full tile i of level L. Keyed by `tilePath`. For checks at small sizes.
 */
export function buildTiles(leafHashes: readonly Uint8Array[]): Map<string, Uint8Array> {
  const tiles = new Map<string, Uint8Array>();
  let row: Uint8Array[] = [...leafHashes];
  for (let level = 0; row.length > 0; level++) {
    const next: Uint8Array[] = [];
    for (let index = 0; index * TILE_WIDTH < row.length; index++) {
      const hashes = row.slice(index * TILE_WIDTH, (index + 1) * TILE_WIDTH);
      tiles.set(tilePath({ level, index, width: hashes.length }), Buffer.concat(hashes));
      if (hashes.length === TILE_WIDTH) next.push(rootOfPerfect(hashes));
    }
    row = next;
  }
  return tiles;
}

/** The root of 2^h hashes side by side: the levels a tile leaves to the client. */
function rootOfPerfect(hashes: readonly Uint8Array[]): Uint8Array {
  let row = [...hashes];
  while (row.length > 1) row = row.filter((_, i) => i % 2 === 0).map((left, i) => nodeHash(left, row[2 * i + 1] as Uint8Array));
  return row[0] as Uint8Array;
}

/** A reader over `buildTiles` output for a tree of any size up to the one built: a partial tile is a prefix. */
export function readerOf(tiles: ReadonlyMap<string, Uint8Array>): TileReader {
  return (tile) => {
    const stored = tiles.get(tilePath({ ...tile, width: TILE_WIDTH })) ?? findPartial(tiles, tile);
    if (stored === undefined || stored.length < tile.width * HASH_BYTES) throw new RangeError(`no tile ${tilePath(tile)}`);
    return stored.subarray(0, tile.width * HASH_BYTES);
  };
}

function findPartial(tiles: ReadonlyMap<string, Uint8Array>, tile: TileRef): Uint8Array | undefined {
  for (let width = TILE_WIDTH - 1; width >= tile.width; width--) {
    const stored = tiles.get(tilePath({ ...tile, width }));
    if (stored !== undefined) return stored;
  }
  return undefined;
}
