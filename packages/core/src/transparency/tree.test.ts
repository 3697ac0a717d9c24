import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { GENESIS_HASH, sealRecord } from '../crypto';
import { MalformedTransparencyTextError, TreeRangeError } from './errors';
import { EMPTY_ROOT, leafDataOfRecord, leafHash, nodeHash, rootOfLeaves } from './hash';
import { hashLeafRange } from './leaf-range';
import { createMerkleTree } from './tree';
import { hashLeafRangeOffThread } from './tree-hashing';
import { verifyConsistency, verifyInclusion } from './verify';

/** A deterministic generator, so a failing size can be replayed. */
function lcg(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

function grow(size: number) {
  const tree = createMerkleTree();
  const leaves = Array.from({ length: size }, () => leafHash(randomBytes(32)));
  const roots = [tree.root()];
  for (const leaf of leaves) {
    tree.append(leaf);
    roots.push(tree.root());
  }
  return { tree, leaves, roots };
}

describe('the incremental tree', () => {
  it('has, at every size, the root of the recursive definition', () => {
    const { tree, leaves, roots } = grow(300);
    for (let n = 0; n <= 300; n++) {
      expect(Buffer.from(roots[n] as Uint8Array).equals(Buffer.from(rootOfLeaves(leaves.slice(0, n))))).toBe(true);
      expect(Buffer.from(tree.rootAt(n)).equals(Buffer.from(roots[n] as Uint8Array))).toBe(true);
    }
  });

  it('keeps every earlier root reproducible in trees of a few thousand leaves', () => {
    const random = lcg(6962);
    for (let round = 0; round < 3; round++) {
      const size = 1000 + random(3000);
      const { tree, leaves, roots } = grow(size);
      for (let n = 0; n <= size; n++) expect(Buffer.from(tree.rootAt(n)).equals(Buffer.from(roots[n] as Uint8Array))).toBe(true);
      for (let i = 0; i < 20; i++) {
        const n = random(size + 1);
        expect(Buffer.from(rootOfLeaves(leaves.slice(0, n))).equals(Buffer.from(roots[n] as Uint8Array))).toBe(true);
      }
    }
  });

  it('keeps a compact range of one perfect subtree root per set bit of its size, folding to the root', () => {
    const { tree } = grow(1234);
    const { size, roots } = tree.compactRange();
    expect(size).toBe(1234);
    expect(roots).toHaveLength((1234).toString(2).replace(/0/g, '').length);
    const folded = roots.reduceRight<Uint8Array | undefined>((acc, root) => (acc === undefined ? root : nodeHash(root, acc)), undefined);
    expect(Buffer.from(folded as Uint8Array).equals(Buffer.from(tree.root()))).toBe(true);
  });

  it('gives inclusion proofs for every leaf of every size up to 40 that the verifier accepts', () => {
    const { tree, leaves, roots } = grow(40);
    for (let size = 1; size <= 40; size++)
      for (let index = 0; index < size; index++)
        expect(verifyInclusion(leaves[index] as Uint8Array, index, size, tree.inclusionProof(index, size), roots[size] as Uint8Array)).toEqual({ ok: true });
  });

  it('gives consistency proofs between every pair of sizes up to 40 that the verifier accepts', () => {
    const { tree, roots } = grow(40);
    for (let size2 = 1; size2 <= 40; size2++)
      for (let size1 = 1; size1 <= size2; size1++)
        expect(verifyConsistency(size1, size2, tree.consistencyProof(size1, size2), roots[size1] as Uint8Array, roots[size2] as Uint8Array)).toEqual({ ok: true });
  });

  it('gives proofs that verify at random sizes of a tree of thousands of leaves', () => {
    const random = lcg(9162);
    const { tree, leaves, roots } = grow(5000);
    for (let i = 0; i < 300; i++) {
      const size = 1 + random(5000);
      const index = random(size);
      const size1 = 1 + random(size);
      expect(verifyInclusion(leaves[index] as Uint8Array, index, size, tree.inclusionProof(index, size), roots[size] as Uint8Array)).toEqual({ ok: true });
      expect(verifyConsistency(size1, size, tree.consistencyProof(size1, size), roots[size1] as Uint8Array, roots[size] as Uint8Array)).toEqual({ ok: true });
    }
  });

  it('refuses queries outside the tree and leaf hashes that are not 32 bytes', () => {
    const { tree } = grow(5);
    expect(() => tree.inclusionProof(5, 5)).toThrow(TreeRangeError);
    expect(() => tree.inclusionProof(0, 6)).toThrow(TreeRangeError);
    expect(() => tree.inclusionProof(-1)).toThrow(TreeRangeError);
    expect(() => tree.consistencyProof(4, 6)).toThrow(TreeRangeError);
    expect(() => tree.consistencyProof(5, 4)).toThrow(TreeRangeError);
    expect(() => tree.rootAt(6)).toThrow(TreeRangeError);
    expect(() => tree.rootAt(1.5)).toThrow(TreeRangeError);
    expect(() => tree.leafHashAt(5)).toThrow(TreeRangeError);
    expect(() => tree.append(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(tree.size).toBe(5);
    expect(tree.consistencyProof(0, 5)).toEqual([]);
    expect(Buffer.from(tree.rootAt(0)).equals(Buffer.from(EMPTY_ROOT))).toBe(true);
  });

  it('holds about 36 bytes a leaf, and a copy of the leaf hashes it was given', () => {
    const { tree, leaves } = grow(4096);
    expect(tree.memoryBytes()).toBeLessThan(4096 * 40);
    const leaf = leaves[7] as Buffer;
    leaf[0] = (leaf[0] as number) ^ 0xff;
    expect(Buffer.from(tree.leafHashAt(7)).equals(leaf)).toBe(false);
  });
});

describe('the leaf data of a record', () => {
  it('is the 32 bytes its hash member holds', () => {
    const { bytes, hash } = sealRecord({ type: 'T', id: 'e-1', data: { n: 1 } }, 'subject-s', GENESIS_HASH);
    expect(leafDataOfRecord(bytes).toString('hex')).toBe(hash);
  });

  it('is the stored member even when the content was altered, so the tree matches what an outsider reads', () => {
    const { bytes, hash } = sealRecord({ type: 'T', id: 'e-1', data: { n: 1 } }, 'subject-s', GENESIS_HASH);
    const altered = Buffer.from(bytes.toString().replace('"n":1', '"n":2'));
    expect(leafDataOfRecord(altered).toString('hex')).toBe(hash);
  });

  it('is refused for bytes without the record layout or with a hash member that is not hex', () => {
    expect(() => leafDataOfRecord(Buffer.from('{"a":1}'))).toThrow(MalformedTransparencyTextError);
    const { bytes, hash } = sealRecord({ type: 'T', id: 'e-1' }, 'subject-s', GENESIS_HASH);
    const notHex = Buffer.from(bytes.toString().replace(hash, 'z'.repeat(64)));
    expect(() => leafDataOfRecord(notHex)).toThrow(expect.objectContaining({ format: 'record', field: 'hash' }));
  });
});

describe('the tree grown by ranges', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

  it('takes ranges of leaves hashed elsewhere, on a worker thread or not, as the leaves one by one', async () => {
    const data = Array.from({ length: 700 }, () => randomBytes(32));
    const byLeaf = createMerkleTree();
    data.forEach((d) => byLeaf.appendLeafData(d));
    const byRange = createMerkleTree();
    const packed = (from: number, to: number) => Buffer.concat(data.slice(from, to));
    let at = 0;
    for (const to of [1, 2, 5, 64, 100, 356, 700]) {
      const hashed = to - at > 50 ? await hashLeafRangeOffThread(packed(at, to), to - at, at) : hashLeafRange(packed(at, to), to - at, at);
      byRange.appendHashed(hashed, to - at);
      at = to;
      expect(`${to}:${hex(byRange.root())}`).toBe(`${to}:${hex(byLeaf.rootAt(to))}`);
    }
    for (const size of [1, 17, 64, 100, 129, 356, 700]) {
      expect(byRange.consistencyProof(size).map(hex)).toEqual(byLeaf.consistencyProof(size).map(hex));
      expect(byRange.inclusionProof(size - 1).map(hex)).toEqual(byLeaf.inclusionProof(size - 1).map(hex));
      expect(hex(byRange.leafHashAt(size - 1))).toBe(hex(byLeaf.leafHashAt(size - 1)));
    }
    expect(byRange.memoryBytes()).toBeGreaterThan(0);
  });
});
