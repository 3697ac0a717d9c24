import { describe, expect, it } from '@jest/globals';
import { EMPTY_ROOT, leafHash, nodeHash, rootOfLeaves } from './hash';
import { createMerkleTree } from './tree';
import { verifyConsistency, verifyInclusion } from './verify';

/**
 * The RFC 6962 reference test vectors, as in transparency-dev/merkle (testonly/constants.go
 * and the inclusion and consistency proof tables of its proof tests): eight leaf inputs,
 * the roots of the trees of their first 0..8 leaves, and proofs between them.
 */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];

const LEAF_HASHES = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
];

/** ROOTS[n] is the root of the tree of the first n leaves. */
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Zero-based leaf indexes (the Go table counts from one). */
const INCLUSION_PROOFS: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY_PROOFS: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const hex = (h: string) => Buffer.from(h, 'hex');
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function referenceTree(size: number) {
  const tree = createMerkleTree();
  for (const input of LEAF_INPUTS.slice(0, size)) tree.append(leafHash(hex(input)));
  return tree;
}

describe('RFC 6962 hashing', () => {
  it('hashes leaves with a 0x00 prefix, nodes with 0x01, and the empty tree as SHA-256 of nothing', () => {
    expect(LEAF_INPUTS.map((input) => toHex(leafHash(hex(input))))).toEqual(LEAF_HASHES);
    expect(toHex(EMPTY_ROOT)).toBe(ROOTS[0]);
    // transparency-dev/merkle rfc6962 tests: HashChildren("N123", "N456") and HashLeaf("L123456").
    expect(toHex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe('aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb');
    expect(toHex(leafHash(Buffer.from('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
  });

  it('gives the reference root of every size 0..8, built all at once and incrementally', () => {
    const tree = createMerkleTree();
    expect(toHex(tree.root())).toBe(ROOTS[0]);
    for (let n = 1; n <= 8; n++) {
      tree.append(leafHash(hex(LEAF_INPUTS[n - 1] as string)));
      expect(toHex(tree.root())).toBe(ROOTS[n]);
      expect(toHex(rootOfLeaves(LEAF_HASHES.slice(0, n).map(hex)))).toBe(ROOTS[n]);
    }
    for (let n = 0; n <= 8; n++) expect(toHex(tree.rootAt(n))).toBe(ROOTS[n]);
  });

  it('produces and accepts every reference inclusion proof', () => {
    const tree = referenceTree(8);
    for (const { index, size, proof } of INCLUSION_PROOFS) {
      expect(tree.inclusionProof(index, size).map(toHex)).toEqual(proof);
      expect(verifyInclusion(hex(LEAF_HASHES[index] as string), index, size, proof.map(hex), hex(ROOTS[size] as string))).toEqual({ ok: true });
    }
  });

  it('produces and accepts every reference consistency proof', () => {
    const tree = referenceTree(8);
    for (const { size1, size2, proof } of CONSISTENCY_PROOFS) {
      expect(tree.consistencyProof(size1, size2).map(toHex)).toEqual(proof);
      expect(verifyConsistency(size1, size2, proof.map(hex), hex(ROOTS[size1] as string), hex(ROOTS[size2] as string))).toEqual({ ok: true });
    }
  });
});
