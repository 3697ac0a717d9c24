import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { leafHash, rootOfLeaves } from './hash';
import { createRootBuilder } from './root-builder';
import { createMerkleTree } from './tree';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const data = (i: number) => createHash('sha256').update(`leaf ${i}`).digest();

describe('the root builder', () => {
  it('gives the RFC 9162 root at every size from 0 to 130, fed leaf data or leaf hashes, and the tree its compact range', () => {
    const byData = createRootBuilder();
    const byHash = createRootBuilder();
    const tree = createMerkleTree();
    const leaves: Uint8Array[] = [];
    expect(hex(byData.root())).toBe(hex(rootOfLeaves([])));
    for (let i = 0; i < 130; i++) {
      byData.addLeafData(data(i));
      byHash.addLeafHash(leafHash(data(i)));
      tree.appendLeafData(data(i));
      leaves.push(leafHash(data(i)));
      const expected = hex(rootOfLeaves(leaves));
      expect(`${i + 1}:${hex(byData.root())}`).toBe(`${i + 1}:${expected}`);
      expect(`${i + 1}:${hex(byHash.root())}`).toBe(`${i + 1}:${expected}`);
      expect(hex(byData.lastLeafHash)).toBe(hex(leaves[i] as Uint8Array));
      expect(tree.compactRange().roots.map(hex)).toEqual(byData.roots().map(hex));
      expect(hex(tree.leafHashAt(i))).toBe(hex(leaves[i] as Uint8Array));
    }
    expect(byData.roots()).toHaveLength(2); // 130 = 128 + 2
  });

  it('hands out copies: a root or range changed by its caller changes nothing held', () => {
    const builder = createRootBuilder();
    for (let i = 0; i < 5; i++) builder.addLeafData(data(i));
    const root = hex(builder.root());
    builder.root().fill(0);
    for (const node of builder.roots()) node.fill(0);
    expect(hex(builder.root())).toBe(root);
  });

  it('takes a perfect subtree whole where the tree has one, giving the roots it would have had leaf by leaf, and refuses one out of place', () => {
    const byLeaf = createRootBuilder();
    const bySubtree = createRootBuilder();
    const leaves = Array.from({ length: 52 }, (_, i) => leafHash(data(i)));
    leaves.forEach((leaf) => byLeaf.addLeafHash(leaf));
    // 52 = 32 + 16 + 4: subtrees of heights 5, 4 and 2, each added by its root alone.
    let at = 0;
    for (const height of [5, 4, 2]) {
      bySubtree.addSubtree(height, rootOfLeaves(leaves.slice(at, at + 2 ** height)));
      at += 2 ** height;
      expect(`${at}:${hex(bySubtree.root())}`).toBe(`${at}:${hex(rootOfLeaves(leaves.slice(0, at)))}`);
    }
    expect(bySubtree.size).toBe(52);
    expect(bySubtree.roots().map(hex)).toEqual(byLeaf.roots().map(hex));
    // Leaf by leaf after a subtree: 52 + 4 closes the subtree of height 3 over leaves 48..55.
    const more = Array.from({ length: 4 }, (_, i) => leafHash(data(52 + i)));
    more.forEach((leaf) => (bySubtree.addLeafHash(leaf), byLeaf.addLeafHash(leaf)));
    expect(hex(bySubtree.root())).toBe(hex(byLeaf.root()));
    // At size 56, a subtree of 16 leaves would straddle the tree's own: refused, nothing added.
    expect(() => bySubtree.addSubtree(4, leaves[0] as Uint8Array)).toThrow(expect.objectContaining({ code: 'TREE_RANGE' }));
    expect(bySubtree.size).toBe(56);
    expect(hex(bySubtree.root())).toBe(hex(byLeaf.root()));
  });
});
