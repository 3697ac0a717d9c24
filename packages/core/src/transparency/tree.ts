import { EMPTY_ROOT, HASH_BYTES, assertHash, nodeHash, splitPoint } from './hash';
import { TreeRangeError } from './errors';
import { subtreesInside, type HashedLeafRange } from './leaf-range';
import { createRootBuilder, type RootBuilder } from './root-builder';

/**
 * Interior nodes of perfect subtrees of this height and above are kept; lower ones are
 * rehashed from the leaves on demand (at most 2^CACHED_FROM - 1 hashes each). That keeps
 * the index near 36 bytes a leaf while a proof in a million-leaf tree stays in microseconds.
 */
const CACHED_FROM = 4;

/** The perfect subtree roots that summarise a tree, left to right (the compact range). */
export interface CompactRange {
  readonly size: number;
  /** One root per set bit of `size`, tallest first. */
  readonly roots: readonly Uint8Array[];
}

/**
 * An append-only RFC 6962 / 9162 Merkle tree over leaf hashes, built one leaf at a
 * time. Its compact range gives the current root in O(log n); its index of leaf
 * hashes and cached interior nodes gives the root at any earlier size and inclusion
 * and consistency proofs between any sizes up to its own.
 */
export interface MerkleTree {
  readonly size: number;
  /** Appends a leaf hash (SHA-256(0x00 || leaf data)); returns its index. */
  append(leafHash: Uint8Array): number;
  /** Appends the leaf of 32 bytes of leaf data, hashing it as SHA-256(0x00 || data) without a Buffer made; returns its index. */
  appendLeafData(data: Uint8Array): number;
  /**
   * Appends `count` leaves hashed elsewhere, with the nodes of the perfect subtrees among them
   * (`hashLeafRange` from the tree's size): only the nodes across the old and new leaves are
   * hashed here, O(log n) of them.
   */
  appendHashed(range: HashedLeafRange, count: number): void;
  /** The root at the current size. */
  root(): Uint8Array;
  /** The root the tree had when it held `size` leaves. */
  rootAt(size: number): Uint8Array;
  leafHashAt(index: number): Uint8Array;
  /** RFC 9162 §2.1.3.1 PATH(index, D[size]): the leaf's sibling first, the root's child last. */
  inclusionProof(index: number, size?: number): Uint8Array[];
  /** RFC 9162 §2.1.4.1 PROOF(size1, D[size2]). */
  consistencyProof(size1: number, size2?: number): Uint8Array[];
  compactRange(): CompactRange;
  /** Bytes the index has allocated (leaf hashes, cached nodes, the compact range); growth doubles. */
  memoryBytes(): number;
}

/** A byte array of 32-byte slots that grows by doubling. */
function hashColumn() {
  let bytes = Buffer.alloc(0);
  return {
    put(index: number, value: Uint8Array) {
      const end = (index + 1) * HASH_BYTES;
      if (end > bytes.length) {
        const grown = Buffer.alloc(Math.max(end, 2 * bytes.length, 16 * HASH_BYTES));
        bytes.copy(grown);
        bytes = grown;
      }
      bytes.set(value, index * HASH_BYTES);
    },
    get(index: number): Uint8Array {
      return bytes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
    },
    /** Puts `count` values from `values` at `index` onward. */
    putAll(index: number, values: Uint8Array, count: number) {
      if (count === 0) return;
      const end = (index + count) * HASH_BYTES;
      if (end > bytes.length) {
        const grown = Buffer.alloc(Math.max(end, 2 * bytes.length, 16 * HASH_BYTES));
        bytes.copy(grown);
        bytes = grown;
      }
      bytes.set(values.subarray(0, count * HASH_BYTES), index * HASH_BYTES);
    },
    bytes: () => bytes.length,
  };
}

/** MTH(D[lo:hi]) of one tree. */
type RangeHash = (lo: number, hi: number) => Uint8Array;

function path(range: RangeHash, index: number, lo: number, hi: number, out: Uint8Array[]): void {
  if (hi - lo <= 1) return;
  const k = splitPoint(hi - lo);
  if (index < lo + k) {
    path(range, index, lo, lo + k, out);
    out.push(range(lo + k, hi));
  } else {
    path(range, index, lo + k, hi, out);
    out.push(range(lo, lo + k));
  }
}

/** SUBPROOF(m, D[lo:hi], whole): `whole` while D[lo:hi]'s old part is the old tree itself. */
function subproof(range: RangeHash, m: number, lo: number, hi: number, whole: boolean, out: Uint8Array[]): void {
  if (m === hi) {
    if (!whole) out.push(range(lo, hi));
    return;
  }
  const k = splitPoint(hi - lo);
  if (m - lo <= k) {
    subproof(range, m, lo, lo + k, whole, out);
    out.push(range(lo + k, hi));
  } else {
    subproof(range, m, lo + k, hi, false, out);
    out.push(range(lo, lo + k));
  }
}

function checkSize(what: string, value: number, size: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TreeRangeError(what, value, 0, 'is not a whole number ≥');
  if (value > size) throw new TreeRangeError(what, value, size, 'is beyond the tree size');
}

type HashColumn = ReturnType<typeof hashColumn>;

/**
 * Stores a range of leaves hashed elsewhere (`hashLeafRange` from `start`): their leaf hashes,
 * the cached nodes among them, and the compact range grown by the largest perfect subtrees
 * that tile the range, left to right (only their merges with the older leaves are hashed).
 */
function takeRange(range: HashedLeafRange, start: number, count: number, into: { leaves: HashColumn; levels: HashColumn[]; frontier: RootBuilder }): void {
  const { leaves, levels, frontier } = into;
  const end = start + count;
  leaves.putAll(start, range.leafHashes, count);
  /** Where each height's nodes start in range.nodes: after every node of the heights below. */
  const offsets: number[] = [0, 0];
  for (let height = 1; ; height++) {
    const [first, last] = subtreesInside(height, start, end);
    if (last <= first) break;
    if (height >= CACHED_FROM) (levels[height] ??= hashColumn()).putAll(first, range.nodes.subarray((offsets[height] as number) * HASH_BYTES), last - first);
    offsets[height + 1] = (offsets[height] as number) + last - first;
  }
  for (let at = start; at < end;) {
    let height = 0;
    while (at % 2 ** (height + 1) === 0 && at + 2 ** (height + 1) <= end) height++;
    if (height === 0) frontier.addLeafHash(range.leafHashes.subarray((at - start) * HASH_BYTES, (at - start + 1) * HASH_BYTES));
    else {
      const node = (offsets[height] as number) + at / 2 ** height - (subtreesInside(height, start, end)[0] as number);
      frontier.addSubtree(height, range.nodes.subarray(node * HASH_BYTES, (node + 1) * HASH_BYTES));
    }
    at += 2 ** height;
  }
}

export function createMerkleTree(): MerkleTree {
  const leaves = hashColumn();
  /** levels[h] holds the roots of perfect subtrees of height h ≥ CACHED_FROM, left to right. */
  const levels: HashColumn[] = [];
  /** The compact range: roots of the perfect subtrees covering [0, size), tallest first. */
  const frontier = createRootBuilder((height, index, node) => {
    if (height >= CACHED_FROM) (levels[height] ??= hashColumn()).put(index, node);
  });
  let size = 0;

  /** Root of the perfect subtree of height `height` whose leftmost leaf is index << height. */
  function perfect(height: number, index: number): Uint8Array {
    if (height === 0) return leaves.get(index);
    if (height >= CACHED_FROM) return (levels[height] as ReturnType<typeof hashColumn>).get(index);
    return nodeHash(perfect(height - 1, 2 * index), perfect(height - 1, 2 * index + 1));
  }

  /** MTH(D[lo:hi]) for lo < hi, where lo is a multiple of the split of the range above it. */
  function range(lo: number, hi: number): Uint8Array {
    const width = hi - lo;
    const height = Math.log2(width);
    if (Number.isInteger(height) && lo % width === 0) return perfect(height, lo / width);
    const k = splitPoint(width);
    return nodeHash(range(lo, lo + k), range(lo + k, hi));
  }

  return {
    get size() {
      return size;
    },
    append(leafHash) {
      assertHash(leafHash, 'leafHash');
      leaves.put(size, leafHash);
      frontier.addLeafHash(leafHash);
      return size++;
    },
    appendLeafData(data) {
      assertHash(data, 'data');
      frontier.addLeafData(data);
      leaves.put(size, frontier.lastLeafHash);
      return size++;
    },
    appendHashed(range, count) {
      takeRange(range, size, count, { leaves, levels, frontier });
      size += count;
    },
    root() {
      return frontier.root();
    },
    rootAt(at) {
      checkSize('size', at, size);
      return at === 0 ? EMPTY_ROOT : range(0, at);
    },
    leafHashAt(index) {
      checkSize('index', index, size);
      if (index === size) throw new TreeRangeError('index', index, size, 'is not below the tree size');
      return Buffer.from(leaves.get(index));
    },
    inclusionProof(index, at = size) {
      checkSize('size', at, size);
      checkSize('index', index, size);
      if (index >= at) throw new TreeRangeError('index', index, at, 'is not below the tree size');
      const out: Uint8Array[] = [];
      path(range, index, 0, at, out);
      return out;
    },
    consistencyProof(size1, size2 = size) {
      checkSize('size2', size2, size);
      checkSize('size1', size1, size);
      if (size1 > size2) throw new TreeRangeError('size1', size1, size2, 'is beyond size2');
      const out: Uint8Array[] = [];
      // From the empty tree there is nothing to prove (RFC 9162 defines proofs for 0 < size1).
      if (size1 > 0) subproof(range, size1, 0, size2, true, out);
      return out;
    },
    compactRange() {
      return { size, roots: frontier.roots() };
    },
    memoryBytes() {
      return leaves.bytes() + levels.reduce((sum, level) => sum + (level?.bytes() ?? 0), 0) + frontier.roots().length * HASH_BYTES;
    },
  };
}
