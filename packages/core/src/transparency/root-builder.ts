import { TreeRangeError } from './errors';
import { EMPTY_ROOT, HASH_BYTES, sha256Latin1 } from './hash';

/** Sizes up to 2^53 have at most 53 set bits: one slot each, and one for the node being merged. */
const SLOTS = 54;

/**
 * The root of a log that grows one leaf at a time, from its compact range alone: one
 * perfect-subtree root per set bit of the size, so O(log n) memory, and per leaf one leaf
 * hash plus one node hash on average. The range sits in one buffer, the nodes are merged in
 * place and no Buffer is made per hash: this is the hot path of verify and of the
 * checkpointer.
 */
export interface RootBuilder {
  readonly size: number;
  /** Adds the next leaf by its leaf data (32 bytes: a record's hash member), hashing it as SHA-256(0x00 || data). */
  addLeafData(data: Uint8Array): void;
  /** Adds the next leaf by its leaf hash. */
  addLeafHash(leafHash: Uint8Array): void;
  /**
   * Adds the next 2^height leaves at once by the root of their perfect subtree (hashed
   * elsewhere: a worker thread's batch). The size must be a multiple of 2^height, so that
   * the subtree is one of the tree's own; `lastLeafHash` is then not that of the last leaf.
   */
  addSubtree(height: number, subtreeRoot: Uint8Array): void;
  /** The leaf hash of the leaf added last. */
  readonly lastLeafHash: Uint8Array;
  root(): Buffer;
  /** The compact range, tallest first (copies). */
  roots(): Buffer[];
}

/** `onNode` is told each perfect-subtree root formed: its height (≥ 1), its index among those of its height, and its bytes (a view valid during the call). */
export function createRootBuilder(onNode?: (height: number, index: number, node: Uint8Array) => void): RootBuilder {
  const slots = Buffer.alloc(SLOTS * HASH_BYTES);
  const leafIn = Buffer.alloc(1 + HASH_BYTES);
  const nodeIn = Buffer.alloc(1 + 2 * HASH_BYTES);
  nodeIn[0] = 0x01;
  const lastLeaf = Buffer.alloc(HASH_BYTES);
  let top = 0;
  let size = 0;

  function write(digest: string, offset: number): void {
    slots.write(digest, offset, HASH_BYTES, 'latin1');
  }

  /** The new leaf hash is in slot `top`: each trailing one bit of its index closes a perfect subtree with its left sibling. */
  function merge(): void {
    // Buffer#copy, not set(subarray(...)): no view is made per hash.
    slots.copy(lastLeaf, 0, top * HASH_BYTES, (top + 1) * HASH_BYTES);
    mergeFrom(0, size);
    size++;
  }

  /** The node in slot `top` is the root of perfect subtree `at` of height `from`: merged with its left siblings while it has one. */
  function mergeFrom(from: number, index: number): void {
    let at = index;
    let height = from;
    while (at % 2 === 1) {
      slots.copy(nodeIn, 1, (top - 1) * HASH_BYTES, (top + 1) * HASH_BYTES);
      top--;
      write(sha256Latin1(nodeIn), top * HASH_BYTES);
      height++;
      at = (at - 1) / 2;
      if (onNode) onNode(height, at, slots.subarray(top * HASH_BYTES, (top + 1) * HASH_BYTES));
    }
    top++;
  }

  return {
    get size() {
      return size;
    },
    lastLeafHash: lastLeaf,
    addLeafData(data) {
      leafIn.set(data, 1);
      write(sha256Latin1(leafIn), top * HASH_BYTES);
      merge();
    },
    addLeafHash(leafHash) {
      slots.set(leafHash, top * HASH_BYTES);
      merge();
    },
    addSubtree(height, subtreeRoot) {
      const leaves = 2 ** height;
      if (!Number.isInteger(height) || height < 0 || size % leaves !== 0) throw new TreeRangeError('size', size, leaves, 'is not a multiple of the subtree width');
      slots.set(subtreeRoot, top * HASH_BYTES);
      mergeFrom(height, size / leaves);
      size += leaves;
    },
    root() {
      if (size === 0) return Buffer.from(EMPTY_ROOT);
      const root = Buffer.from(slots.subarray((top - 1) * HASH_BYTES, top * HASH_BYTES));
      for (let i = top - 2; i >= 0; i--) {
        nodeIn.set(slots.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES), 1);
        nodeIn.set(root, 1 + HASH_BYTES);
        root.write(sha256Latin1(nodeIn), 'latin1');
      }
      return root;
    },
    roots() {
      return Array.from({ length: top }, (_, i) => Buffer.from(slots.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)));
    },
  };
}
