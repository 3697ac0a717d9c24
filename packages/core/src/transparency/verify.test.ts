import { describe, expect, it } from '@jest/globals';
import { leafHash } from './hash';
import { createMerkleTree, type MerkleTree } from './tree';
import { verifyConsistency, verifyInclusion } from './verify';

function treeOf(size: number, label = 'log'): { tree: MerkleTree; leaves: Buffer[] } {
  const tree = createMerkleTree();
  const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`${label} event ${i}`)));
  for (const leaf of leaves) tree.append(leaf);
  return { tree, leaves };
}

const swap = <T>(list: readonly T[], i: number, j: number): T[] => {
  const copy = [...list];
  [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  return copy;
};

describe('verifyInclusion under attack', () => {
  const { tree, leaves } = treeOf(13);
  const root = tree.root();
  const leaf = (i: number) => leaves[i] as Buffer;

  it('accepts the honest proof of every leaf', () => {
    for (let i = 0; i < 13; i++) expect(verifyInclusion(leaf(i), i, 13, tree.inclusionProof(i), root)).toEqual({ ok: true });
  });

  it('refuses the proof with a wrong index', () => {
    for (let i = 0; i < 13; i++) {
      const proof = tree.inclusionProof(i);
      for (const wrong of [i + 1, i - 1, i ^ 2, i ^ 1].filter((w) => w >= 0 && w < 13 && w !== i)) expect(verifyInclusion(leaf(i), wrong, 13, proof, root).ok).toBe(false);
    }
  });

  it('refuses the proof checked against the checkpoint of another size', () => {
    // The proof binds the index to the root; the signed checkpoint binds the root to its size.
    const log = treeOf(26);
    for (let i = 0; i < 13; i++) {
      const proof = log.tree.inclusionProof(i, 13);
      expect(verifyInclusion(leaf(i), i, 13, proof, log.tree.rootAt(13))).toEqual({ ok: true });
      for (const size of [12, 14, 26, 6, 16].filter((s) => s > i)) expect(verifyInclusion(leaf(i), i, size, proof, log.tree.rootAt(size)).ok).toBe(false);
    }
  });

  it('refuses the proof with a size whose path has another shape', () => {
    for (let i = 0; i < 6; i++) {
      const proof = tree.inclusionProof(i);
      for (const size of [26, 6, 4]) if (size > i) expect(verifyInclusion(leaf(i), i, size, proof, root).ok).toBe(false);
    }
  });

  it('refuses a proof one hash short or one hash long', () => {
    for (let i = 0; i < 13; i++) {
      const proof = tree.inclusionProof(i);
      expect(verifyInclusion(leaf(i), i, 13, proof.slice(0, -1), root)).toEqual({ ok: false, reason: 'proof_too_short' });
      expect(verifyInclusion(leaf(i), i, 13, [...proof, root], root)).toEqual({ ok: false, reason: 'proof_too_long' });
      expect(verifyInclusion(leaf(i), i, 13, [leaf(i), ...proof], root).ok).toBe(false);
    }
  });

  it('refuses a proof with two hashes swapped', () => {
    for (let i = 0; i < 13; i++) {
      const proof = tree.inclusionProof(i);
      for (let j = 0; j + 1 < proof.length; j++) expect(verifyInclusion(leaf(i), i, 13, swap(proof, j, j + 1), root)).toEqual({ ok: false, reason: 'root_mismatch' });
    }
  });

  it('refuses a leaf from another position, whether it brings its own proof or borrows one', () => {
    for (let i = 0; i < 13; i++)
      for (let j = 0; j < 13; j++) {
        if (i === j) continue;
        expect(verifyInclusion(leaf(j), i, 13, tree.inclusionProof(i), root).ok).toBe(false);
        expect(verifyInclusion(leaf(j), i, 13, tree.inclusionProof(j), root).ok).toBe(false);
      }
  });

  it('refuses an index at or past the size, and sizes or hashes that are not what they claim', () => {
    expect(verifyInclusion(leaf(0), 13, 13, [], root)).toEqual({ ok: false, reason: 'index_beyond_size' });
    expect(verifyInclusion(leaf(0), 0, 0, [], root)).toEqual({ ok: false, reason: 'index_beyond_size' });
    expect(verifyInclusion(leaf(0), -1, 13, [], root)).toEqual({ ok: false, reason: 'not_a_size' });
    expect(verifyInclusion(leaf(0), 0.5, 13, [], root)).toEqual({ ok: false, reason: 'not_a_size' });
    expect(verifyInclusion(leaf(0), 0, 2 ** 53, [], root)).toEqual({ ok: false, reason: 'not_a_size' });
    expect(verifyInclusion(leaf(0).subarray(1), 0, 13, tree.inclusionProof(0), root)).toEqual({ ok: false, reason: 'hash_length' });
    expect(verifyInclusion(leaf(0), 0, 13, [...tree.inclusionProof(0).slice(1), new Uint8Array(33)], root)).toEqual({ ok: false, reason: 'hash_length' });
    // A one-leaf tree whose root is the leaf: an empty proof, and nothing else, proves it.
    const single = treeOf(1);
    expect(verifyInclusion(single.leaves[0] as Buffer, 0, 1, [], single.tree.root())).toEqual({ ok: true });
    expect(verifyInclusion(single.leaves[0] as Buffer, 0, 1, [root], single.tree.root())).toEqual({ ok: false, reason: 'proof_too_long' });
  });

  it('refuses a proof for a bigger tree than the checkpoint claims (immudb GO-2022-1117)', () => {
    // The log is 16 leaves; a checkpoint claims 13. A proof made in the bigger tree must not
    // pass against the claimed checkpoint.
    const bigger = treeOf(16);
    const claimed = bigger.tree.rootAt(13);
    for (let i = 0; i < 13; i++) expect(verifyInclusion(leaf(i), i, 13, bigger.tree.inclusionProof(i, 16), claimed).ok).toBe(false);
    // Entries the claimed tree does not hold cannot be proved in it at all.
    for (let i = 13; i < 16; i++) {
      const proof = bigger.tree.inclusionProof(i, 16);
      expect(verifyInclusion(bigger.leaves[i] as Buffer, i, 13, proof, bigger.tree.root())).toEqual({ ok: false, reason: 'index_beyond_size' });
      expect(verifyInclusion(bigger.leaves[i] as Buffer, i, 16, proof, claimed)).toEqual({ ok: false, reason: 'root_mismatch' });
    }
  });
});

describe('verifyConsistency under attack', () => {
  const { tree } = treeOf(21);
  const longer = treeOf(30).tree;
  const root = (n: number) => longer.rootAt(n);

  it('accepts the honest proof between any two sizes', () => {
    for (let n2 = 1; n2 <= 21; n2++) for (let n1 = 1; n1 <= n2; n1++) expect(verifyConsistency(n1, n2, tree.consistencyProof(n1, n2), root(n1), root(n2))).toEqual({ ok: true });
  });

  it('refuses wrong sizes, swapped roots, a proof one hash short or long, and swapped hashes', () => {
    for (let n2 = 2; n2 <= 21; n2++)
      for (let n1 = 1; n1 < n2; n1++) {
        const proof = tree.consistencyProof(n1, n2);
        // Each claimed size is checked against the log's real root at that size, as a checkpoint would give it.
        if (n1 + 1 < n2) expect(verifyConsistency(n1 + 1, n2, proof, root(n1 + 1), root(n2)).ok).toBe(false);
        if (n1 > 1) expect(verifyConsistency(n1 - 1, n2, proof, root(n1 - 1), root(n2)).ok).toBe(false);
        expect(verifyConsistency(n1, n2 + 1, proof, root(n1), root(n2 + 1)).ok).toBe(false);
        if (n2 - 1 > n1) expect(verifyConsistency(n1, n2 - 1, proof, root(n1), root(n2 - 1)).ok).toBe(false);
        expect(verifyConsistency(n1, n2, proof, root(n2), root(n1)).ok).toBe(false);
        expect(verifyConsistency(n1, n2, proof.slice(0, -1), root(n1), root(n2)).ok).toBe(false);
        expect(verifyConsistency(n1, n2, [...proof, root(n2)], root(n1), root(n2))).toEqual({ ok: false, reason: 'proof_too_long' });
        for (let j = 0; j + 1 < proof.length; j++) expect(verifyConsistency(n1, n2, swap(proof, j, j + 1), root(n1), root(n2)).ok).toBe(false);
      }
  });

  it('refuses size1 > size2, the empty first tree, and equal sizes with a proof or with different roots', () => {
    expect(verifyConsistency(8, 7, tree.consistencyProof(7, 8), root(8), root(7))).toEqual({ ok: false, reason: 'size1_beyond_size2' });
    expect(verifyConsistency(0, 5, [], root(0), root(5))).toEqual({ ok: false, reason: 'first_tree_empty' });
    expect(verifyConsistency(0, 0, [], root(0), root(0))).toEqual({ ok: false, reason: 'first_tree_empty' });
    expect(verifyConsistency(5, 5, [root(5)], root(5), root(5))).toEqual({ ok: false, reason: 'proof_too_long' });
    expect(verifyConsistency(5, 5, [], root(5), root(6))).toEqual({ ok: false, reason: 'root_mismatch' });
    expect(verifyConsistency(5, 5, [], root(5), root(5))).toEqual({ ok: true });
    expect(verifyConsistency(5, 9, [], root(5), root(9))).toEqual({ ok: false, reason: 'proof_too_short' });
    expect(verifyConsistency(4, 8, [], root(4), root(8))).toEqual({ ok: false, reason: 'proof_too_short' });
  });

  it('refuses a log that rewrote its history after the first checkpoint, even when the proof rebuilds the new root', () => {
    // Same size, same tail, one event of the checkpointed prefix replaced.
    const rewritten = createMerkleTree();
    for (let i = 0; i < 21; i++) rewritten.append(tree.leafHashAt(i === 3 ? 4 : i));
    for (const n1 of [5, 8, 13]) {
      const proof = rewritten.consistencyProof(n1, 21);
      expect(verifyConsistency(n1, 21, proof, root(n1), rewritten.root()).ok).toBe(false);
    }
  });

  it('refuses a fork that keeps the checkpointed prefix and the last event but changes one in between (immudb GO-2022-1117)', () => {
    // The immudb client checked only the ends of the part not yet in its tree; here every
    // leaf between the two sizes is bound by the proof.
    const fork = createMerkleTree();
    for (let i = 0; i < 21; i++) fork.append(i === 15 ? leafHash(Buffer.from('forged')) : tree.leafHashAt(i));
    for (const n1 of [5, 8, 13, 15]) {
      expect(verifyConsistency(n1, 21, tree.consistencyProof(n1, 21), root(n1), fork.root())).toEqual({ ok: false, reason: 'root2_mismatch' });
      expect(verifyConsistency(n1, 21, fork.consistencyProof(n1, 21), root(n1), root(21))).toEqual({ ok: false, reason: 'root2_mismatch' });
    }
  });

  it('refuses a consistency proof for a bigger tree than the one claimed', () => {
    for (const n1 of [3, 8, 10]) {
      const proof = tree.consistencyProof(n1, 21);
      expect(verifyConsistency(n1, 16, proof, root(n1), root(21)).ok).toBe(false);
      expect(verifyConsistency(n1, 16, proof, root(n1), root(16)).ok).toBe(false);
    }
  });
});
